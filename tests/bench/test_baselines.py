"""The city-scale benchmark's baselines and query timer on the small demo street (tests/conftest.py demo_run):
the hand-written SQL baseline reproduces the community KPI mart, the pandas sample reads the same rows as
fastexcel, and the query timer sees every page's queries."""

from __future__ import annotations

from bench.kpi_baseline import COUNTS, RATES, TABLES, measure_kpi_baseline
from bench.pandas_baseline import measure_pandas_sample, sample
from bench.queries import PAGES, measure_page_queries


def test_sql_baseline_equals_the_community_mart(demo_run):
    result = measure_kpi_baseline(demo_run.paths)

    assert result["seconds"] > 0 and result["peak_rss_mb"] > result["rss_before_sql_mb"] > 0
    assert set(result["rows"]) == set(TABLES) and all(n > 0 for n in result["rows"].values())
    assert result["input_rows"]["population"] > 0 and result["input_rows"]["cases"] > 0
    vs = result["vs_mart"]
    # every community × month of the mart, and no other, with the same figures
    assert vs["rows_mart"] > 0
    assert vs["rows_baseline"] == vs["rows_matched"] == vs["rows_mart"] == result["rows"]["kpi_community_monthly_baseline"]
    for column in ("cases_accepted", "cases_accepted_closed", "cases_closed", "residents"):
        assert vs["equal"][column] == vs["rows_mart"], column
    assert vs["equal"] == {column: vs["rows_mart"] for column in (*COUNTS, *RATES)}
    assert vs["rows_all_equal"] == vs["rows_mart"]


def test_pandas_sample_reads_the_same_rows_as_fastexcel(demo_run):
    files = sorted(demo_run.paths.raw.rglob("*"))
    chosen = sample(files, 3)
    assert len(chosen) == 3 and chosen == sample(list(reversed(files)), 3)  # deterministic, xlsx only
    assert all(path.suffix == ".xlsx" for path in chosen)

    result = measure_pandas_sample(files, max_files=3)

    assert result["sampled"] == 3 and result["files"] == 3 - len(result["unreadable"]) >= 1
    assert result["rows"] > 0 and result["rows"] == result["fastexcel"]["rows"]
    assert result["seconds"] > 0 and result["rows_per_s"] > 0 and result["fastexcel"]["rows_per_s"] > 0


def test_query_timer_counts_every_pages_queries(demo_run):
    from dashboards import data

    original = data.query
    results = measure_page_queries(demo_run.paths, repeats=2)

    assert data.query is original  # the dashboard's own cached query function is back
    assert [r["page"] for r in results] == PAGES
    for row in results:
        assert row["errors"] == 0, row
        assert row["queries"] > 0, row
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"], row
        assert row["total_ms"] > 0 and row["slowest_sql"].startswith(("select", "with")), row
