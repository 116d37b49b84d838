"""The report's 研判预警 section: hand-made warning episodes (tests/dashboards/warnings_snapshot.py) put on the
generated street's communities are counted by kind and community over the quarter, the strongest of each kind
are listed with their evidence; without a warning (no mart, or no row in the quarter) the section says so."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb
import openpyxl
import pytest

from pipelines.core.settings import Paths
from pipelines.core.texts import SECTIONS, SHEETS, WARNING_KINDS, WARNINGS_NONE
from reports import build_report
from reports.quarter import Quarter
from tests.dashboards.warnings_snapshot import EPISODES, add_warnings_table
from tests.reports.conftest import QUARTER
from tests.reports.test_report import sheet

Q = Quarter.parse(QUARTER)


def _copy(report, root) -> tuple[Paths, duckdb.DuckDBPyConnection]:
    paths = Paths(raw=root / "raw", data=root / "data")
    paths.data.mkdir(parents=True)
    shutil.copy(report.paths.serving, paths.serving)
    return paths, duckdb.connect(str(paths.serving))


def _html(paths: Paths) -> str:
    return next((paths.published / "reports").glob(".*.html")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def warnings_report(report, tmp_path_factory):
    paths, con = _copy(report, tmp_path_factory.mktemp("report_warnings"))
    street = con.execute("select min(street_code) from marts.dim_streets").fetchone()[0]
    communities = dict(con.execute("select community_code, community_name from marts.dim_communities "
                                   "where street_code = ? order by 1", [street]).fetchall())
    # the hand-made episodes' three communities become the generated street's three
    onto = dict(zip(sorted({e.community_code for e in EPISODES}), communities))
    episodes = [dataclasses.replace(e, community_code=onto[e.community_code],
                                    grid_code=e.grid_code and onto[e.community_code] + e.grid_code[-3:])
                for e in EPISODES]
    add_warnings_table(con, episodes)
    con.execute("update marts.fct_warnings set street_code = ?", [street])
    con.close()
    _, xlsx = build_report(paths, QUARTER)
    return episodes, communities, openpyxl.load_workbook(xlsx, read_only=True), _html(paths)


def test_the_quarters_episodes_by_kind_and_community(warnings_report):
    episodes, communities, book, html = warnings_report
    in_quarter = [e for e in episodes if e.last >= Q.start and e.first <= Q.end]
    assert len(in_quarter) == len(episodes)  # the one from March runs into April: it counts in Q2
    by_kind = {r["预警类型"]: r["预警（次）"] for r in sheet(book, "warnings_by_kind")}
    expected = {WARNING_KINDS[k]: sum(e.kind == k for e in in_quarter) for k in WARNING_KINDS}
    assert by_kind == {k: n for k, n in expected.items() if n}
    days = {r["预警类型"]: r["预警天数合计"] for r in sheet(book, "warnings_by_kind")}
    spanning = next(e for e in episodes if e.first < Q.start)
    rising = [e for e in in_quarter if e.kind == "rising"]
    assert days["上升问题"] == sum((min(e.last, Q.end) - max(e.first, Q.start)).days + 1 for e in rising) \
        and spanning.kind == "rising"
    shown = {r["社区"]: r for r in sheet(book, "warnings_communities")}
    assert set(shown) == {communities[e.community_code] for e in in_quarter}  # only communities with a warning
    for code in {e.community_code for e in in_quarter}:
        name, mine = communities[code], [e for e in in_quarter if e.community_code == code]
        assert shown[name]["合计"] == len(mine), name
        for kind in {e.kind for e in mine}:
            assert shown[name][WARNING_KINDS[kind]] == sum(e.kind == kind for e in mine)
    assert SECTIONS["warnings"] in html and "各社区预警次数" in html


def test_the_strongest_of_each_kind_with_their_evidence(warnings_report):
    episodes, communities, book, html = warnings_report
    top = sheet(book, "warnings_top")
    strongest = max((e for e in episodes if e.kind == "rising"), key=lambda e: e.score)
    row = next(r for r in top if r["预警类型"] == "上升问题")  # listed first within its kind
    assert row["社区"] == communities[strongest.community_code] and row["强度"] == pytest.approx(strongest.score)
    assert row["依据"].startswith("近7日") and row["依据"] in html
    assert {r["预警类型"] for r in top} == {WARNING_KINDS[e.kind] for e in episodes}


@pytest.mark.parametrize("mart", [False, True])
def test_without_warnings_the_section_says_so(report, tmp_path, mart):
    """No fct_warnings in the snapshot, or one without a row in the quarter: the heading stays, with the sentence."""
    paths, con = _copy(report, tmp_path)
    con.execute("drop table if exists marts.fct_warnings")
    if mart:
        add_warnings_table(con, [])
    con.close()
    _, xlsx = build_report(paths, QUARTER)
    html = _html(paths)
    assert SECTIONS["warnings"] in html and WARNINGS_NONE in html
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert sheet(book, "warnings_by_kind") == [] and SHEETS["warnings_top"] not in book.sheetnames
