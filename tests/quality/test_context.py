"""The reference data the gate's checks read (quality.batches.Context), looked up for every batch of a
run at once, against counts taken straight from the lake and the grid table."""

from __future__ import annotations

import polars as pl

from pipelines.core.settings import Paths
from quality.batches import Context, list_batches
from quality.config import QualityPaths, Thresholds


def _lake(paths: Paths, source: str) -> pl.DataFrame:
    return pl.read_parquet(sorted((paths.lake / source).glob("month=*/*.parquet")), hive_partitioning=True,
                           hive_schema={"month": pl.String})


def test_residents_of_every_register_equal_a_count_of_its_rows_in_the_lake(quality_demo):
    paths = quality_demo.paths
    statuses = Thresholds.load()["population"]["resident_statuses"]
    expected = (_lake(paths, "population").group_by("month", "slice_key")
                .agg(pl.col("residence_status").is_in(statuses).sum()))
    context = Context(paths)
    assert expected.height >= 5  # 3 communities × 2 months, one February register missing
    for month, community, residents in expected.iter_rows():
        assert context.residents(community, month, statuses) == residents > 0
    assert context.residents("510116003999", "2025-01", statuses) is None  # no register: nothing to compare


def test_previous_register_and_grids_follow_the_ledger_and_the_grid_table(quality_demo):
    paths = quality_demo.paths
    context = Context(paths)
    registers = _lake(paths, "population").group_by("slice_key").agg(pl.col("month").unique().sort())
    for community, months in registers.iter_rows():
        assert context.previous_register(community, "2025-01") is None
        assert context.previous_register(community, "2025-03") == months[-1]
    tables = _lake(paths, "grids")
    grids = tables.filter(pl.col("month") == tables.filter(pl.col("month") <= "2025-02")["month"].max())
    assert grids["community_code"].n_unique() == 3  # the table in force in February
    for community, codes in grids.group_by("community_code").agg(pl.col("grid_code").unique().sort()).iter_rows():
        assert context.grid_codes("2025-02", community) == codes
        assert context.grids_in_force("2025-02", community) == codes  # the demo's grids all start before
    assert context.grid_codes("2025-02") == sorted(grids["grid_code"].unique().to_list())
    assert context.grid_codes("2025-02", "510116003999") == []


def test_stored_results_are_read_back_whole(quality_demo):
    from quality import results

    stored = results.read_all(QualityPaths(quality_demo.paths))
    assert stored.columns == list(results.SCHEMA) and stored.height > 0
    assert stored["batch_key"].n_unique() == len(list_batches(quality_demo.paths))
