"""A daily run builds only what its new files can change, and ends with the marts a full build gives."""

from __future__ import annotations

import json
import shutil

from pipelines.core.settings import Paths
from pipelines.defs.launch import launch
from pipelines.transform import scope as build_scope
from tests.pipelines.operations import mart_checksums


def _models_built(paths: Paths) -> set[str]:
    results = json.loads((paths.data / "dbt" / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1] for r in results if r["unique_id"].startswith("model.")}


def test_a_new_day_rebuilds_the_case_side_only_and_matches_the_full_build(ops_raw, one_go, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ops_raw, raw)
    held = tmp_path / "held"
    last_day = sorted((raw / "cases").rglob("*.jsonl"))[-1]
    held.mkdir()
    shutil.move(last_day, held / last_day.name)
    paths = Paths(raw=raw, data=tmp_path / "data")

    first = launch(paths)
    assert first.dbt_select is None  # no build yet: everything
    full_models = _models_built(paths)

    shutil.move(held / last_day.name, last_day)
    daily = launch(paths)
    assert daily.files == {"landed": 1}
    assert daily.dbt_select == ["source:lake.cases+", *build_scope.ALWAYS]
    built = _models_built(paths)
    assert "fct_cases" in built and "metric_area_kpis" in built
    # the population side (the heaviest models) does not depend on case logs or the ledger; its staging
    # view is recreated (free) so that dbt runs after every ingest step and quality check
    assert "stg_population__residents" in built
    population = {"fct_residents_monthly", "int_residents_moves", "int_residents_tagged"}
    assert built < full_models and population <= full_models and population.isdisjoint(built)
    assert mart_checksums(paths.serving) == one_go.marts

    # Nothing new: only the bookkeeping models; a changed calendar or --force: everything again.
    assert launch(paths).dbt_select == list(build_scope.ALWAYS)
    assert launch(paths, force=True).dbt_select is None
    assert mart_checksums(paths.serving) == one_go.marts


def test_data_landed_by_a_run_that_did_not_build_is_built_by_the_next(tmp_path):
    import datetime as dt

    import polars as pl

    from pipelines.ingest.lake import LEDGER_SCHEMA, write_ledger

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    paths.warehouse.parent.mkdir(parents=True)
    paths.warehouse.touch()

    def land(source: str, at: dt.datetime, status: str = "landed") -> None:
        ledger = pl.read_parquet(paths.ledger) if paths.ledger.exists() else pl.DataFrame(schema=LEDGER_SCHEMA)
        row = pl.DataFrame([{"file_path": f"{source}/{at:%H%M%S}.csv", "source": source, "status": status,
                             "ingested_at": at}], schema_overrides=LEDGER_SCHEMA)
        write_ledger(pl.concat([ledger, row], how="diagonal_relaxed"), paths.ledger)

    land("cases", dt.datetime(2025, 3, 1, 8))
    build_scope.mark_built(paths, build_scope.ledger_mark(paths))
    assert build_scope.selection(paths) == list(build_scope.ALWAYS)
    land("population", dt.datetime(2025, 3, 2, 8))  # e.g. a run the quality gate stopped
    land("patrols", dt.datetime(2025, 3, 2, 9))
    land("grids", dt.datetime(2025, 3, 2, 10), status="rejected")  # nothing landed: nothing to rebuild
    assert build_scope.selection(paths) == ["source:lake.patrols+", "source:lake.population+", *build_scope.ALWAYS]
    build_scope.forget(paths)  # a build started and failed: the next builds everything
    assert build_scope.selection(paths) is None
