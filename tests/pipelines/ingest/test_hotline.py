"""The 12345 hotline source (`hotline`): exports written by hand, one per export variant the source accepts, each with
its exact outcome (rows landed and quarantined, values in the lake), and the demo's two layouts."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines.core.settings import Paths
from pipelines.ingest import hotline
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import Ingestor
from tests.pii_scan import scan
from tests.pipelines.ingest.test_odd_forms import _install

CORPUS = Path(__file__).parent / "corpus"
MTIME = 1_760_000_000  # 2025-10-09: after every order's time
MOBILE = "13812345678"
ID_NUMBER = "510116199001011234"  # 18 characters of an ID number's shape (masked whatever its check digit)
CASE_NUMBER = "FZ16082600608"




def _put(paths: Paths, name: str, data: bytes, mtime: int = MTIME) -> Path:
    path = paths.raw / "hotline" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def _csv(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v
    return "\r\n".join(",".join(cell(v) for v in r) for r in [header, *rows]).encode(encoding) + b"\r\n"


def _xlsx(path: Path, sheets: list[tuple[str, list[str | None], list[list], str | None]]) -> None:
    """Sheets of (name, header (None: a blank header cell), rows, title row or None); a float cell is
    written as a date-formatted Excel serial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    date = wb.add_format({"num_format": "yyyy/m/d h:mm:ss"})
    for name, header, rows, title in sheets:
        ws = wb.add_worksheet(name)
        top = 0
        if title:
            ws.merge_range(0, 0, 0, len(header) - 1, title)
            top = 1
        for j, h in enumerate(header):
            ws.write_string(top, j, h) if h else ws.write_blank(top, j, None)
        for i, row in enumerate(rows, start=top + 1):
            for j, v in enumerate(row):
                if isinstance(v, float):
                    ws.write_number(i, j, v, date)
                elif isinstance(v, int):
                    ws.write_number(i, j, v)
                elif v is not None:
                    ws.write_string(i, j, v)
    wb.close()
    os.utime(path, (MTIME, MTIME))


def _run(paths: Paths) -> list[dict]:
    return Ingestor(paths).run()


def _lake(paths: Paths, root: str = "lake") -> pl.DataFrame:
    files = sorted((getattr(paths, root) / "hotline").glob("month=2*/*.parquet"))
    if not files:
        return pl.DataFrame()
    frame = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
    return frame.sort("order_id" if root == "lake" else "source_row")


def _entry(paths: Paths, name: str) -> dict:
    return {r["file_path"]: r for r in read_ledger(paths.ledger).to_dicts()}[f"hotline/{name}"]


def _months(paths: Paths) -> list[str]:
    return sorted(p.name for p in (paths.lake / "hotline").glob("month=2*"))


WEB = ["留言编号", "留言时间", "留言主题", "留言详情", "信息来源", "性质", "状态", "回复", "办结时间", "回访结果", "匿名"]


def test_headers_with_inner_spaces_and_line_breaks_and_a_blank_header_cell(tmp_path):
    paths = _install(tmp_path)
    header = ["工单\n编号", "受理 时间", "标　题", "诉求\n内容", None, "来源 渠道"]
    rows = [["GD001", "2025-03-05 09:30:00", "停水", "小区停水", "备注不入库", "电话"],
            ["GD002", "2025-03-06 10:00:00", "噪音", "工地夜间施工", None, "APP"]]
    _xlsx(paths.raw / "hotline" / "12345工单_2025年3月.xlsx", [("Sheet1", header, rows, None)])
    [_, out] = _run(paths)
    assert (out["status"], out["rows_landed"], out["rows_quarantined"]) == ("landed", 2, 0)
    lake = _lake(paths)
    assert lake["order_id"].to_list() == ["GD001", "GD002"]
    assert lake["title"].to_list() == ["停水", "噪音"]
    assert lake["channel"].to_list() == ["电话", "APP"]
    assert "备注不入库" not in str(lake.to_dicts())
    assert _months(paths) == ["month=2025-03"]


