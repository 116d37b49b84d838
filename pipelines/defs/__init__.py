"""Collect the asset, check, job, schedule, sensor and resource definitions of GridPulse."""

import dagster as dg

from quality.dagster_checks import asset_checks as quality_asset_checks
from quality.dagster_checks import check_results_spec

from . import ingest, publish, report, transform
from .jobs import jobs
from .partitions import WRITER_POOL
from .resources import resources
from .schedules import schedules
from .sensors import raw_files_sensor

defs = dg.Definitions(
    assets=[*ingest.assets, check_results_spec, transform.warehouse_dbt_assets, publish.serving_snapshot,
            report.quarterly_report],
    asset_checks=quality_asset_checks(pool=WRITER_POOL),
    resources=resources(),
    jobs=[*jobs, report.quarterly_report_job],
    schedules=schedules,
    sensors=[raw_files_sensor, report.quarterly_report_after_close],
    executor=dg.in_process_executor,  # one writer on the lake ledger and the warehouse at a time
)
