"""The whole demo year (seed 2025, every community, 12 months) through the whole pipeline: nothing
lost in ingest, the quality gate passes, `dbt build` is green, and no personal number anywhere.

About three minutes: the generator writes ~950 files (~1.8 M rows), the run lands, checks, models
and publishes them.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.core.settings import Paths
from pipelines.core.snapshot import open_snapshot
from pipelines.defs.launch import launch
from pipelines.ingest.lake import read_ledger
from tests.pii_scan import scan


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from demo.generator import generate

    root = tmp_path_factory.mktemp("year")
    paths = Paths(raw=root / "raw", data=root / "data")
    truth = root / "truth"
    generate(paths.raw, truth, seed=2025, progress=False)
    summary = launch(paths)
    return paths, truth, read_ledger(paths.ledger), summary


def test_every_file_of_the_year_is_accounted_for(year):
    paths, truth, ledger, _ = year
    files = pl.read_parquet(truth / "files.parquet")
    assert files.height > 900
    assert set(ledger["file_path"]) == set(files["path"])
    assert ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")
                          + pl.col("rows_already_landed")).height == 0
    joined = files.join(ledger, left_on="path", right_on="file_path")
    assert (joined["status"] == joined["expected_status"]).all()
    read = joined.filter(pl.col("status").is_in(["landed", "superseded"]))
    assert (read["rows_read"] == read["data_rows"]).all()
    assert (read["rows_quarantined"] == read["bad_rows"]).all()


def test_lake_holds_exactly_the_landed_rows(year):
    paths, _, ledger, _ = year
    landed = ledger.filter(pl.col("status") == "landed")
    for source in ("grids", "population", "cases", "patrols", "hotline"):
        lake_rows = pl.scan_parquet(paths.lake / source / "month=2*" / "*.parquet").select(pl.len()).collect().item()
        assert lake_rows == landed.filter(pl.col("source") == source)["rows_landed"].sum(), source


def test_no_id_or_phone_number_anywhere_after_a_year(year):
    paths, _, _, _ = year
    hits, scanned = scan(paths.data)
    assert scanned > 900
    assert hits == []


def test_the_year_passes_the_gate_and_dbt_build_is_green(year):
    paths, _, ledger, summary = year
    assert summary.status == "success"
    assert summary.quality["blocking"] == [] and summary.quality["batches"] > 500
    assert set(summary.checks) == {"pass"} and summary.checks["pass"] > 100  # every dbt data and unit test
    con = open_snapshot(paths.serving)
    try:
        results, batches = con.execute("select count(*), count(distinct batch_key) from marts.fct_check_results").fetchone()
        files = con.execute("select count(*) from marts.fct_files_received").fetchone()[0]
        quarantined = con.execute("select count(*) from marts.fct_rows_quarantined").fetchone()[0]
    finally:
        con.close()
    assert batches == summary.quality["batches"] and results > batches
    assert files == ledger.height
    assert quarantined == ledger.filter(pl.col("status") == "landed")["rows_quarantined"].sum()


def test_the_year_gives_the_reference_kpi_marts(year):
    """The KPI marts of the demo year are exactly the reference (tests/golden): intake may learn new
    forms, but what the demo's files say must come out the same."""
    import json
    from pathlib import Path

    from tests.kpi_fingerprint import kpi_fingerprint

    paths, _, _, _ = year
    golden = json.loads((Path(__file__).parents[2] / "golden" / "demo_year_kpi_marts.json").read_text())
    assert kpi_fingerprint(paths.serving) == golden


