"""Publish the serving snapshot once every mart is built."""


import dagster as dg

from ..publish import publish
from .partitions import WRITER_POOL
from .resources import GridPulsePaths, writer
from .transform import warehouse_dbt_assets


@dg.asset(key=["serving_snapshot"], group_name="serving", kinds={"duckdb"}, pool=WRITER_POOL,
          deps=[k for k in warehouse_dbt_assets.keys],
          description="data/serving.duckdb: the read-only snapshot the dashboards open, replaced atomically.")
def serving_snapshot(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer(context, paths):
        path = publish(paths)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
