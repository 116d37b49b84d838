"""A small hand-made lake for the early warnings (fct_warnings), written as pipelines/ingest writes it
with the writers of fixture.py, and its story: every case, register and grid polygon below is there
for one warning kind, on known days (docs/early-warning.md is the method).

Days run from Monday 3 March to Wednesday 23 July 2025 (rising warnings are judged from day 35, 6 April, once 28 days of history precede the window).

- Grids (community C1: GA, GB, GC; community C2: GD), rectangles of 0.01°: GB shares GA's east side,
  GC touches GA at its south-west corner only, GD lies elsewhere.
- Time-to-close history (deadline_risk, stalled_grid): 40 cases 安全隐患 level 3 (SLA 2 working days) in
  GD, all accepted Monday 3 March: 20 closed after 0 working days, 12 after 1, 3 after 2, 5 after 4, so
  from the week of 10 March S(0) = .5, S(1) = .2, S(2) = S(3) = .125, S(4) = 0.
- Stalled grid: S1, S2 (GD, 安全隐患 level 3) accepted Monday 9 June, closed Wednesday 18 June; on
  Tuesday 10 June (e = 1) each misses its deadline with S(2) / S(1) = .625; from Friday 13 June (e = 4)
  both linger with S(4) = 0, floored at half a case of 40: score 2 · log10(80) = 3.81 ≥ 3.
- Deadline risk after censoring: T1 (GB, 安全隐患 level 3) accepted Tuesday 17 June, closed Friday 20
  June; the estimate of 16 June counts S1, S2 as open at 4 working days (censored), so on Wednesday 18
  June (e = 1) its chance of missing is S(2) / S(1) = (7/42) / (10/42) = .7.
- Rising and hot spots: one case a week (Wednesday) of 环境卫生 in GA and GC and of 城市管理 in GA, one
  every other week of 环境卫生 in GB, one every Saturday of 环境卫生 in GD (rest-day events); then two
  extra cases a day Monday 7 – Thursday 10 July of 环境卫生 in GA, GB and GC and of 城市管理 in GA.
- Repeat: R1 (GB, 民生服务, 锦江路5号…) reported and closed Thursday 5 June, R2 (same place and
  category) reported Tuesday 17 June: 12 days after R1 was closed.
- A late series: L1 (GB, 城市管理) on the last day, 23 July, GB's first case of the category; the rising
  warnings of GA's 城市管理 in 9–14 July must not depend on it (a warning of day D uses only what was
  known by the end of D).
- Register jump: C1's registers of May and June (received 20 May and 23 June): GA 100 → 140 residents
  (+40 %), GB 50 → 55 (+10 %: below the share), GC 30 → 45 (+50 % but only 15 people: below the minimum).

Every other case is reported, accepted and closed within the day (never open at the end of a day) and
its description names no place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core.settings import Paths
from pipelines.ingest.calendar import write_calendar
from tests.dbt_project.fixture import (
    C1,
    C2,
    GRID_COLUMNS,
    STREET,
    Warehouse,
    _ledger_row,
    _stamp,
    _write,
    write_case_day,
    write_hotline_anchor,
    write_ledger,
)

D = dt.date
T = dt.datetime

GA, GB, GC = f"{C1}001", f"{C1}002", f"{C1}003"
GD = f"{C2}001"
GRIDS = [GA, GB, GC, GD]


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


BOUNDARIES = {
    GA: _rectangle(104.00, 30.50, 104.01, 30.51),
    GB: _rectangle(104.01, 30.50, 104.02, 30.51),  # shares GA's east side
    GC: _rectangle(103.99, 30.49, 104.00, 30.50),  # touches GA at (104.00, 30.50) only
    GD: _rectangle(104.10, 30.60, 104.11, 30.61),  # elsewhere, in the other community
}

FIRST_DAY = D(2025, 3, 3)  # Monday; day_index 0
LAST_DAY = D(2025, 7, 23)  # Wednesday: the last case step
BURST_DAYS = [D(2025, 7, 7), D(2025, 7, 8), D(2025, 7, 9), D(2025, 7, 10)]
BURST_SERIES = [(GA, "环境卫生"), (GA, "城市管理"), (GB, "环境卫生"), (GC, "环境卫生")]
SUBCATEGORY = {"环境卫生": "垃圾堆放", "城市管理": "占道经营", "安全隐患": "消防隐患", "民生服务": "证明办理"}
HISTORY_DURATIONS = [0] * 20 + [1] * 12 + [2] * 3 + [4] * 5  # working days to close, all accepted 3 March
HISTORY_CLOSED_ON = {0: D(2025, 3, 3), 1: D(2025, 3, 4), 2: D(2025, 3, 5), 4: D(2025, 3, 7)}
REPEAT_PLACE = "锦江路5号"
REGISTERS = {"2025-05": {GA: 100, GB: 50, GC: 30}, "2025-06": {GA: 140, GB: 55, GC: 45}}
REGISTER_RECEIVED = {"2025-05": T(2025, 5, 20, 10, 0), "2025-06": T(2025, 6, 23, 10, 0)}


@dataclass
class Case:
    case_id: str
    grid: str
    category: str
    level: int
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    description: str = "（描述）"
    extra_steps: list = field(default_factory=list)

    @property
    def accepted_at(self) -> dt.datetime:
        return self.reported_at + dt.timedelta(minutes=30)


def _same_day(case_id: str, grid: str, category: str, day: dt.date, hour: int = 9, description: str = "（描述）") -> Case:
    return Case(case_id, grid, category, 1, T.combine(day, dt.time(hour, 0)), T.combine(day, dt.time(16, 0)),
                description)


def _days(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    return [first + dt.timedelta(n) for n in range(0, (last - first).days + 1, step)]


def cases() -> list[Case]:
    out: list[Case] = []
    # time-to-close history: 安全隐患 level 3 in GD, accepted Monday 3 March at 9:30
    for n, duration in enumerate(HISTORY_DURATIONS):
        out.append(Case(f"H{n:02d}", GD, "安全隐患", 3, T(2025, 3, 3, 9, 0),
                        T.combine(HISTORY_CLOSED_ON[duration], dt.time(15, 0))))
    # sparse baselines: Wednesdays from 5 March (GB every other week), Saturdays in GD from 8 March
    for day in _days(D(2025, 3, 5), LAST_DAY, 7):
        out.append(_same_day(f"A{day:%m%d}", GA, "环境卫生", day))
        out.append(_same_day(f"M{day:%m%d}", GA, "城市管理", day))
        out.append(_same_day(f"C{day:%m%d}", GC, "环境卫生", day))
    for day in _days(D(2025, 3, 5), LAST_DAY, 14):
        out.append(_same_day(f"B{day:%m%d}", GB, "环境卫生", day))
    for day in _days(D(2025, 3, 8), LAST_DAY, 7):
        out.append(_same_day(f"D{day:%m%d}", GD, "环境卫生", day))
    # the bursts: two extra cases a day, 7–10 July
    for grid, category in BURST_SERIES:
        for day in BURST_DAYS:
            for n in (1, 2):
                out.append(_same_day(f"X{grid[-4:]}{category}{day:%m%d}{n}", grid, category, day, hour=10 + n))
    # stalled grid GD: two cases open 9–18 June
    for name in ("S1", "S2"):
        out.append(Case(name, GD, "安全隐患", 3, T(2025, 6, 9, 9, 0), T(2025, 6, 18, 15, 0)))
    # deadline risk after the censoring: T1 in GB, open 17–20 June
    out.append(Case("T1", GB, "安全隐患", 3, T(2025, 6, 17, 9, 0), T(2025, 6, 20, 15, 0)))
    # a repeat at 锦江路5号
    out.append(_same_day("R1", GB, "民生服务", D(2025, 6, 5), description=f"{REPEAT_PLACE}门口垃圾桶破损"))
    out.append(_same_day("R2", GB, "民生服务", D(2025, 6, 17), description=f"{REPEAT_PLACE}楼下垃圾桶又坏了"))
    # GB's first 城市管理 case, on the last day: a series nobody knew of during GA's 城市管理 burst
    out.append(_same_day("L1", GB, "城市管理", LAST_DAY))
    return out


def case_steps(items: list[Case]) -> pl.DataFrame:
    """The step log of the cases, with the columns of fixture.case_frame."""
    rows = []
    for case in items:
        steps = [(case.reported_at, "上报"), (case.accepted_at, "受理")]
        if case.closed_at is not None:
            steps += [(case.closed_at - dt.timedelta(minutes=30), "处置"), (case.closed_at, "结案")]
        for at, action in steps:
            rows.append({"case_id": case.case_id, "step_at": at, "action": action, "actor_name": "李*",
                         "actor_role": "社区", "handling_level": case.level, "category": case.category,
                         "subcategory": SUBCATEGORY[case.category], "work_type": "一般", "channel": "网格员巡查",
                         "grid_code": case.grid, "description": case.description, "satisfaction": None})
    return pl.DataFrame(rows, schema_overrides={"handling_level": pl.Int64, "step_at": pl.Datetime("us"),
                                                "satisfaction": pl.String})


def write_grids(lake: Path) -> list[dict]:
    rows = [(grid, f"网格{grid[-5:]}", grid[:12], "常规", 100, 300, f"0{n}", None, D(2025, 1, 1))
            for n, grid in enumerate(GRIDS, start=1)]
    frame = pl.DataFrame(rows, schema=list(GRID_COLUMNS), orient="row", schema_overrides={
        "household_count": pl.Int64, "resident_count": pl.Int64, "valid_from": pl.Date, "backup_worker_id": pl.String})
    frame = frame.with_columns(
        pl.when(pl.col("community_code") == C1).then(pl.lit("通济桥街社区")).otherwise(pl.lit("菜蔬街社区")).alias("community_name"),
        pl.lit("王*").alias("grid_chief_name"), pl.format("网格员{}", pl.col("worker_id")).alias("worker_name"),
        pl.col("grid_code").replace_strict(BOUNDARIES).alias("boundary_wkt"))
    month = "2025-03"
    source = f"grids/华阳街道网格台账_{month}.xlsx"
    frame = _stamp(frame, source, month)
    _write(frame, lake / "grids" / f"month={month}" / f"{STREET}.parquet")
    return [_ledger_row(source, frame["file_hash"][0], "grids", None, month, STREET, T(2025, 3, 1), "landed", frame.height)]


def write_population(lake: Path) -> list[dict]:
    ledger = []
    for month, residents in REGISTERS.items():
        rows = [(f"{grid[-3:]}-{n}", grid, "在住", "户籍", str(n // 20 + 1), "1", f"{n % 20 + 101}", None)
                for grid, count in residents.items() for n in range(count)]
        frame = pl.DataFrame(rows, schema=["person_id", "grid_code", "residence_status", "registration_type",
                                           "building", "unit", "room", "tags"], orient="row",
                             schema_overrides={"tags": pl.String})
        frame = frame.with_columns(
            pl.lit("18").alias("id_kind"), pl.lit(C1).alias("community_code"), pl.lit("张*").alias("name"),
            pl.lit("女").alias("sex"), pl.lit(D(1960, 1, 1)).alias("birth_date"), pl.lit("510116").alias("region_code"),
            pl.lit("汉族").alias("ethnicity"), pl.lit("本人").alias("relation_to_head"),
            pl.lit(None, dtype=pl.String).alias("phone"), pl.lit(D(2020, 1, 1)).alias("registered_date"),
            pl.lit(D(2025, 1, 1)).alias("updated_date"))
        source = f"population/{month}/{C1}_实有人口_{month}.xlsx"
        frame = _stamp(frame, source, month)
        _write(frame, lake / "population" / f"month={month}" / f"{C1}.parquet")
        ledger.append(_ledger_row(source, frame["file_hash"][0], "population", C1, month, C1,
                                  REGISTER_RECEIVED[month], "landed", frame.height))
    return ledger


def write_cases(lake: Path, items: list[Case]) -> list[dict]:
    frame = case_steps(items).with_columns(pl.col("step_at").dt.date().alias("day"))
    return [write_case_day(lake, day, part.drop("day"))
            for (day,), part in frame.sort("step_at").group_by("day", maintain_order=True)]


def write_patrols(lake: Path) -> list[dict]:
    """One patrol (the source needs a part to read); no warning reads patrols."""
    start = T(2025, 3, 3, 8, 30)
    frame = pl.DataFrame([{
        "record_id": "XC1", "worker_id": "01", "grid_code": GA, "started_at": start,
        "ended_at": start + dt.timedelta(minutes=90), "patrol_type": "巡查", "households_visited": 0,
        "key_persons_visited": 0, "reported_case_ids": None, "log_text": None, "community_code": C1}],
        schema_overrides={"households_visited": pl.Int64, "key_persons_visited": pl.Int64, "started_at": pl.Datetime("us"),
                          "ended_at": pl.Datetime("us"), "reported_case_ids": pl.String, "log_text": pl.String})
    source = f"patrols/2025-03/{C1}_巡查走访_2025-03.csv"
    frame = _stamp(frame, source, "2025-03")
    _write(frame, lake / "patrols" / "month=2025-03" / f"{C1}.parquet")
    return [_ledger_row(source, frame["file_hash"][0], "patrols", C1, "2025-03", C1, T(2025, 3, 28), "landed", 1)]


def new_warning_warehouse(root: Path) -> tuple[Warehouse, list[Case]]:
    """The data folder of the warning lake under `root`, not yet built, and its cases."""
    paths = Paths(raw=root / "raw", data=root / "data")
    lake = paths.lake
    items = cases()
    ledger = write_grids(lake) + write_population(lake) + write_cases(lake, items) + write_patrols(lake)
    write_hotline_anchor(lake)
    write_ledger(lake, ledger)
    write_calendar(lake)
    return Warehouse(paths), items
