"""Collect the asset, check, job, schedule, sensor and resource definitions of GridPulse."""

import dagster as dg

from pipelines.defs import ingest, publish, report, transform
from pipelines.defs.jobs import jobs
from pipelines.defs.quality_checks import asset_checks, check_results_spec
from pipelines.defs.resources import resources
from pipelines.defs.schedules import schedules
from pipelines.defs.sensors import raw_files_sensor

defs = dg.Definitions(
    assets=[*ingest.assets, check_results_spec, transform.warehouse_dbt_assets, publish.serving_snapshot,
            publish.feedback_workbooks, publish.warning_list, report.quarterly_report],
    asset_checks=asset_checks,
    resources=resources(),
    jobs=[*jobs, report.quarterly_report_job],
    schedules=schedules,
    sensors=[raw_files_sensor, report.quarterly_report_after_close],
    executor=dg.in_process_executor,  # one writer on the lake ledger and the warehouse at a time
)
