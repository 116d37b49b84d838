"""The quarterly situation-analysis report: an asset per quarter, built from the serving snapshot
once the quarter's months have been refreshed and published (after the quarterly_close run)."""

import datetime as dt

import dagster as dg

from pipelines.defs.jobs import refresh_months
from pipelines.defs.partitions import FIRST_MONTH, WRITER_POOL
from pipelines.defs.publish import serving_snapshot
from pipelines.defs.resources import GridPulsePaths
from pipelines.defs.runs import reporter
from pipelines.ingest.routing import TIMEZONE
from reports import build_report
from reports.quarter import Quarter

# One partition per quarter, keyed by its first day (2025-07-01 = 2025Q3).
quarterly = dg.TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1,4,7,10 *", fmt="%Y-%m-%d",
                                              start=f"{FIRST_MONTH}-01", timezone=TIMEZONE)


@dg.asset(key=["quarterly_report"], group_name="serving", kinds={"pdf", "excel"}, partitions_def=quarterly,
          pool=WRITER_POOL,  # not a warehouse writer, but never beside a publish or another report
          deps=[serving_snapshot],
          description="data/published/reports/<街道>_<季度>_季度形势分析报告.pdf and .xlsx: the quarter's figures, changes, "
                      "hot spots and data quality, read from the serving snapshot (the dashboard's numbers).")
def quarterly_report(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    quarter = Quarter.of(dt.date.fromisoformat(context.partition_key))
    with reporter().step("report"):
        pdf, xlsx = build_report(gridpulse.paths(), quarter)
    return dg.MaterializeResult(metadata={"quarter": quarter.label, "pdf": str(pdf), "xlsx": str(xlsx),
                                          "pdf_bytes": pdf.stat().st_size})


quarterly_report_job = dg.define_asset_job(
    "write_quarterly_report", selection=[quarterly_report],
    description="Write one quarter's situation-analysis report (PDF and xlsx) from the published snapshot.")


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[refresh_months],
                      request_job=quarterly_report_job, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="After the quarterly_close schedule's refresh has published: write that quarter's report.")
def quarterly_report_after_close(context: dg.RunStatusSensorContext):
    tags = context.dagster_run.tags
    if tags.get("gridpulse/trigger") != "quarter_close":
        return dg.SkipReason("not a quarter-close refresh")
    first = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    if not first:
        return dg.SkipReason("the refresh named no month")
    quarter = Quarter.of(dt.date.fromisoformat(f"{first}-01"))
    key = quarter.start.isoformat()
    return dg.RunRequest(run_key=f"report-{quarter.label}-{context.dagster_run.run_id}", partition_key=key,
                         tags={"gridpulse/trigger": "quarter_report"})
