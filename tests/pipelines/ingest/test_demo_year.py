"""The whole demo year (seed 2025, every community, 12 months) through ingest: nothing lost.

About two minutes: the generator writes ~950 files (~1.8 M rows) and ingest lands them.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.config import Paths
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import Ingestor
from tests.pii_scan import scan


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from pipelines.demo.generator import generate

    root = tmp_path_factory.mktemp("year")
    paths = Paths(raw=root / "raw", data=root / "data")
    truth = root / "truth"
    generate(paths.raw, truth, seed=2025, progress=False)
    Ingestor(paths).run()
    return paths, truth, read_ledger(paths.ledger)


def test_every_file_of_the_year_is_accounted_for(year):
    paths, truth, ledger = year
    files = pl.read_parquet(truth / "files.parquet")
    assert files.height > 900
    assert set(ledger["file_path"]) == set(files["path"])
    assert ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")).height == 0
    joined = files.join(ledger, left_on="path", right_on="file_path")
    assert (joined["status"] == joined["expected_status"]).all()
    read = joined.filter(pl.col("status").is_in(["landed", "superseded"]))
    assert (read["rows_read"] == read["data_rows"]).all()
    assert (read["rows_quarantined"] == read["bad_rows"]).all()


def test_lake_holds_exactly_the_landed_rows(year):
    paths, _, ledger = year
    landed = ledger.filter(pl.col("status") == "landed")
    for source in ("grids", "population", "cases", "patrols"):
        lake_rows = pl.scan_parquet(paths.lake / source / "month=2*" / "*.parquet").select(pl.len()).collect().item()
        assert lake_rows == landed.filter(pl.col("source") == source)["rows_landed"].sum(), source


def test_no_id_or_phone_number_anywhere_after_a_year(year):
    paths, _, _ = year
    hits, scanned = scan(paths.data)
    assert scanned > 900
    assert hits == []
