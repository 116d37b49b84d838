"""Acceptance 3: the quality results are queryable in the serving snapshot and agree with the
ledger and the quarantine."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.ingest import lake
from pipelines.ingest.contracts import SOURCES
from quality import gate
from quality.config import GRID_SCOPED, Thresholds
from quality.suites import suite_module


@pytest.fixture(scope="module")
def served(quality_demo) -> pl.DataFrame:
    con = duckdb.connect(str(quality_demo.paths.serving), read_only=True)
    try:
        return con.sql("select * from marts.fct_check_results").pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def landed(quality_demo) -> pl.DataFrame:
    """Landed files with the batch each belongs to; a hotline export spanning months belongs to the
    batch of every month its orders landed in (the ledger's `months`), with all its rows and files."""
    ledger = lake.read_ledger(quality_demo.paths.ledger).filter(pl.col("status") == "landed")
    ledger = ledger.with_columns(month=pl.when(pl.col("source") == "hotline").then(pl.col("months").str.split(","))
                                 .otherwise(pl.concat_list(pl.col("report_month")))).explode("month")
    return ledger.with_columns(
        batch_key=pl.format("{}/{}/{}", "source", pl.when(pl.col("source").is_in(GRID_SCOPED))
                            .then(pl.lit("510116003")).otherwise("community_code"), "month"))


def test_one_row_per_expectation_per_landed_batch(served, landed):
    t = Thresholds.load()
    per_source = {s: len(suite_module(s).build_suite(t).expectations) + 1 for s in SOURCES}  # + the ledger's
    counts = served.group_by("batch_key", "source_name").len()
    assert set(counts["batch_key"]) == set(landed["batch_key"])
    assert all(n == per_source[s] for _, s, n in counts.iter_rows())
    assert served.height == sum(per_source[k.split("/")[0]] for k in landed["batch_key"].unique())


def test_quarantine_share_is_the_ledgers_figure(quality_demo, served, landed):
    share = served.filter(pl.col("check_name") == "quarantine_share").select("batch_key", "observed_number",
                                                                             "element_count")
    expected = landed.group_by("batch_key").agg(
        share=(pl.col("rows_quarantined") / pl.col("rows_read")).max(), files=pl.len())
    joined = share.join(expected, on="batch_key", how="full", coalesce=True)
    assert joined.height == expected.height
    assert (joined["observed_number"] - joined["share"]).abs().max() < 1e-12
    assert (joined["element_count"] == joined["files"]).all()
    # and the ledger's quarantined rows are the rows kept in the quarantine, file by file
    quarantine = pl.read_parquet(quality_demo.paths.quarantine / "*" / "month=*" / "*.parquet")
    kept = quarantine.group_by("file_path").len()
    files = landed.select("file_path", "rows_quarantined").unique().join(kept, on="file_path", how="left")
    assert (files["rows_quarantined"] == files["len"].fill_null(0)).all()


def test_batch_rows_are_the_rows_landed(served, landed):
    rows = served.group_by("batch_key").agg(pl.col("batch_rows").first(), pl.col("batch_files").first())
    expected = landed.group_by("batch_key").agg(pl.col("rows_landed").sum(), files=pl.len())
    joined = rows.join(expected, on="batch_key")
    assert joined.height == expected.height
    assert (joined["batch_rows"] == joined["rows_landed"]).all() and (joined["batch_files"] == joined["files"]).all()


def test_served_results_are_the_gates_verdict(quality_demo, served):
    failing = served.filter(~pl.col("is_success"))
    result = quality_demo.gate
    assert failing.filter(pl.col("is_blocking")).height == len(result.blocking) == 0
    assert sorted(failing["batch_key"] + failing["check_name"]) == sorted(
        f"{f.source}/{f.scope_code}/{f.report_month}{f.check_name}" for f in result.warnings)
    assert failing["fix_hint"].null_count() == 0 and served.filter(pl.col("is_success"))["fix_hint"].null_count() == \
        served.filter(pl.col("is_success")).height


def test_a_second_run_validates_nothing_and_keeps_the_verdict(quality_demo):
    again = gate.check(quality_demo.paths)
    assert again.validated == []
    assert [f.text() for f in again.warnings] == [f.text() for f in quality_demo.gate.warnings]
    assert again.seconds < 5


def test_no_personal_numbers_in_quality_outputs(quality_demo):
    from tests.pii_scan import scan

    data = quality_demo.paths.data
    for folder in (data / "lake" / "_quality", data / "gx"):
        hits, scanned = scan(folder)
        assert scanned > 0 and hits == []
