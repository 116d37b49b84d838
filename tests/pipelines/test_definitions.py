"""The Dagster code location loads, and its asset graph runs raw → lake → dbt models → publish."""

import dagster as dg

from pipelines.definitions import defs


def _graph():
    return defs.resolve_asset_graph()


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_definitions_load_with_every_layer():
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    for expected in ("raw/population", "lake/population", "lake/cases", "lake/patrols", "lake/grids",
                     "staging/stg_population__residents", "marts/fct_cases", "marts/kpi_street_monthly",
                     "serving_snapshot"):
        assert expected in keys


def test_asset_graph_goes_raw_to_lake_to_dbt_to_publish():
    graph = _graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_population__residents"]))
    assert dg.AssetKey(["lake", "population"]) in staging.parent_keys
    assert dg.AssetKey(["raw", "population"]) in graph.get(dg.AssetKey(["lake", "population"])).parent_keys
    upstream_of_publish = _ancestors(graph, dg.AssetKey("serving_snapshot"))
    for key in (["marts", "kpi_street_monthly"], ["marts", "fct_cases"], ["lake", "cases"], ["raw", "cases"]):
        assert dg.AssetKey(key) in upstream_of_publish


def test_ingest_assets_are_monthly_partitions_and_a_range_runs_once():
    graph = _graph()
    for source in ("grids", "population", "cases", "patrols"):
        node = graph.get(dg.AssetKey(["lake", source]))
        parts = node.partitions_def
        assert isinstance(parts, dg.MonthlyPartitionsDefinition)
        assert parts.timezone == "Asia/Shanghai" and parts.fmt == "%Y-%m"
        assert parts.get_first_partition_key() == "2025-01"
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
    # dbt models and the snapshot are rebuilt whole after the months (docs/decisions.md)
    for key in (["marts", "fct_cases"], ["serving_snapshot"], ["lake_meta", "calendar"]):
        assert graph.get(dg.AssetKey(key)).partitions_def is None


def test_every_writer_queues_in_one_pool_of_one(tmp_path):
    from pathlib import Path

    import pipelines.defs as package
    from pipelines.defs.partitions import WRITER_POOL

    writers = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and a.is_executable]
    assert writers and all(a.op.pool == WRITER_POOL for a in writers)
    (tmp_path / "dagster.yaml").write_text((Path(package.__file__).parent / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1 and pools.pool_granularity.value == "run"


def test_the_jobs_schedules_and_sensor_are_defined():
    assert defs.resolve_job_def("refresh_months").partitions_def is not None
    assert defs.resolve_job_def("rebuild_and_publish").partitions_def is None
    assert {s.name for s in defs.schedules} == {"daily_current_month", "monthly_close", "quarterly_close"}
    assert [s.name for s in defs.sensors] == ["raw_files_sensor", "quarterly_report_after_close"]
    assert defs.resolve_job_def("write_quarterly_report").partitions_def is not None
