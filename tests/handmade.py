"""Submission files written by hand, the way a street's clerks and systems write them.

Independent of the demo generator (demo/ is never imported): the layouts follow DESIGN.md §3
and the header aliases of pipelines/ingest/contracts/*.yaml only. Every writer takes plain records
(dataclasses below), so a test knows exactly what it put into raw/ and can state the figures the
warehouse must show (residents per community, patrols, cases) without asking the pipeline.

Codes are real: Huayang Street (华阳街道, 510116003) and its communities from
dbt_project/seeds/divisions.csv; ID numbers are 18 digits with a correct check digit.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

STREET = "510116003"
STREET_NAME = "华阳街道"
COMMUNITIES = {"510116003001": "通济桥街社区", "510116003004": "菜蔬街社区", "510116003005": "正东街社区"}
REGION = "510116"  # 双流区 (Huayang's district before Tianfu New Area): a valid ID region prefix
RESIDENT_STATUSES = ("在住", "外出")  # dbt var('resident_statuses')

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超")


def id_number(birth: dt.date, sequence: int, region: str = REGION) -> str:
    """A valid 18-digit resident ID number (GB 11643): region, birth date, 3-digit sequence, check digit.
    An odd sequence is a man, an even one a woman."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


# --- 网格台账 -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grid:
    code: str
    name: str
    community_code: str
    grid_type: str = "常规"
    households: int = 400
    residents: int = 1000
    chief: str = "刘建国"
    worker_name: str = "陈晓"
    worker_id: str = ""
    backup_worker_id: str = ""
    valid_from: dt.date = dt.date(2025, 1, 1)
    boundary_wkt: str | None = None

    @property
    def community_name(self) -> str:
        return COMMUNITIES[self.community_code]


def grids_of(community_codes: list[str], per_community: int = 2) -> list[Grid]:
    """`per_community` standard grids in each community, each a small square west of Huayang's centre."""
    out = []
    for c, code in enumerate(community_codes):
        for g in range(1, per_community + 1):
            lon, lat = 104.04 + 0.01 * g, 30.50 + 0.01 * c
            square = f"POLYGON(({lon} {lat}, {lon + 0.008} {lat}, {lon + 0.008} {lat + 0.008}, {lon} {lat + 0.008}, {lon} {lat}))"
            out.append(Grid(code=f"{code}{g:03d}", name=f"{COMMUNITIES[code].removesuffix('社区')}第{g}网格",
                            community_code=code, households=350 + 10 * g, residents=900 + 20 * g,
                            worker_name=SURNAMES[c * 3 + g] + GIVEN[g], worker_id=f"W{code[-3:]}{g:02d}",
                            backup_worker_id=f"W{code[-3:]}{(g % per_community) + 1:02d}", boundary_wkt=square))
    return out


GRID_HEADER = ("网格编码", "网格名称", "所属社区", "社区代码", "网格类型", "户数", "人口数", "网格长", "网格员", "网格员工号",
               "AB岗工号", "生效日期", "边界坐标")


def write_grid_table(raw: Path, grids: list[Grid], month: str) -> Path:
    """The street-wide grid table: a title row naming the street and month, then the header."""
    y, m = month.split("-")
    path = raw / "grids" / f"{STREET_NAME}网格台账_{y}年{int(m)}月.xlsx"
    rows = [(g.code, g.name, g.community_name, g.community_code, g.grid_type, g.households, g.residents, g.chief,
             g.worker_name, g.worker_id, g.backup_worker_id, g.valid_from.isoformat(), g.boundary_wkt) for g in grids]
    _xlsx(path, f"{STREET_NAME}网格台账（{y}年{int(m)}月）", GRID_HEADER, rows)
    return path


# --- 实有人口台账 ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    sex: str
    birth: dt.date
    registration_type: str  # 户籍 / 流动 / 境外
    grid_code: str
    building: str
    unit: str
    room: str
    relation: str
    status: str  # 在住 / 外出 / 迁出 / 死亡
    tags: str = ""
    phone: str = ""
    registered: dt.date = dt.date(2024, 6, 1)

    @property
    def is_resident(self) -> bool:
        return self.status in RESIDENT_STATUSES

    @property
    def household(self) -> tuple[str, str, str]:
        return self.building, self.unit, self.room


