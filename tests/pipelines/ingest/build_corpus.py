"""Write the ingest test corpus (`corpus/`): small odd or bad files, each a documented case.

Run `python -m tests.pipelines.ingest.build_corpus` to rebuild; the files are committed so that a
reader can open them. `cases.yaml` says what each file is and the exact outcome ingest must give.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).parent / "corpus"
CREATED = dt.datetime(2025, 1, 1)
COMMUNITY = "通济桥街社区"
G1, G2 = "510116003001001", "510116003001002"
G3 = "510116003004001"  # 菜蔬街社区: a second community, for files that cover several

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(base17: str) -> str:
    return base17 + "10X98765432"[sum(int(c) * w for c, w in zip(base17, WEIGHTS)) % 11]


P1 = make_id("51011619800101001")   # male, 1980-01-01
P2 = make_id("51011619851231002")   # female
P3 = make_id("42010619900515003")   # from Wuhan (流动)
HEADER = ["序号", "姓名", "公民身份号码", "性别", "户籍类型", "所属网格", "楼栋", "单元", "房号", "居住状态",
          "人员标签", "联系电话", "登记日期"]


def rows(ids=(P1, P2, P3), date="2025-03-05"):
    return [[1, "张三", ids[0], "男", "户籍", G1, "1", "2", "0301", "在住", "独居老人、低保", "13812345678", date],
            [2, "李四", ids[1], "女", "户籍", G1, "1", "2", "0302", "在住", "", "", date],
            [3, "王五", ids[2], "男", "流动", G2, "3", "1", "1101", "外出", "", "15900001111", date]]


def xlsx(name: str, sheets: list[tuple[str, list[list]]], merges=()) -> None:
    wb = xlsxwriter.Workbook(HERE / name)
    wb.set_properties({"created": CREATED})
    for sheet_name, data in sheets:
        ws = wb.add_worksheet(sheet_name)
        for r, row in enumerate(data):
            for c, value in enumerate(row or []):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif value is not None and value != "":
                    ws.write(r, c, value)
        for m in merges if sheet_name == sheets[-1][0] else ():
            ws.merge_range(*m)
    wb.close()


def title(month="2025年3月", community=COMMUNITY):
    return [f"华阳街道{community}实有人口台账（{month}）"]


def csv(name: str, data: list[list], encoding: str) -> None:
    text = "\n".join(",".join(str(v) for v in row) for row in data) + "\n"
    (HERE / name).write_bytes(text.encode(encoding))


def build() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for old in HERE.iterdir():  # every file but the documented outcomes is written anew
        if old.name != "cases.yaml":
            old.unlink()
    xlsx("grids.xlsx", [("网格台账", [["华阳街道网格台账（2025年1月）"],
                                      ["网格编码", "网格名称", "社区代码", "网格类型", "户数", "网格员工号", "生效日期"],
                                      [G1, "第1网格", "510116003001", "常规", 400, "01001", "2025-01-01"],
                                      [G2, "第2网格", "510116003001", "常规", 350, "01002", "2025-01-01"],
                                      [G3, "第1网格", "510116003004", "常规", 380, "04001", "2025-01-01"]])])
    xlsx("title_rows.xlsx", [("台账", [title(), ["填报单位：通济桥街社区　　填报日期：2025年3月20日"], HEADER, *rows()])])
    merged = [[None] * 13, [None] * 13, *rows()]
    for i, h in enumerate(HEADER):
        merged[0][i] = "居住地址" if h == "楼栋" else (None if h in ("单元", "房号") else h)
        merged[1][i] = h if h in ("楼栋", "单元", "房号") else None
    xlsx("merged_header.xlsx", [("台账", [title(), *merged])], merges=[(1, 6, 1, 8, "居住地址")])
    aliases = ["序号", "姓名", "证件号码", "性别", "人口类型", "网格编号", "幢", "单元", "门牌号", "状态",
               "特殊人群", "手机号", "采集日期"]
    xlsx("header_aliases.xlsx", [("台账", [title(), aliases, *rows()])])
    csv("通济桥街社区_实有人口_2025-03_gbk.csv", [HEADER, *rows()], "gbk")
    csv("通济桥街社区_实有人口_2025-03_gb18030.csv", [HEADER, *rows()], "gb18030")
    csv("通济桥街社区_实有人口_2025-03_bom.csv", [HEADER, *rows()], "utf-8-sig")
    serial = rows(date=45721)
    serial[1][-1] = dt.date(2025, 3, 5)
    xlsx("excel_serial_dates.xlsx", [("台账", [title(), HEADER, *serial])])
    spelled = rows()
    for row, text in zip(spelled, ["2025年3月5日", "2025/3/5", "20250305"]):
        row[-1] = text
    xlsx("chinese_dates.xlsx", [("台账", [title(), HEADER, *spelled])])
    xlsx("totals_row.xlsx", [("台账", [title(), HEADER, *rows(), [], ["合计", 3]])])
    xlsx("several_sheets.xlsx", [("填表说明", [["填表说明"], ["1. 身份证号请填写18位"]]),
                                 ("统计", [["类别", "人数"], ["户籍", 2]]),
                                 ("台账", [title(), HEADER, *rows()])])
    gaps = rows()
    xlsx("blank_rows.xlsx", [("台账", [title(), HEADER, gaps[0], [], gaps[1], [], [], gaps[2]])])
    wide = rows()
    wide[0][8] = "０３０１"
    xlsx("full_width.xlsx", [("台账", [title(), [" 序号", "姓　名", "公民身份号码 ", *HEADER[3:]], *wide])])
    xlsx("empty_register.xlsx", [("台账", [title(), HEADER])])
    (HERE / "zero_bytes_2025-03.csv").write_bytes(b"")
    (HERE / "人口台账说明.docx").write_bytes(b"PK\x03\x04 this is a Word document, not a register")
    no_id = [[v for i, v in enumerate(r) if i != 2] for r in [HEADER, *rows()]]
    xlsx("missing_id_column.xlsx", [("台账", [title(), *no_id])])
    xlsx("corrupt_source.xlsx", [("台账", [title(), HEADER, *rows()])])
    data = (HERE / "corrupt_source.xlsx").read_bytes()
    (HERE / "corrupt_source.xlsx").unlink()
    (HERE / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    dup = rows()
    xlsx("duplicate_rows.xlsx", [("台账", [title(), HEADER, dup[0], dup[1], dup[1], dup[2]])])
    bad = rows(ids=(P1, P2[:-1] + ("0" if P2[-1] != "0" else "1"), P3))
    xlsx("bad_checksum.xlsx", [("台账", [title(), HEADER, *bad])])
    old = rows(ids=(P1[:6] + P1[8:17], P2, P3))
    xlsx("id_15_digits.xlsx", [("台账", [title(), HEADER, *old])])
    unknown = rows()
    unknown[2][5] = "510116003001099"
    xlsx("unknown_grid.xlsx", [("台账", [title(), HEADER, *unknown])])
    future = rows()
    future[1][-1] = "2025-04-02"
    xlsx("future_date.xlsx", [("台账", [title(), HEADER, *future])])
    blank_name = rows()
    blank_name[1][1] = ""
    xlsx("missing_name.xlsx", [("台账", [title(), HEADER, *blank_name])])
    odd_value = rows()
    odd_value[2][4] = "未知"
    xlsx("invalid_registration_type.xlsx", [("台账", [title(), HEADER, *odd_value])])
    xlsx("台账.xlsx", [("台账", [HEADER, *rows()])])
    xlsx("no_community_in_title.xlsx", [("台账", [["实有人口台账（2025年3月）"], HEADER, *rows()])])
    patrol = ["记录编号", "网格员工号", "网格编码", "开始时间", "结束时间", "巡查类型", "走访户数", "重点人员走访数",
              "上报事件编号", "民情日志"]
    csv("通济桥街社区_巡查走访_202503.csv", [patrol,
        ["XC1", "01001", G1, "2025-03-05 08:30", "2025-03-05 09:30", "巡查", 0, 0, "", "道路通畅"],
        ["XC2", "01001", G1, "2025-03-05 10:30", "2025-03-05 11:00", "入户走访", "五户", 0, "", "走访独居老人"],
        ["XC3", "01002", G2, "2025-03-05 15:00", "2025-03-05 14:00", "巡查", 0, 0, "", "电话13812345678"]], "utf-8")
    lines = [
        f'{{"case_id":"HY202503050001","time":"2025-03-05 09:00:00","action":"上报","level":1,"grid_code":"{G1}",'
        '"description":"联系电话13900001111"}',
        f'{{"case_id":"HY202503050001","time":"2025-03-05 09:10:00","action":"受理","level":1,"grid_code":"{G1}"}}',
        f'{{"事件编号":"HY202503050002","时间":"2025/03/05 10:00:00","环节":"上报","处置层级":2,"网格编码":"{G2}"}}',
        '{"case_id":"HY202503050003","time":"2025-03-0',
        "",
        f'{{"case_id":"HY202503050004","time":"2099-03-06 10:00:00","action":"上报","level":1,"grid_code":"{G1}"}}',
    ]
    (HERE / "事件流转_20250305.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    intake()


PATROL = ["记录编号", "网格员工号", "网格编码", "开始时间", "结束时间", "巡查类型", "走访户数", "重点人员走访数",
          "上报事件编号", "民情日志"]


def patrol(record: str, grid: str, start: str, minutes: int = 40, kind: str = "巡查") -> list:
    begin = dt.datetime.fromisoformat(start)
    end = begin + dt.timedelta(minutes=minutes)
    return [record, "01001", grid, f"{begin:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", kind, 0, 0, "", "道路通畅"]


def step(case: str, at: str, action: str, grid: str, time_key: str = "time") -> str:
    return (f'{{"case_id":"{case}","{time_key}":"{at}","action":"{action}","level":1,"grid_code":"{grid}"}}')


def jsonl(name: str, lines: list[str]) -> None:
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def intake() -> None:
    """Forms other systems export, which the demo generator never writes (DESIGN.md §3)."""
    # a case export over two months (its name gives the first): every step lands in its own month
    jsonl("事件导出_2025年3月-4月.jsonl", [
        step("HY0301", "2025-03-30 09:00:00", "上报", G1), step("HY0301", "2025-03-30 09:20:00", "受理", G1),
        step("HY0301", "2025-04-01 10:00:00", "结案", G1), step("HY0402", "2025-04-15 08:00:00", "上报", G3)])
    # two exports of the same system whose ranges overlap: the later one repeats two steps of the first
    jsonl("事件导出_20250301-20250310.jsonl", [
        step("HY0303", "2025-03-03 09:00:00", "上报", G1), step("HY0303", "2025-03-03 09:30:00", "受理", G1),
        step("HY0308", "2025-03-08 14:00:00", "上报", G2)])
    jsonl("事件导出_20250305-20250315.jsonl", [
        step("HY0303", "2025-03-03 09:30:00", "受理", G1), step("HY0308", "2025-03-08 14:00:00", "上报", G2),
        step("HY0308", "2025-03-12 11:00:00", "结案", G2)])
    # a street-wide patrol export: no community in title or name, each row's grid places it
    csv("华阳街道巡查走访导出_2025-03.csv", [PATROL, patrol("XC31", G1, "2025-03-02 08:30"),
                                          patrol("XC32", G2, "2025-03-02 09:30"), patrol("XC33", G3, "2025-03-03 10:00"),
                                          patrol("XC34", "510116003004099", "2025-03-03 11:00")], "utf-8")
    # a street-wide register: two communities' residents in one file
    street = rows()
    street[2][5] = G3
    xlsx("street_register.xlsx", [("台账", [["华阳街道实有人口台账（2025年3月）"], HEADER, *street])])
    # a register without the 居住状态 column: everyone listed lives there
    no_status = [[v for i, v in enumerate(r) if HEADER[i] != "居住状态"] for r in [HEADER, *rows()]]
    xlsx("no_status_column.xlsx", [("台账", [title(), *no_status])])
    # grid types as other systems spell them
    grid_header = ["网格编码", "网格名称", "社区代码", "网格类型", "户数", "网格员工号", "生效日期"]
    spellings = ["专属(学校)", "专属网格-学校", "学校专属网格", "常规网格", "专属（医院）", "特殊网格"]
    xlsx("grid_type_spellings.xlsx", [("网格台账", [["华阳街道网格台账（2025年2月）"], grid_header, *[
        [f"51011600300100{i + 3}", f"第{i + 3}网格", "510116003001", s, 300, f"0100{i + 3}", "2025-02-01"]
        for i, s in enumerate(spellings)]])])
    # a grid table whose third grid has a bad community code; then logs on that grid and on an unknown one
    xlsx("grids_one_bad.xlsx", [("网格台账", [["华阳街道网格台账（2025年2月）"], grid_header,
                                             [G1, "第1网格", "510116003001", "常规", 400, "01001", "2025-02-01"],
                                             [G2, "第2网格", "510116003001", "常规", 350, "01002", "2025-02-01"],
                                             ["510116003001005", "第5网格", "5101160030XX", "常规", 320, "01005",
                                              "2025-02-01"]])])
    csv("通济桥街社区_巡查走访_2025-03_网格.csv", [PATROL, patrol("XC51", G1, "2025-03-04 08:30"),
                                               patrol("XC52", "510116003001005", "2025-03-04 09:30"),
                                               patrol("XC53", "510116003001099", "2025-03-04 10:30")], "utf-8")
    # a patrol log whose rows carry no start time: they are quarantined in the month its name gives
    undated = [patrol("XC61", G1, "2025-03-06 08:30"), patrol("XC62", G1, "2025-03-06 09:30")]
    undated[1][3] = ""
    csv("通济桥街社区_巡查走访_2025-03_无时间.csv", [PATROL, *undated], "utf-8")
    # a case export whose time key is 操作时间, close to the alias 时间 but not one
    jsonl("事件导出_操作时间.jsonl", [step("HY0309", "2025-03-09 09:00:00", "上报", G1, time_key="操作时间")])
    # a patrol export across the turn of a year
    csv("通济桥街社区_巡查走访_跨年.csv", [PATROL, patrol("XC71", G1, "2025-12-31 23:30", minutes=20),
                                         patrol("XC72", G1, "2026-01-01 08:30")], "utf-8")
    # a patrol export of the wrong kind: a text file where a csv was expected
    (HERE / "巡查走访说明.txt").write_text("巡查走访日志请从终端导出CSV后报送。", encoding="utf-8")


if __name__ == "__main__":
    build()
