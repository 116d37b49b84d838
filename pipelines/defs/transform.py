"""The dbt project as Dagster assets (dagster-dbt); sources map onto the lake assets."""


import os
import subprocess

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ..config import DBT_PROJECT_DIR, Paths
from ..transform import dbt_env, dbt_executable
from .partitions import WRITER_POOL
from .resources import GridPulsePaths, writer

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def ensure_manifest() -> None:
    """Parse the project when the manifest is missing or older than any model, seed or macro."""
    sources = [p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0)
    if MANIFEST.exists() and MANIFEST.stat().st_mtime >= newest:
        return
    env = dbt_env(Paths.from_env()) | {"DBT_TARGET_PATH": str(MANIFEST.parent)}
    subprocess.run([dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR)], env=env,
                   cwd=DBT_PROJECT_DIR, check=True, capture_output=True)


ensure_manifest()


# Not partitioned: the models rebuild every month from the lake (full-refresh tables), so one build
# after the month partitions of the ingest assets is both correct and cheaper than one per month.
@dbt_assets(manifest=MANIFEST, pool=WRITER_POOL)
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, gridpulse: GridPulsePaths):
    paths = gridpulse.paths()
    os.environ.update({k: v for k, v in dbt_env(paths).items() if k.startswith("GRIDPULSE_")})
    with writer(context, paths):
        yield from dbt.cli(["build"], context=context, target_path=paths.data / "dbt" / "dagster-target").stream()