def test_hotline_orders_are_placed_and_modelled_against_the_truth(year):
    """Every 12345 order of the year reaches fct_hotline_orders once; placement at community level
    meets precision >= 0.95 and recall >= 0.85 against the generator's truth; no planted personal
    number survives in the lake or the snapshot."""
    paths, truth, _, _ = year
    expected = pl.read_parquet(truth / "hotline_truth.parquet")
    con = open_snapshot(paths.serving)
    try:
        placed = con.sql("select order_id, street_code, community_code, title_masked || content_masked as text "
                         "from marts.fct_hotline_orders").pl()
        street = con.execute("select sum(orders), sum(unplaced_orders) from marts.kpi_hotline_street_monthly").fetchone()
    finally:
        con.close()
    assert placed.height == expected.height == placed["order_id"].n_unique()
    # the street's mart counts its own orders and the unplaced ones, not those placed in another street
    ours = placed.filter(pl.col("street_code").is_null() | (pl.col("street_code") == paths.street))
    assert street == (ours.height, ours["community_code"].null_count())
    assert ours.height < placed.height  # the demo names other streets of the district
    both = expected.select("order_id", truth_code="community_code").join(placed, on="order_id")
    given = both.filter(pl.col("community_code").is_not_null())
    precision = (given["community_code"] == given["truth_code"]).mean()
    recall = both.filter(pl.col("truth_code").is_not_null()).select(
        (pl.col("community_code") == pl.col("truth_code")).fill_null(False).mean()).item()
    print(f"hotline placement on the demo year: precision {precision:.4f} ({given.height} placed), recall {recall:.4f}")
    assert precision >= 0.95 and recall >= 0.85
    planted = expected["personal_numbers"].explode().drop_nulls().unique()
    assert planted.len() > 100
    lake = pl.scan_parquet(paths.lake / "hotline" / "month=2*" / "*.parquet").select(
        pl.concat_str("title", "content", "reply", separator=" ", ignore_nulls=True)).collect().to_series()
    for text in (lake, placed["text"]):
        assert not text.str.contains_any(planted.to_list()).any()


@pytest.fixture(scope="module")
def backtest_result(year) -> dict:
    """The early-warning backtest of the year's warning history against the generator's events."""
    from bench.backtest import backtest

    paths, truth, _, _ = year
    return backtest(paths.warehouse, truth)


def test_deadline_risk_is_calibrated_on_the_demo_year(backtest_result):
    """In each decile of predicted deadline risk (every open, not yet overdue case of every as-of day
    with a full baseline, whose outcome is known) the observed miss rate is within 10 points."""
    rows = backtest_result["deadline_risk"]["calibration"]
    print("\ndecile  predictions  predicted  observed")
    for row in rows:
        print(f"{row['decile']:>6}  {row['predictions']:>11}  {row['predicted']:>9.3f}  {row['observed']:>8.3f}")
    assert [row["decile"] for row in rows] == list(range(1, 11))
    assert sum(row["predictions"] for row in rows) > 5000
    assert all(abs(row["predicted"] - row["observed"]) <= 0.10 for row in rows), rows


def test_the_backtest_catches_the_injected_events_with_few_false_warnings(backtest_result):
    """The generator's injected events (surges, stalls, repeats, register jumps): at least 90 % warned
    within 7 days of their start, at most one false warning per grid per quarter of clean time."""
    result = backtest_result
    print({kind: (k["caught_within_7_days"], k["events"], k["days_to_warning_mean"]) for kind, k in result["per_kind"].items()})
    print(result["false_warnings"])
    assert result["events"] >= 40 and all(k["events"] >= 8 for k in result["per_kind"].values())
    assert result["caught_share"] >= 0.9, result["per_kind"]
    assert result["false_warnings"]["per_grid_per_quarter"] <= 1.0


def test_hotline_rising_warnings_count_the_communitys_orders_of_the_topic(year, backtest_result):
    """Rising problems of the 12345 orders (community × topic, no grid): each warning's observed count is
    the community's orders of that topic received in the 7 days ending its as-of day, above its limit."""
    import duckdb

    paths, _, _, _ = year
    assert any(row["kind"] == "rising" and row["episodes"] > 0 for row in backtest_result["hotline"])
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.sql("""
            select w.warning_id, w.as_of_date, w.observed, w.upper_limit, w.grid_code, count(o.order_id) as recount
            from marts.fct_warnings as w
            left join marts.fct_hotline_orders as o
                on o.community_code = w.community_code and o.topic = w.category
                and cast(o.received_at as date) between w.as_of_date - 6 and w.as_of_date
            where w.kind = 'rising' and w.source = 'hotline'
            group by w.warning_id, w.as_of_date, w.observed, w.upper_limit, w.grid_code
        """).fetchall()
    finally:
        con.close()
    assert rows
    assert all(grid is None and observed == recount and observed > limit for _, _, observed, limit, grid, recount in rows), \
        [r for r in rows if not (r[4] is None and r[2] == r[5] and r[2] > r[3])][:5]
