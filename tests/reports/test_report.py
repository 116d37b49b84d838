"""Acceptance tests of the quarterly report (issue 8) on a small generated street (conftest.py)."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import openpyxl
import pytest

from pipelines.core.settings import ROOT
from pipelines.core.texts import HEADLINE, NO_DATA, NO_LAST_YEAR, NOT_COMPUTABLE, SECTIONS, SHEETS, TITLE
from reports import BadQuarter, ReportError, build_report
from reports.quarter import Quarter
from tests.reports.conftest import QUARTER

ARTIFACTS = ROOT / "test-artifacts" / "reports"
Q = Quarter.parse(QUARTER)
MISSING = (NO_DATA, NOT_COMPUTABLE)
COMMUNITY_COLUMNS = {"受理事件": "cases_accepted", "已结案": "cases_accepted_closed", "按期结案": "cases_closed_on_time",
                     "结案率": "closure_rate", "按期结案率": "on_time_closure_rate",
                     "按期处置率": "on_time_handling_rate", "满意率": "satisfaction_rate",
                     "季末超期未结": "overdue_open_cases"}
COVERAGE_COLUMNS = {"网格数": "grids_active", "巡查达标网格": "grids_patrolled_at_frequency",
                    "巡查达标率": "patrol_compliance_rate", "入户走访覆盖率": "household_visit_coverage",
                    "重点人员走访覆盖率": "key_person_visit_coverage"}
POPULATION_COLUMNS = {"季末实有人口": "residents", "流动人口": "residents_floating", "迁入": "moved_in",
                      "迁出": "moved_out", "死亡": "deaths", "重点人员": "key_persons_display"}


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(report.xlsx, read_only=True)


@pytest.fixture(scope="module")
def marts(report):
    con = duckdb.connect(str(report.paths.serving), read_only=True)
    yield con
    con.close()


def sheet(book, key: str) -> list[dict]:
    """A table sheet as dicts keyed by its Chinese headers (header on row 3, data until a blank row)."""
    rows = list(book[SHEETS[key]].iter_rows(min_row=3, values_only=True))
    header, data = rows[0], []
    for row in rows[1:]:
        if all(v is None for v in row):
            break
        data.append(dict(zip(header, row)))
    return data


def mart_rows(marts, sql: str, *params) -> list[dict]:
    cursor = marts.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def assert_cell(cell, value, where: str) -> None:
    if value is None:
        assert cell in MISSING, f"{where}: the mart has no value, the xlsx shows {cell!r}"
    elif isinstance(value, float):  # xlsx keeps 15–16 significant digits
        assert cell == pytest.approx(value, rel=1e-12, abs=0), f"{where}: xlsx {cell!r} != mart {value!r}"
    else:
        assert cell == value, f"{where}: xlsx {cell!r} != mart {value!r}"


def community_kpis(marts) -> dict[str, dict]:
    rows = mart_rows(marts, """select c.community_name, k.* from marts.dim_communities c
        left join marts.kpi_community_quarterly k on c.community_code = k.community_code and k.quarter_start = ?""",
                     Q.start)
    return {r["community_name"]: r for r in rows}


def test_every_kpi_in_the_xlsx_equals_its_mart_value(report, book, marts):
    street = {q: mart_rows(marts, "select * from marts.kpi_street_quarterly where quarter_start = ?", q.start)[0]
              for q in (Q, Q.previous)}
    headline = sheet(book, "headline")
    assert [r["指标"] for r in headline] == [label for _, label, _ in HEADLINE]
    for row in headline:
        column = row["数据来源（表.字段）"].removeprefix("kpi_street_quarterly.")
        assert_cell(row["本季度"], street[Q][column], f"本季度 {column}")
        assert_cell(row["上季度"], street[Q.previous][column], f"上季度 {column}")
        assert row["去年同期"] == NO_LAST_YEAR and row["同比"] == NO_LAST_YEAR

    kpis = community_kpis(marts)
    for key, columns in (("communities", COMMUNITY_COLUMNS), ("coverage", COVERAGE_COLUMNS),
                         ("population", POPULATION_COLUMNS)):
        rows = sheet(book, key)
        assert {r["社区"] for r in rows} == set(kpis), key  # every community of the street, none omitted
        for row in rows:
            mart = kpis[row["社区"]]
            if all(row[label] == NO_DATA for label in columns):
                continue  # no data for this part (test_a_community_without_data_says_so)
            for label, column in columns.items():
                assert_cell(row[label], mart[column], f"{key} {row['社区']} {label}")

    mix = {(r["mix_type"], r["mix_name"]): r for r in mart_rows(marts, """select * from marts.kpi_case_mix
        where area_level = 'street' and period_type = 'quarter' and period_start = ?""", Q.start)}
    rows = sheet(book, "case_mix")
    assert len(rows) == len(mix)
    for row in rows:
        mart = mix[("category" if row["维度"] == "事件大类" else "channel", row["类别"])]
        assert_cell(row["事件数"], mart["cases"], f"case mix {row['类别']}")
        assert_cell(row["占比"], mart["share_of_cases"], f"case mix {row['类别']} share")

    grids = mart_rows(marts, """select * from marts.kpi_grid_quarterly where quarter_start = ?
        order by cases_accepted desc, grid_code limit 10""", Q.start)
    rows = sheet(book, "top_grids")
    assert [r["网格"] for r in rows] == [g["grid_name"] for g in grids]
    for row, grid in zip(rows, grids):
        for label, column in (("受理事件", "cases_accepted"), ("结案率", "closure_rate"),
                              ("按期结案率", "on_time_closure_rate"), ("季末超期未结", "overdue_open_cases")):
            assert_cell(row[label], grid[column], f"grid {grid['grid_code']} {label}")

    levels = sheet(book, "levels")  # computed in reports/figures.py: must add up to the mart's cohort
    assert sum(r["事件数"] for r in levels) == street[Q]["cases_accepted"]
    assert sum(r["已结案"] for r in levels) == street[Q]["cases_accepted_closed"]
    assert sum(r["按期结案"] for r in levels) == street[Q]["cases_closed_on_time"]

    groups = mart_rows(marts, """select g.*, coalesce(c.community_name, '华阳街道（合计）') as area_name
        from marts.kpi_special_groups g left join marts.dim_communities c on g.area_code = c.community_code
        where g.area_level in ('street', 'community') and g.period_type = 'quarter' and g.period_start = ?""", Q.start)
    shown = {r["社区"]: r for r in sheet(book, "special_groups")}
    for g in groups:
        expected = g["persons_display"] if g["is_sensitive"] or g["persons"] >= 5 else "<5"
        assert str(shown[g["area_name"]][g["tag_name"]]) == str(expected), (g["area_name"], g["tag_name"])
    sensitive = [g for g in groups if g["is_sensitive"] and g["persons"] < 5]
    assert sensitive and all(shown[g["area_name"]][g["tag_name"]] == "<5" for g in sensitive)

    if SHEETS["assessment"] in book.sheetnames:
        bands = mart_rows(marts, """select pay_band, strftime(month_start, '%Y-%m') as month, count(*) as workers
            from marts.kpi_worker_assessment_monthly where month_start between ? and ? group by all""", Q.start, Q.end)
        shown = {r["绩效档"]: r for r in sheet(book, "assessment")}
        for b in bands:
            assert shown[b["pay_band"]][f"{int(b['month'][5:])}月（人）"] == b["workers"]
        last = mart_rows(marts, """select * from marts.kpi_worker_assessment_monthly
            where month_start = (select max(month_start) from marts.kpi_worker_assessment_monthly where month_start <= ?)
            order by rank_in_street desc, worker_id limit 5""", Q.end)
        rows = sheet(book, "assessment_bottom")
        assert [(r["网格员"], r["街道排名"]) for r in rows] == [(w["worker_name"], w["rank_in_street"]) for w in last]
        for row, worker in zip(rows, last):
            assert_cell(row["得分"], worker["score"], f"score {worker['worker_id']}")


def test_the_pdf_text_has_the_chinese_headings_and_numbers(report, marts):
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.fail("pdftotext/pdftoppm missing: install Debian's poppler-utils (make browser)")
    text = subprocess.run(["pdftotext", "-layout", str(report.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    street = mart_rows(marts, "select * from marts.kpi_street_quarterly where quarter_start = ?", Q.start)[0]
    assert TITLE.format(street="华阳街道", quarter=Q.zh) in text.replace(" ", "")
    headings = [h for k, h in SECTIONS.items() if k != "assessment" or "kpi_worker_assessment_monthly" in
                {r[0] for r in marts.execute("select table_name from duckdb_tables()").fetchall()}]
    for heading in headings:
        assert heading in text, heading
    assert f"共受理事件{street['cases_accepted']:,}件" in text.replace(" ", "").replace("\n", "")
    assert f"{street['on_time_closure_rate']:.1%}" in text
    assert NO_LAST_YEAR in text and "按期结案率" in text and "满意率" in text
    top = marts.execute("""select mix_name from marts.kpi_case_mix where area_level = 'street' and mix_type = 'category'
        and period_type = 'quarter' and period_start = ? order by cases desc, mix_code limit 1""", [Q.start]).fetchone()[0]
    assert top in text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_one = ARTIFACTS / f"{QUARTER}_page1"
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(report.pdf),
                    str(page_one)], check=True)
    shutil.copy(report.pdf, ARTIFACTS / report.pdf.name)
    shutil.copy(report.xlsx, ARTIFACTS / report.xlsx.name)
    assert page_one.with_suffix(".png").stat().st_size > 50_000  # a page with text and a table, not blank


def test_a_community_without_data_says_so(report, book, marts):
    kpis = community_kpis(marts)
    silent = kpis[report.silent_community]
    assert silent["grids_active"] > 0 and silent["patrol_compliance_rate"] in (0, None)  # today the mart says 0
    coverage = {r["社区"]: r for r in sheet(book, "coverage")}[report.silent_community]
    assert all(coverage[label] == NO_DATA for label in ("巡查达标率", "入户走访覆盖率", "重点人员走访覆盖率"))
    population = {r["社区"]: r for r in sheet(book, "population")}[report.silent_community]
    assert all(population[label] == NO_DATA for label in POPULATION_COLUMNS)
    cases = {r["社区"]: r for r in sheet(book, "communities")}[report.silent_community]
    assert cases["受理事件"] == silent["cases_accepted"] > 0  # its cases came in the street-wide case logs

    empty = [name for name, k in kpis.items() if not k["grids_active"] and not k["cases_accepted"]]
    assert len(empty) == len(kpis) - 3  # the demo street's other communities sent nothing
    for key in ("communities", "coverage", "population"):
        for row in sheet(book, key):
            if row["社区"] in empty:
                assert set(list(row.values())[1:]) == {NO_DATA}, (key, row)

    text = subprocess.run(["pdftotext", str(report.pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "").replace(" ", "")
    assert f"{report.silent_community}本季度未报送巡查日志" in flat
    assert f"{report.silent_community}季末月未报送人口台账" in flat
    assert "本季度未收到任何数据，不计为零" in flat


def test_a_quarter_missing_from_the_snapshot_is_refused_in_words(report):
    with pytest.raises(ReportError, match="现有季度：2025Q1、2025Q2"):
        build_report(report.paths, "2024Q4")
    with pytest.raises(BadQuarter, match="2025Q3"):
        build_report(report.paths, "2025-07")


def test_one_report_builds_in_seconds(report):
    print(f"report {QUARTER} built in {report.seconds:.1f} s")
    assert report.seconds < 60


def test_failed_quality_checks_are_listed_once_the_gate_has_run(report, tmp_path):
    """The quarter's gate verdicts are counted, and every failed one is listed: a copy of the snapshot
    gets two more verdicts (one failed warning, one passed blocking check) on top of the gate's own."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(report.paths.serving, data / "serving.duckdb")
    con = duckdb.connect(str(data / "serving.duckdb"))
    in_quarter = "from marts.fct_check_results where report_month between '2025-04' and '2025-06'"
    total, failed = con.execute(f"select count(*), count(*) filter (not is_success) {in_quarter}").fetchone()
    assert total > 0  # the pipeline ran the quality gate
    con.execute("""insert into marts.fct_check_results (batch_key, source_name, community_name, report_month, check_title,
                       severity, is_success, observed_value)
                   values ('population/x/2025-05', 'population', '某社区', '2025-05', '户数在规定范围内', 'warning',
                           false, '3 个网格超出'),
                          ('patrols/x/2025-05', 'patrols', '某社区', '2025-05', '每个网格都有巡查', 'blocking', true, '0')""")
    con.close()
    pdf, xlsx = build_report(type(report.paths)(raw=report.paths.raw, data=data), QUARTER)
    rows = sheet(openpyxl.load_workbook(xlsx, read_only=True), "checks")
    assert len(rows) == failed + 1
    assert ("某社区", "户数在规定范围内", "警告", "3 个网格超出") in [(r["社区"], r["检查项"], r["级别"], r["检查结果"]) for r in rows]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "")
    assert f"数据检查{total + 2}项，未通过{failed + 1}项" in flat
