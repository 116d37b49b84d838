"""The report's 12345热线 section: with hand-made hotline marts added to the generated street's snapshot its
figures are the marts' counts summed over the quarter; without an order (no hotline marts in the
snapshot, or marts without a row of the quarter) the section says 无数据."""

from __future__ import annotations

import shutil

import duckdb
import openpyxl
import pytest

from pipelines.core.settings import Paths
from pipelines.core.texts import HOTLINE_NONE, NO_DATA, SECTIONS, SHEETS
from reports import build_report
from reports.quarter import Quarter
from tests.dashboards.hotline_snapshot import add_hotline_tables
from tests.reports.conftest import QUARTER
from tests.reports.test_report import sheet

Q = Quarter.parse(QUARTER)


@pytest.fixture(scope="module")
def hotline_report(report, tmp_path_factory):
    root = tmp_path_factory.mktemp("report_hotline")
    paths = Paths(raw=root / "raw", data=root / "data")
    paths.data.mkdir(parents=True)
    shutil.copy(report.paths.serving, paths.serving)
    con = duckdb.connect(str(paths.serving))
    street = con.execute("select min(street_code) from marts.dim_streets").fetchone()[0]
    communities = dict(con.execute("select community_code, community_name from marts.dim_communities "
                                   "where street_code = ? order by 1", [street]).fetchall())
    residents = dict(con.execute("select community_code, residents from marts.kpi_community_quarterly "
                                 "where quarter_start = ?", [Q.start]).fetchall())
    rows = add_hotline_tables(con, street, communities, Q.months, {c: r for c, r in residents.items() if r})
    con.close()
    pdf, xlsx = build_report(paths, QUARTER)
    html = next((paths.published / "reports").glob(".*.html")).read_text(encoding="utf-8")
    return rows, communities, residents, openpyxl.load_workbook(xlsx, read_only=True), html


def _sums(rows) -> dict:
    keys = ("orders", "orders_responded_in_time", "orders_resolved", "orders_evaluated", "orders_satisfied")
    rows = list(rows)
    return {k: sum(r[k] for r in rows) for k in keys}


def test_the_quarters_three_rates_are_the_summed_counts_of_the_street_mart(hotline_report):
    rows, _, _, book, html = hotline_report
    s = _sums(rows.street.values())
    expected = {"12345工单（件）": s["orders"], "响应率": s["orders_responded_in_time"] / s["orders"],
                "解决率": s["orders_resolved"] / s["orders"], "满意率": s["orders_satisfied"] / s["orders_evaluated"],
                "未定位到社区的工单（件）": sum(r["unplaced_orders"] for r in rows.street.values())}
    shown = {r["指标"]: r["本季度"] for r in sheet(book, "hotline")}
    assert shown == pytest.approx(expected)
    assert SECTIONS["hotline"] in html and "响应率" in html


def test_orders_per_10k_by_community_and_the_top_topics(hotline_report):
    rows, communities, residents, book, html = hotline_report
    shown = {r["社区"]: r for r in sheet(book, "hotline_communities")}
    assert set(shown) == set(communities.values())
    for code, name in communities.items():
        s = _sums(r for (c, _), r in rows.community.items() if c == code)
        assert shown[name]["工单（件）"] == s["orders"]
        assert shown[name]["响应率"] == pytest.approx(s["orders_responded_in_time"] / s["orders"])
        if residents.get(code):
            assert shown[name]["每万人工单（件）"] == pytest.approx(s["orders"] / residents[code] * 10_000)
        else:
            assert shown[name]["每万人工单（件）"] == NO_DATA
    totals: dict[str, int] = {}
    for _, _, topic, n in rows.topics:
        totals[topic] = totals.get(topic, 0) + n
    expected = sorted(totals.items(), key=lambda x: (-x[1], x[0]))[:10]
    assert [(r["诉求主题"], r["工单（件）"]) for r in sheet(book, "hotline_topics")] == expected
    assert expected[0][0] in html


def test_without_hotline_orders_the_section_says_no_data(report, tmp_path):
    """The generated street's snapshot with its hotline orders removed: the section stays and says 无数据."""
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    paths.data.mkdir(parents=True)
    shutil.copy(report.paths.serving, paths.serving)
    con = duckdb.connect(str(paths.serving))
    assert con.execute("select sum(orders) from marts.kpi_hotline_street_monthly").fetchone()[0] > 0
    for table in ("kpi_hotline_street_monthly", "kpi_hotline_community_monthly", "kpi_hotline_topics_monthly",
                  "fct_hotline_orders"):
        con.execute(f"delete from marts.{table}")
    con.close()
    _, xlsx = build_report(paths, QUARTER)
    html = next((paths.published / "reports").glob(".*.html")).read_text(encoding="utf-8")
    assert SECTIONS["hotline"] in html and HOTLINE_NONE in html
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert {r["本季度"] for r in sheet(book, "hotline")} == {NO_DATA}
    assert SHEETS["hotline_topics"] not in book.sheetnames


def test_the_generated_streets_report_shows_its_hotline_orders(report):
    """The generated street's own hotline orders of the quarter are the section's count."""
    con = duckdb.connect(str(report.paths.serving), read_only=True)
    orders = con.execute("select sum(orders) from marts.kpi_hotline_street_monthly where month_start >= ? "
                         "and month_start <= ?", [Q.start, Q.end]).fetchone()[0]
    con.close()
    book = openpyxl.load_workbook(report.xlsx, read_only=True)
    shown = {r["指标"]: r["本季度"] for r in sheet(book, "hotline")}
    assert orders > 0 and shown["12345工单（件）"] == orders
