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


def test_batches_taken_from_cached_parts_equal_the_parts_read_each_time(tmp_path):
    """Hand-built parts: two files sliced by community, a street-wide file, and a part written before
    slices; every request gives the rows `lake.read_part` gives, in the same order."""
    from pipelines.ingest import lake
    from quality.batches import PartCache

    sliced = pl.DataFrame({"file_hash": ["f1", "f2", "f1", "f3", "f2", "f1"],
                           "slice_key": ["A", "A", "B", "S", None, "A"], "v": [1, 2, 3, 4, 5, 6]})
    lake.write_atomic(sliced, lake.part_path(tmp_path, "patrols", "2025-01", "part-1"))
    lake.write_atomic(sliced.drop("slice_key"), lake.part_path(tmp_path, "patrols", "2025-01", "old"))
    requests = [[("f1", "A")], [("f1", "A"), ("f2", "A")], [("f1", "B"), ("f1", "A")], [("f3", None)],
                [("f2", None), ("f1", "B")], [("f9", "A")], [("f1", "Z")]]
    cache = PartCache(size=1)
    for part in ("part-1", "old", "part-1"):
        for files in requests:
            expected = lake.read_part(tmp_path, "patrols", "2025-01", part, files)
            got = cache.rows(lake.part_path(tmp_path, "patrols", "2025-01", part), files)
            assert got.equals(expected), (part, files)
    assert cache.rows(lake.part_path(tmp_path, "patrols", "2025-01", "gone"), [("f1", "A")]) is None
    assert lake.read_part(tmp_path, "patrols", "2025-01", "gone", [("f1", "A")]) is None


def test_stored_results_are_one_contiguous_frame(quality_demo):
    from quality import results

    stored = results.read_all(QualityPaths(quality_demo.paths))
    assert len(list(QualityPaths(quality_demo.paths).results.rglob("*.parquet"))) > 1
    assert stored.n_chunks() == 1