STATUS_CYCLE = ("在住", "在住", "在住", "外出", "在住", "迁出", "在住", "在住", "死亡", "在住")
TYPE_CYCLE = ("户籍", "户籍", "流动", "户籍", "流动", "户籍", "户籍", "户籍", "流动", "户籍")


def people(grid: Grid, n: int, first: int = 0) -> list[Person]:
    """`n` people of a grid, numbered from `first` (the same number gives the same person), two to a room,
    with a fixed mix of statuses and registration types."""
    out = []
    for i in range(first, first + n):
        birth = dt.date(1950 + (i * 7) % 60, 1 + i % 12, 1 + i % 28)
        sequence = int(grid.code[-5:]) * 7 + i  # unique per grid and number
        out.append(Person(
            name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 3) % len(GIVEN)], id_number=id_number(birth, sequence),
            sex="男" if sequence % 2 else "女", birth=birth, registration_type=TYPE_CYCLE[i % len(TYPE_CYCLE)],
            grid_code=grid.code, building=f"{1 + i // 20}栋", unit=f"{1 + (i // 10) % 2}单元", room=f"{101 + (i // 2) % 5}",
            relation="户主" if i % 2 == 0 else "配偶", status=STATUS_CYCLE[i % len(STATUS_CYCLE)],
            tags="独居老人" if i % 13 == 0 else "", phone=f"138{sequence:08d}"[:11]))
    return out


REGISTER_HEADER = ("序号", "姓名", "公民身份号码", "性别", "出生日期", "户籍类型", "所属网格", "楼栋", "单元", "房号", "与户主关系",
                   "居住状态", "人员标签", "联系电话", "登记日期")


def _register_rows(persons: list[Person]) -> list[tuple]:
    return [(i + 1, p.name, p.id_number, p.sex, p.birth.isoformat(), p.registration_type, p.grid_code, p.building,
             p.unit, p.room, p.relation, p.status, p.tags, p.phone, p.registered.isoformat())
            for i, p in enumerate(persons)]


def write_register(raw: Path, community_code: str, month: str, persons: list[Person], kind: str = "xlsx") -> Path:
    """A community's monthly register: xlsx with a title row, or a UTF-8 csv named after community and month."""
    y, m = month.split("-")
    name = COMMUNITIES[community_code]
    stem = f"{name}实有人口台账_{y}年{int(m)}月"
    if kind == "xlsx":
        path = raw / "population" / month / f"{stem}.xlsx"
        _xlsx(path, f"{STREET_NAME}{name}实有人口台账（{y}年{int(m)}月）", REGISTER_HEADER, _register_rows(persons))
    else:
        path = raw / "population" / month / f"{stem}.csv"
        _csv(path, REGISTER_HEADER, _register_rows(persons))
    return path


# --- 巡查走访日志 ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Patrol:
    record_id: str
    worker_id: str
    grid_code: str
    started_at: dt.datetime
    minutes: int = 60
    kind: str = "巡查"  # 巡查 / 入户走访 / 重点人员走访
    households_visited: int = 0
    key_persons_visited: int = 0
    case_ids: str = ""
    log: str = "巡查正常，未发现问题。"


PATROL_HEADER = ("记录编号", "网格员工号", "网格编码", "开始时间", "结束时间", "巡查类型", "走访户数", "重点人员走访数", "上报事件编号",
                 "民情日志")


def patrols_on(grid: Grid, days: list[dt.date], prefix: str) -> list[Patrol]:
    """One patrol at 09:00 on each of `days` by the grid's worker; every third day a home visit too."""
    out = []
    for i, day in enumerate(days):
        start = dt.datetime.combine(day, dt.time(9, 0))
        out.append(Patrol(f"{prefix}{grid.code[-5:]}{i:03d}", grid.worker_id, grid.code, start))
        if i % 3 == 0:
            out.append(Patrol(f"{prefix}{grid.code[-5:]}{i:03d}V", grid.worker_id, grid.code,
                              start + dt.timedelta(hours=2), minutes=45, kind="入户走访", households_visited=3,
                              log="走访3户，了解生活情况。"))
    return out


