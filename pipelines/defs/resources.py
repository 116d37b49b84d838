"""Resources shared by the assets: where the files are, and the dbt CLI."""


from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.core.lock import writer_lock
from pipelines.core.settings import DBT_PROJECT_DIR, Paths, engine
from pipelines.transform.dbt import dbt_executable


class GridPulsePaths(dg.ConfigurableResource):
    """Empty strings mean the defaults (GRIDPULSE_RAW / GRIDPULSE_DATA / GRIDPULSE_STREET, else the
    repo's raw/ and data/ and the demo street)."""

    raw: str = ""
    data: str = ""
    street: str = ""

    def paths(self) -> Paths:
        default = Paths.from_env()
        return Paths(raw=Path(self.raw) if self.raw else default.raw,
                     data=Path(self.data) if self.data else default.data,
                     street=self.street or default.street)


def writer(context: dg.AssetExecutionContext, paths: Paths):
    """The writer lock for one step of a Dagster run; waiting is logged in the run's log."""
    return writer_lock(paths.lock, on_wait=context.log.info, what=f"Dagster run {context.run.run_id[:8]}")


def resources() -> dict:
    return {
        "gridpulse": GridPulsePaths(),
        # GRIDPULSE_ENGINE picks the profile's target: local (DuckDB) or spark
        "dbt": DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=dbt_executable(), target="spark" if engine() == "spark" else "local"),
    }
