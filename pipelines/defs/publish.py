"""Publish the serving snapshot once every mart is built, then the files handed out beside it."""

import dagster as dg

from pipelines.defs.partitions import WRITER_POOL
from pipelines.defs.resources import GridPulsePaths, writer
from pipelines.defs.runs import reporter
from pipelines.defs.transform import warehouse_dbt_assets
from pipelines.publish.artifacts import feedback_workbooks as write_feedback_workbooks
from pipelines.publish.snapshot import publish
from pipelines.publish.warning_list import write_warning_list


@dg.asset(key=["serving_snapshot"], group_name="serving", kinds={"duckdb"}, pool=WRITER_POOL,
          deps=list(warehouse_dbt_assets.keys),
          description="data/serving.duckdb: the read-only snapshot the dashboards open, replaced atomically.")
def serving_snapshot(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer(context, paths), reporter().step("publish"):
        path = publish(paths)
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})


@dg.asset(key=["published", "feedback_workbooks"], group_name="serving", kinds={"excel"}, pool=WRITER_POOL,
          deps=[serving_snapshot],
          description="data/published/quality/<month>/: each community's data-quality feedback workbook "
                      "(数据报送质量反馈) for each month it submitted; only workbooks whose inputs changed are written.")
def feedback_workbooks(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer(context, paths), reporter().step("artifacts"):
        counts = write_feedback_workbooks(paths)
    return dg.MaterializeResult(metadata=counts)


@dg.asset(key=["published", "warning_list"], group_name="serving", kinds={"excel"}, pool=WRITER_POOL,
          deps=[serving_snapshot],
          description="data/published/预警_<YYYY-MM-DD>.xlsx: the warnings (marts.fct_warnings) of the data's latest "
                      "day, Chinese headers, no personal data; written again only when its rows changed.")
def warning_list(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer(context, paths), reporter().step("warnings"):
        done = write_warning_list(paths)
    return dg.MaterializeResult(metadata=done)