def write_patrols(raw: Path, community_code: str, month: str, records: list[Patrol],
                  drop: tuple[str, ...] = ()) -> Path:
    """A community's monthly patrol log as the handheld terminals export it (UTF-8 csv); `drop` leaves
    out columns, as a terminal with an old export template does."""
    path = raw / "patrols" / month / f"{COMMUNITIES[community_code]}_巡查走访_{month.replace('-', '')}.csv"
    rows = [(r.record_id, r.worker_id, r.grid_code, f"{r.started_at:%Y-%m-%d %H:%M:%S}",
             f"{r.started_at + dt.timedelta(minutes=r.minutes):%Y-%m-%d %H:%M:%S}", r.kind, r.households_visited,
             r.key_persons_visited, r.case_ids, r.log) for r in records]
    keep = [i for i, h in enumerate(PATROL_HEADER) if h not in drop]
    _csv(path, [PATROL_HEADER[i] for i in keep], [[row[i] for i in keep] for row in rows])
    return path


# --- 事件流转日志 ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseStep:
    case_id: str
    at: dt.datetime
    action: str
    grid_code: str
    level: int = 1
    category: str = "市容环境"
    subcategory: str = "乱堆乱放"
    channel: str = "网格员巡查"
    work_type: str = "一般"
    actor: str = "陈晓"
    role: str = "网格员"
    description: str = "小区门口堆放杂物，影响通行。"
    satisfaction: str | None = None


def case_flow(case_id: str, grid_code: str, reported: dt.datetime, actions: tuple[str, ...], **values) -> list[CaseStep]:
    """A case's steps, one hour apart from `reported`: e.g. ("上报", "受理", "立案", "派遣", "处置", "结案")."""
    return [CaseStep(case_id, reported + dt.timedelta(hours=i), a, grid_code, **values) for i, a in enumerate(actions)]


def write_case_log(raw: Path, day: dt.date, steps: list[CaseStep]) -> Path:
    """The event system's daily export: JSON Lines with its English keys, named after the day."""
    path = raw / "cases" / f"{day:%Y-%m}" / f"事件流转_{day:%Y%m%d}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"case_id": s.case_id, "time": f"{s.at:%Y-%m-%d %H:%M:%S}", "action": s.action,
                         "actor": s.actor, "role": s.role, "level": s.level, "category": s.category,
                         "subcategory": s.subcategory, "work_type": s.work_type, "channel": s.channel,
                         "grid_code": s.grid_code, "description": s.description,
                         **({"satisfaction": s.satisfaction} if s.satisfaction else {})}, ensure_ascii=False)
             for s in steps]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- files of the wrong kind ------------------------------------------------------------------------------

def write_docx(path: Path, text: str) -> Path:
    """A minimal Word document (a zip with the parts Word needs): what a clerk sends instead of an export."""
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    body = (f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            f'<w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", body)
    return path


# --- writers -------------------------------------------------------------------------------------------

def _xlsx(path: Path, title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    """One sheet: a merged title row, the header, the rows. Text is written as text (codes keep their zeros)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    sheet.write_row(1, 0, header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def _csv(path: Path, header, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@dataclass
class Submission:
    """What a test put into raw/, kept to state the expected figures."""

    grids: list[Grid] = field(default_factory=list)
    registers: dict[tuple[str, str], list[Person]] = field(default_factory=dict)  # (community, month) -> people
    patrols: dict[tuple[str, str], list[Patrol]] = field(default_factory=dict)
    case_steps: list[CaseStep] = field(default_factory=list)

    def residents(self, community: str, month: str) -> int:
        return sum(p.is_resident for p in self.registers[(community, month)])

    def households(self, community: str, month: str) -> int:
        return len({(p.grid_code, p.household) for p in self.registers[(community, month)] if p.is_resident})
