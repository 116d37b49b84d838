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
