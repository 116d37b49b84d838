"""Acceptance 4: the per-community report for one community and month, checked against the
ledger, the quarantine and the check results."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from pipelines.core import texts
from pipelines.ingest import lake
from quality import report, results
from quality.config import QualityPaths
from tests.quality.conftest import CAISHU

ZHENGDONG = "510116003005"  # 正东街社区: January register corrected once (a superseded file)


def _table(ws, header_first: str) -> pl.DataFrame:
    """The table under the header row whose first cell is `header_first`."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == header_first)
    header = [h for h in rows[start] if h is not None]
    body = [r[:len(header)] for r in rows[start + 1:] if r[0] is not None]
    return pl.DataFrame(body, schema=header, orient="row", infer_schema_length=None)


@pytest.fixture(scope="module")
def workbook(quality_demo):
    """Made by the command data staff run: `gridpulse quality-report 正东街社区 2025-01`."""
    from pipelines.cli.commands import main

    paths = quality_demo.paths
    main(["--raw", str(paths.raw), "--data", str(paths.data), "quality-report", "正东街社区", "2025-01"])
    path = QualityPaths(paths).reports / "2025-01" / f"{ZHENGDONG}_2025-01_数据报送质量反馈.xlsx"
    assert path.exists()
    return openpyxl.load_workbook(path)


def test_the_command_refuses_an_unknown_community_and_a_bad_month(quality_demo, capsys):
    from pipelines.cli.commands import main

    where = ["--raw", str(quality_demo.paths.raw), "--data", str(quality_demo.paths.data)]
    with pytest.raises(SystemExit) as failed:
        main([*where, "quality-report", "不存在社区", "2025-01"])
    assert failed.value.code == 1 and "反馈表未生成" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        main([*where, "quality-report", "正东街社区", "2025-13"])
    assert "格式不对" in str(failed.value.code)


def test_summary_figures_are_the_ledgers(quality_demo, workbook):
    c = texts.REPORT_COLUMNS
    summary = _table(workbook[texts.REPORT["sheet_summary"]], c["month"])
    ledger = lake.read_ledger(quality_demo.paths.ledger).filter(
        (pl.col("community_code") == ZHENGDONG) & (pl.col("report_month") == "2025-01"))
    for source in report.SUBMITTED:
        row = summary.filter(pl.col(c["source"]) == texts.SOURCE_TITLES[source]).row(0, named=True)
        landed = ledger.filter((pl.col("source") == source) & (pl.col("status") == "landed")).row(0, named=True)
        assert (row[c["rows_read"]], row[c["rows_landed"]], row[c["rows_quarantined"]]) == (
            landed["rows_read"], landed["rows_landed"], landed["rows_quarantined"])
        readable = ledger.filter((pl.col("source") == source) & pl.col("status").is_in(["landed", "superseded"]))
        first = readable["received_at"].min()
        assert row[c["first_received_at"]] == first
        if source == "population":
            on_time = first < dt.datetime(2025, 1, 26)
            assert row[c["on_time"]] == (texts.REPORT["on_time"] if on_time else texts.REPORT["late"])


def test_the_months_files_include_the_rejected_one(quality_demo, workbook):
    c = texts.REPORT_COLUMNS
    files = _table(workbook[texts.REPORT["sheet_files"]], c["file_path"])
    ledger = lake.read_ledger(quality_demo.paths.ledger).filter(
        pl.col("file_path").str.contains("2025-01/正东街", literal=True))
    assert sorted(files[c["file_path"]]) == sorted(ledger["file_path"])
    rejected = ledger.filter(pl.col("status") == "rejected")
    assert rejected.height == 1  # the first register lacked its ID column; the correction landed
    shown = files.filter(pl.col(c["status"]) == texts.REPORT["status"]["rejected"])
    assert shown[c["message"]].to_list() == rejected["message"].to_list()
    fixes = _table(workbook[texts.REPORT["sheet_fix"]], c["number"])
    assert any(rejected["message"][0] in issue for issue in fixes[c["issue"]])


