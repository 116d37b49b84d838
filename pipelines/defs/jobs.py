"""Jobs: a month (or a range of months) end to end, and a rebuild without re-reading any file."""

import dagster as dg

from pipelines.ingest.contracts import SOURCES

LAKE = dg.AssetSelection.assets(*[dg.AssetKey(["lake", s]) for s in SOURCES])
# Quarterly, built by its own job after a quarter's close (defs/report.py); the month jobs leave it out.
REPORT = dg.AssetSelection.assets(dg.AssetKey(["quarterly_report"]))

refresh_months = dg.define_asset_job(
    "refresh_months", selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw") - REPORT,
    description="Re-read every raw file of the run's month(s) into the lake, rebuild the warehouse (dbt build: "
                "models and their tests) and publish the serving snapshot. One month is a partition; a month "
                "range runs as one run.")

rebuild_and_publish = dg.define_asset_job(
    "rebuild_and_publish", selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw") - LAKE - REPORT,
    description="Working-day calendar, dbt build and publish, without reading raw files (after a model change).")

jobs = [refresh_months, rebuild_and_publish]
