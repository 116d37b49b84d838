"""Collect the asset, check, job and resource definitions of GridPulse."""

import dagster as dg

from . import ingest, publish, transform
from .resources import resources

defs = dg.Definitions(
    assets=[*ingest.assets, transform.warehouse_dbt_assets, publish.serving_snapshot],
    resources=resources(),
    jobs=[dg.define_asset_job("refresh_all", selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw"))],
    executor=dg.in_process_executor,  # one writer on the lake ledger and the warehouse at a time
)