def test_quarantine_by_reason_counts_the_quarantined_rows(quality_demo, workbook):
    c = texts.REPORT_COLUMNS
    reasons = _table(workbook[texts.REPORT["sheet_reasons"]], c["source"])
    detail = _table(workbook[texts.REPORT["sheet_quarantine"]], c["source"])
    landed = lake.read_ledger(quality_demo.paths.ledger).filter(
        (pl.col("community_code") == ZHENGDONG) & (pl.col("report_month") == "2025-01")
        & (pl.col("status") == "landed"))
    kept = pl.concat([pl.read_parquet(lake.part_path(quality_demo.paths.quarantine, s, m, k))
                      .filter(pl.col("file_path") == f)
                      for s, m, k, f in landed.select("source", "report_month", "lake_part", "file_path").iter_rows()
                      if lake.part_path(quality_demo.paths.quarantine, s, m, k).exists()])
    assert detail.height == kept.height == landed["rows_quarantined"].sum() > 0
    by_reason = dict(kept.group_by("reason").len().iter_rows())
    shown = dict(reasons.group_by(c["reason"]).agg(pl.col(c["rows"]).sum()).iter_rows())
    assert shown == by_reason


def test_checks_and_warnings_are_the_gates(quality_demo, workbook):
    c = texts.REPORT_COLUMNS
    checks = _table(workbook[texts.REPORT["sheet_checks"]], c["source"])
    stored = results.read_all(QualityPaths(quality_demo.paths)).filter(
        (pl.col("community_code") == ZHENGDONG) & (pl.col("report_month") == "2025-01"))
    assert checks.height == stored.height > 0
    assert (checks[c["result"]] == texts.REPORT["failed"]).sum() == (~stored["success"]).sum()
    keys = workbook[texts.REPORT["sheet_summary"]]
    values = {r[0]: r[1] for r in keys.iter_rows(values_only=True) if r[0] in texts.REPORT["summary_keys"]}
    assert values["警告"] == stored.filter(~pl.col("success") & (pl.col("severity") == "warning")).height
    assert values["社区代码"] == ZHENGDONG


def test_a_missing_register_and_a_warning_are_on_the_list_of_fixes(quality_demo):
    d = report.gather(quality_demo.paths, CAISHU, "2025-02")
    months = d.months.filter(pl.col("month") == "2025-02")
    population = months.filter(pl.col("source") == "population").row(0, named=True)
    assert population["status"].startswith(texts.REPORT["missing"]) and population["on_time"] == texts.REPORT["missing"]
    issues = [issue for _, issue, _ in d.fixes]
    assert any("实有人口台账尚未收到" in i for i in issues)
    assert any(i.startswith("巡查走访日志：网格不得连续") for i in issues)
    assert d.months.height == 4  # January and February × register and patrol log


def test_community_is_found_by_name_or_code_and_unknown_is_refused():
    assert report.resolve_community("菜蔬街社区", "510116003") == report.resolve_community(CAISHU, "510116003") == (CAISHU, "菜蔬街社区")
    with pytest.raises(ValueError, match="未找到社区"):
        report.resolve_community("不存在社区", "510116003")


def test_the_pipeline_publishes_every_workbook_and_rewrites_only_changed_ones(quality_demo):
    from pipelines.publish.artifacts import feedback_workbooks

    paths = quality_demo.paths
    first = feedback_workbooks(paths)
    assert first["written"] + first["unchanged"] == 6  # 3 communities × 2 months, each submitted
    books = sorted(paths.published.glob("quality/*/*.xlsx"))
    assert [b.name for b in books if b.parent.name == "2025-02"] == sorted(
        f"{code}_2025-02_数据报送质量反馈.xlsx" for code in {b.name[:12] for b in books})
    assert all(b.read_bytes()[:2] == b"PK" for b in books)
    assert feedback_workbooks(paths) == {"written": 0, "unchanged": 6}