def test_english_web_names(tmp_path):
    paths = _install(tmp_path)
    data = _csv(["id", "subject", "dateline", "content", "stateInfo", "reply"],
                [["W1", "路灯不亮", "2025-04-01 08:00:00", "路灯坏了", "已回复", "已维修"],
                 ["W2", "占道经营", "2025-04-02 18:15", "摊贩占道", "处理中", ""]])
    _put(paths, "web_export.csv", data)
    [_, out] = _run(paths)
    assert (out["rows_landed"], out["rows_quarantined"]) == (2, 0)
    lake = _lake(paths)
    assert lake.select("order_id", "title", "status", "reply").rows() == [
        ("W1", "路灯不亮", "已回复", "已维修"), ("W2", "占道经营", "处理中", None)]
    assert lake["received_at"].dt.strftime("%Y-%m-%d %H:%M").to_list() == ["2025-04-01 08:00", "2025-04-02 18:15"]


def test_every_sheet_with_orders_is_read_under_its_own_header(tmp_path):
    """Three sheets: one per month with different header spellings, one with a title row and a 序号
    column, and a notes sheet that holds no orders."""
    paths = _install(tmp_path)
    jan = ("2025年1月", ["工单编号", "来电时间", "标题", "诉求内容", "诉求类型"],
           [["A1", "2025-01-10 08:00:00", "停水", "停水三天", "投诉"], ["A2", "2025-01-11 08:00:00", "燃气", "停气", "咨询件"]], None)
    feb = ("2月", ["序号", "诉求编号", "受理时间", "诉求标题", "来电内容", "性质"],
           [[1, "B1", "2025-02-01 09:00:00", "噪音", "广场舞", "建议"], [2, "B2", "2025-02-02 09:00:00", "停车", "乱停", "举报"],
            [3, "B3", "2025/2/28 11:25:05", "垃圾", "未清运", "求助"]], "12345市民服务热线工单明细（2月）")
    notes = ("说明", ["说明"], [["本表由12345平台导出"]], None)
    _xlsx(paths.raw / "hotline" / "12345工单明细_2025年第1季度.xlsx", [jan, feb, notes])
    [_, out] = _run(paths)
    assert (out["rows_read"], out["rows_landed"], out["rows_quarantined"]) == (5, 5, 0)
    assert out["sheet"] == "2025年1月、2月"
    lake = _lake(paths)
    assert lake.select("order_id", "source_sheet", "source_row", "order_type").rows() == [
        ("A1", "2025年1月", 2, "投诉"), ("A2", "2025年1月", 3, "咨询"),
        ("B1", "2月", 3, "建议"), ("B2", "2月", 4, "举报"), ("B3", "2月", 5, "求助")]
    assert _months(paths) == ["month=2025-01", "month=2025-02"]


def test_excel_serials_and_text_dates_mixed_in_one_column(tmp_path):
    paths = _install(tmp_path)
    rows = [["S1", 45716.4757523148, "a"],  # a date-formatted Excel serial: 2025-02-28 11:25:05
            ["S2", "2019/2/28 11:25:05", "b"],
            ["S3", "45717.5", "c"],  # a serial typed as text: 2025-03-01 12:00
            ["S4", "2025-03-02T08:30:00", "d"],
            ["S5", "上周五", "e"]]  # fits no spelling
    _xlsx(paths.raw / "hotline" / "mixed.xlsx", [("工单", ["工单编号", "受理时间", "标题"], rows, None)])
    [_, out] = _run(paths)
    assert (out["rows_landed"], out["rows_quarantined"]) == (4, 1)
    lake = _lake(paths)
    assert lake["received_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_list() == [
        "2025-02-28 11:25:05", "2019-02-28 11:25:05", "2025-03-01 12:00:00", "2025-03-02 08:30:00"]
    assert _months(paths) == ["month=2019-02", "month=2025-02", "month=2025-03"]
    bad = _lake(paths, "quarantine")
    assert bad.select("source_row", "field", "value", "reason_code").rows() == [(6, "received_at", "上周五", "invalid_date")]
    assert bad["reason"].to_list() == ["日期无法识别"]


