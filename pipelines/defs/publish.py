"""Publish the serving snapshot once every mart is built."""


import dagster as dg

from ..lock import writer_lock
from ..publish import publish
from .resources import GridPulsePaths
from .transform import warehouse_dbt_assets



@dg.asset(key=["serving_snapshot"], group_name="serving", kinds={"duckdb"},
          deps=[k for k in warehouse_dbt_assets.keys],
          description="data/serving.duckdb: the read-only snapshot the dashboards open, replaced atomically.")
def serving_snapshot(gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer_lock(paths.lock):
        path = publish(paths)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
