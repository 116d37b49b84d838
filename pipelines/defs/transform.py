"""The dbt project as Dagster assets (dagster-dbt); sources map onto the lake assets."""

import os
import subprocess
import tempfile

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.core.settings import DBT_PROJECT_DIR, Paths
from pipelines.defs.partitions import WRITER_POOL
from pipelines.defs.resources import GridPulsePaths, writer
from pipelines.defs.runs import reporter
from pipelines.transform import scope
from pipelines.transform.dbt import NODE_DONE, DbtFailed, dbt_checks, dbt_env, dbt_executable, spark_env

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
SCOPE_TAG = "gridpulse/dbt"  # "changed": the models selected are all that the run's data can change


def ensure_manifest() -> None:
    """Parse the project when the manifest is missing or older than any model, seed or macro. The parse
    writes into a folder of its own and the manifest is moved into place in one step, so processes
    starting at the same time never read a manifest another one is still writing."""
    sources = [p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0)
    if MANIFEST.exists() and MANIFEST.stat().st_mtime >= newest:
        return
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MANIFEST.parent, prefix=".parse-") as target:
        env = dbt_env(Paths.from_env()) | {"DBT_TARGET_PATH": target}
        subprocess.run([dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR)], env=env,
                       cwd=DBT_PROJECT_DIR, check=True, capture_output=True)
        os.replace(os.path.join(target, "manifest.json"), MANIFEST)


ensure_manifest()


# Not partitioned: the models rebuild every month from the lake (full-refresh tables), so one build
# after the month partitions of the ingest assets is both correct and cheaper than one per month.
@dbt_assets(manifest=MANIFEST, pool=WRITER_POOL)
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, gridpulse: GridPulsePaths):
    """`dbt build` of the run's selected models: all of them, or for a run of new files (`gridpulse
    run`) what the files landed since the last successful build can change (pipelines/transform/scope.py)."""
    paths, rep = gridpulse.paths(), reporter()
    env, spark = dbt_env(paths), spark_env(paths)  # the lake, the warehouse; on Spark its folders, absent inputs
    os.environ.update({k: v for k, v in env.items() if k.startswith("GRIDPULSE_") or k in spark})
    target = paths.data / "dbt" / "target"
    whole = context.selected_asset_keys == set(context.assets_def.keys)
    with writer(context, paths), rep.step("dbt"):
        mark = scope.ledger_mark(paths)
        scope.forget(paths)
        (target / "run_results.json").unlink(missing_ok=True)
        # dagster-dbt turns the run's asset selection into dbt's --select (every model, or the subset
        # `gridpulse run` selected from what its new files can change: pipelines/defs/launch.py)
        invocation = dbt.cli(["build"], context=context, target_path=target, raise_on_error=False)
        done = 0
        for event in invocation.stream_raw_events():
            if m := NODE_DONE.search(event.raw_event["info"].get("msg", "")):  # "12 of 230 OK created …"
                done += 1
                rep.progress("dbt", done, int(m.group(1)))
            yield from event.to_default_asset_events(
                manifest=invocation.manifest, dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context, target_path=invocation.target_path, project=invocation.project)
        rep.summary.checks.update(dbt_checks(target / "run_results.json"))
        if not invocation.is_successful():
            raise DbtFailed(f"dbt build failed: {invocation.get_error()}")
        if whole or context.run.tags.get(SCOPE_TAG) == "changed":
            scope.mark_built(paths, mark)  # a subset picked by hand leaves the next build to build all
