"""The walking skeleton end to end on a small demo street: nothing lost, nothing in clear."""

from __future__ import annotations

import polars as pl

from pipelines.ingest.lake import read_ledger
from tests.pii_scan import scan


def test_the_run_succeeds_and_lands_rows(demo_run):
    assert demo_run.summary.status == "success"
    assert demo_run.summary.rows_landed > 10_000
    assert demo_run.paths.serving.exists()


def test_every_file_read_equals_landed_plus_quarantined(demo_run):
    ledger = read_ledger(demo_run.paths.ledger)
    assert ledger.height > 0
    bad = ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")
                          + pl.col("rows_already_landed"))
    assert bad.height == 0, bad


def test_ledger_outcomes_match_the_generators_truth(demo_run):
    ledger = read_ledger(demo_run.paths.ledger).select(
        pl.col("file_path").alias("path"), "status", "rows_read", "rows_quarantined")
    truth = pl.read_parquet(demo_run.truth / "files.parquet")
    joined = truth.join(ledger, on="path", how="left")
    assert joined["status"].null_count() == 0, "every generated file is in the ledger"
    assert (joined["status"] == joined["expected_status"]).all(), joined.filter(
        pl.col("status") != pl.col("expected_status"))
    read = joined.filter(pl.col("status").is_in(["landed", "superseded"]))
    assert (read["rows_read"] == read["data_rows"]).all(), read.filter(pl.col("rows_read") != pl.col("data_rows"))
    assert (read["rows_quarantined"] == read["bad_rows"]).all(), read.filter(
        pl.col("rows_quarantined") != pl.col("bad_rows"))


def test_quarantine_keeps_each_bad_row_with_its_reason(demo_run):
    files = list(demo_run.paths.quarantine.rglob("*.parquet"))
    quarantined = pl.concat([pl.read_parquet(f) for f in files]).select(
        pl.col("file_path").alias("path"), pl.col("source_row").alias("row_number"), "reason_code")
    truth = pl.read_parquet(demo_run.truth / "bad_rows.parquet")
    ledger = read_ledger(demo_run.paths.ledger).filter(pl.col("status") == "landed")
    truth = truth.filter(pl.col("path").is_in(ledger["file_path"].implode()))
    assert truth.sort(pl.all()).equals(quarantined.select(truth.columns).cast(truth.schema).sort(pl.all()))


def test_no_id_or_phone_number_in_lake_warehouse_snapshot_or_logs(demo_run):
    hits, scanned = scan(demo_run.paths.data)
    assert scanned > 20
    assert hits == []


def test_a_person_keeps_one_pseudonym_across_months(demo_run):
    residents = pl.read_parquet(demo_run.paths.lake / "population" / "month=2*" / "*.parquet")
    # consecutive registers of one community: nearly everyone is still there under the same pseudonym
    months = sorted(residents["report_month"].unique())
    assert len(months) >= 2
    pairs = 0
    for community, register in residents.group_by("community_code"):
        for before, after in zip(months, months[1:]):
            a = register.filter(pl.col("report_month") == before)["person_id"]
            b = register.filter(pl.col("report_month") == after)["person_id"]
            if a.len() and b.len():
                assert a.is_in(b.implode()).mean() > 0.95, (community, before, after)
                pairs += 1
    assert pairs >= 2
    per_person = residents.group_by("person_id").agg(pl.col("birth_date").n_unique().alias("births"))
    assert per_person["births"].max() == 1


def test_the_pii_scan_finds_numbers_in_clear(tmp_path):
    """The scanner itself: a planted ID number and a planted phone number are both found."""
    (tmp_path / "log.txt").write_text("time 0.040463924407958984 ok", encoding="utf-8")
    assert scan(tmp_path)[0] == []
    pl.DataFrame({"note": ["电话13812345678", "x"]}).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "run.log").write_text("id=510116199001011234;", encoding="utf-8")
    hits, scanned = scan(tmp_path)
    assert scanned == 3 and sorted(hits) == ["a.parquet:note (1 values)", "run.log"]