def test_a_slash_date_with_the_year_last_is_month_first(tmp_path):
    paths = _install(tmp_path)
    data = _csv(["留言编号", "留言时间", "留言主题"],
                [["M1", "02/03/2025 14:05", "a"],  # 3 February, not 2 March
                 ["M2", "12/31/2024 23:59", "b"],
                 ["M3", "28/02/2025 10:00", "c"]])  # day first: month 28 does not exist
    _put(paths, "us.csv", data)
    [_, out] = _run(paths)
    assert (out["rows_landed"], out["rows_quarantined"]) == (2, 1)
    lake = _lake(paths)
    assert lake["received_at"].dt.strftime("%Y-%m-%d %H:%M").to_list() == ["2025-02-03 14:05", "2024-12-31 23:59"]
    assert _lake(paths, "quarantine").select("value", "reason_code").rows() == [("28/02/2025 10:00", "invalid_date")]


def test_a_gbk_csv_with_multi_line_cells_and_leading_blanks(tmp_path):
    paths = _install(tmp_path)
    rows = [["G1", "2025-05-01 10:00:00", "停水", "\n\t反映：\n小区停水两天", "网页", "投诉", "已办结", "　　已恢复供水", "",
             "未回访", "匿名"],
            ["G2", "05/02/2025 11:00", "噪音", "\u3000\u3000工地夜间施工，\r\n影响休息", "微信公众号", "投诉件", "办理中", "", "",
             "满意", "实名"]]
    _put(paths, "网络理政留言_2025-05.csv", _csv(WEB, rows, "gbk"))
    [_, out] = _run(paths)
    assert (out["rows_landed"], out["rows_quarantined"]) == (2, 0)
    lake = _lake(paths)
    assert lake["content"].to_list() == ["反映：\n小区停水两天", "工地夜间施工，\r\n影响休息"]
    assert lake["reply"].to_list() == ["已恢复供水", None]
    assert lake["channel"].to_list() == ["网站", "微信"]
    assert lake["order_type"].to_list() == ["投诉", "投诉"]
    assert lake["status"].to_list() == ["已办结", "处理中"]
    assert lake["satisfaction"].to_list() == [None, "满意"]
    assert lake["received_at"].dt.strftime("%Y-%m-%d %H:%M").to_list() == ["2025-05-01 10:00", "2025-05-02 11:00"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding(tmp_path, encoding):
    paths = _install(tmp_path)
    _put(paths, "orders.csv", _csv(["工单编号", "来电时间", "标题"], [["E1", "2025-06-01 09:00:00", "华阳街道停水"]], encoding))
    [_, out] = _run(paths)
    assert out["rows_landed"] == 1
    assert _lake(paths)["title"].to_list() == ["华阳街道停水"]


def test_numbers_in_text_next_to_case_numbers_and_pre_masked_numbers(tmp_path):
    paths = _install(tmp_path)
    content = (f"来电人陈先生，电话{MOBILE}，身份证{ID_NUMBER}，座机028-85123456；"
               f"关联事件{CASE_NUMBER}，前次工单20250301000123456789；平台已隐去号码0000-00000000和138****5678。")
    reply = f"已电话联系张女士（１３９１２３４５６７８），事件{CASE_NUMBER}已结案。"
    _put(paths, "pii.csv", _csv(["工单编号", "来电时间", "标题", "诉求内容", "答复意见"],
                                [["P1", "2025-07-01 09:00:00", f"{MOBILE}反映停水", content, reply]]))
    [_, out] = _run(paths)
    assert out["rows_landed"] == 1
    row = _lake(paths).row(0, named=True)
    assert row["title"] == "[电话]反映停水"
    assert row["content"] == ("来电人某先生，电话[电话]，身份证[身份证号]，座机[电话]；"
                              f"关联事件{CASE_NUMBER}，前次工单20250301000123456789；平台已隐去号码0000-00000000和138****5678。")
    assert row["reply"] == f"已电话联系某女士（[电话]），事件{CASE_NUMBER}已结案。"
    assert scan(paths.data)[0] == []


def test_anonymity_keeps_no_name_and_a_caller_name_column_is_never_read(tmp_path):
    paths = _install(tmp_path)
    rows = [["N1", "2025-08-01 09:00:00", "匿名", "王建国", MOBILE], ["N2", "2025-08-01 10:00:00", "陈先生", "陈建华", MOBILE],
            ["N3", "2025-08-01 11:00:00", "是", "", ""], ["N4", "2025-08-01 12:00:00", "否", "李四", ""],
            ["N5", "2025-08-01 13:00:00", "", "", ""]]
    _put(paths, "anon.csv", _csv(["工单编号", "来电时间", "是否匿名", "来电人", "联系电话"], rows))
    [_, out] = _run(paths)
    assert out["rows_landed"] == 5
    lake = _lake(paths)
    assert lake["anonymity"].to_list() == ["匿名", "实名", "匿名", "实名", None]
    text = str(lake.to_dicts())
    assert not any(v in text for v in ("王建国", "陈先生", "陈建华", "李四", MOBILE))
    assert {"caller_name", "来电人", "phone"}.isdisjoint(lake.columns)


def test_placement_columns_and_version_are_in_the_lake(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "one.csv", _csv(["工单编号", "来电时间", "标题"], [["V1", "2025-03-01 09:00:00", "停水"]]))
    _run(paths)
    lake = _lake(paths)
    assert set(hotline.PLACE_COLUMNS) | {"row_version", "source_file", "file_hash", "slice_key"} <= set(lake.columns)
    assert lake["slice_key"].to_list() == ["510116003"]
    assert lake.select("street_code", "community_code", "grid_code", "place_method").row(0) == (None, None, None, "none")
    assert lake["row_version"].str.contains(r"^[0-9a-f]{16}$").all()


def test_an_identical_row_re_exported_is_already_landed_and_a_changed_version_lands(tmp_path):
    paths = _install(tmp_path)
    header = ["工单编号", "来电时间", "标题", "处理状态", "答复意见"]
    first = [["R1", "2025-03-01 09:00:00", "停水", "处理中", ""], ["R2", "2025-03-02 09:00:00", "噪音", "处理中", ""]]
    _put(paths, "export_0305.csv", _csv(header, first), mtime=MTIME)
    _run(paths)
    second = [["R1", "2025-03-01 09:00:00", "停水", "处理中", ""],  # the same row again
              ["R2", "2025-03-02 09:00:00", "噪音", "已办结", "已协调施工方停工"],  # a newer version
              ["R3", "2025-04-01 09:00:00", "垃圾", "处理中", ""]]
    _put(paths, "export_0405.csv", _csv(header, second), mtime=MTIME + 60)
    [out] = _run(paths)
    assert (out["rows_landed"], out["rows_already_landed"], out["rows_quarantined"]) == (2, 1, 0)
    lake = _lake(paths).sort("order_id", "source_file")
    assert lake.select("order_id", "status", "source_file").rows() == [
        ("R1", "处理中", "hotline/export_0305.csv"), ("R2", "处理中", "hotline/export_0305.csv"),
        ("R2", "已办结", "hotline/export_0405.csv"), ("R3", "处理中", "hotline/export_0405.csv")]
    assert lake.filter(pl.col("order_id") == "R2")["row_version"].n_unique() == 2
    [again] = Ingestor(paths).run(force=True, sources=("hotline",))[-1:]  # read again: the same rows, no more
    assert _lake(paths).height == 4 and again["rows_landed"] + again["rows_already_landed"] == 3


def test_a_file_without_the_received_time_is_rejected(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "no_time.csv", _csv(["工单编号", "标题", "诉求内容"], [["X1", "停水", "停水"]]))
    [_, out] = _run(paths)
    assert (out["status"], out["reject_code"]) == ("rejected", "missing_column")
    assert "受理时间" in out["message"]


def test_an_order_without_its_number_or_time_is_quarantined(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "holes.csv", _csv(["工单编号", "来电时间", "标题"],
                                  [["", "2025-03-01 09:00:00", "a"], ["H2", "", "b"], ["H3", "2025-03-01 10:00:00", "c"]]))
    [_, out] = _run(paths)
    assert (out["rows_landed"], out["rows_quarantined"]) == (1, 2)
    assert _lake(paths, "quarantine").select("field", "reason_code").rows() == [
        ("order_id", "missing_required"), ("received_at", "missing_required")]


def test_the_demo_exports_land_every_order_once_with_no_personal_number(tmp_path):
    from demo.hotline import write_hotline

    paths = _install(tmp_path)
    write_hotline(paths.raw, tmp_path / "truth", seed=7, year=2025, months=2)
    truth = pl.read_parquet(tmp_path / "truth" / "hotline_truth.parquet")
    outcomes = [o for o in _run(paths) if o["source"] == "hotline"]
    assert {o["status"] for o in outcomes} == {"landed"}
    assert sum(o["rows_quarantined"] for o in outcomes) == 0
    lake = _lake(paths)
    assert lake.height == truth.height
    assert sorted(lake["order_id"].to_list()) == sorted(truth["order_id"].to_list())
    assert _months(paths) == ["month=2025-01", "month=2025-02"]
    joined = lake.join(truth.rename(lambda c: f"true_{c}"), left_on="order_id", right_on="true_order_id")
    # the web platform's MM/DD/YYYY HH:MM drops the seconds
    assert (joined["received_at"].dt.truncate("1m") == joined["true_received_at"].dt.truncate("1m")).all()
    assert (joined["channel"] == joined["true_channel"].str.replace("app", "APP")).all()
    assert (joined["status"] == joined["true_status"]).all()
    assert (joined["order_type"] == joined["true_order_type"]).all()
    assert (joined["satisfaction"].fill_null("") == joined["true_satisfaction"].fill_null("").str.replace("未回访", "")).all()
    assert joined["anonymity"].to_list() == ["匿名" if a else "实名" for a in joined["true_anonymous"]]
    text = "\n".join(str(v) for v in lake.select(pl.col(pl.String)).to_dicts())
    numbers = {n for ns in truth["personal_numbers"].to_list() for n in ns}
    assert numbers and not [n for n in numbers if n in text]
    assert not [n for n in truth["caller_name"].drop_nulls().to_list() if n and n in text]
    assert scan(paths.data)[0] == []


def test_gridpulse_check_reads_a_hotline_file_as_a_run_would_and_writes_nothing(tmp_path):
    from pipelines.ingest.check import check_files

    paths = _install(tmp_path)
    _run(paths)
    path = tmp_path / "export.csv"
    path.write_bytes(_csv(["留言编号", "留言时间", "留言主题"], [["C1", "2025-03-01 09:00", "a"], ["C2", "31/12/2025 09:00", "b"]]))
    [result] = check_files(paths, [path], "hotline")
    [guessed] = check_files(paths, [path])
    assert result["source"] == guessed["source"] == "hotline"
    assert (result["status"], result["rows_landed"], result["rows_quarantined"], result["months"]) == ("landed", 1, 1, ["2025-03"])
    assert not (paths.lake / "hotline" / "month=2025-03").exists()
