"""`gridpulse run` and `backfill`: the refresh job of the Dagster definitions, executed in this process
against the project's Dagster instance (data/dagster), so every command-line run shows in
`gridpulse ui` with its partitions, asset materialisations and logs.

The command line holds the writer lock for the whole run (the steps take it again, re-entrantly),
shows progress through the run's reporter (pipelines/defs/runs.py), and gets back a `RunSummary`.
Dagster's own console output and dbt's go to data/logs/dagster.log, not the terminal.

Every state of the lake runs to a published snapshot of what there is:
- an empty raw/, or a source whose files were all rejected or of the wrong kind: the source has no
  landed rows (`summary.sources_without_data`), its marts are empty and the dashboard pages say
  无数据; the rejected files are in the ledger (status, 数据质量 page) with their reasons;
- a grid table alone: the grids in force in the grid table's months, every other figure 无数据;
- registers, case or patrol logs but no grid table at all: their grid codes cannot be checked, so
  the quality gate stops the run (QualityGateFailed) with a message that names the missing grid
  table; nothing is published until it lands.
A failure raises the step's own exception after recording `summary.message` (Chinese, from
`failure_message`) and logging the traceback to data/logs/gridpulse.log; the exception carries the
failing step as `gridpulse_step`.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from pipelines.core.lock import writer_lock
from pipelines.core.logs import setup_logging
from pipelines.core.settings import ROOT, Paths
from pipelines.defs.ingest import READ_TAG
from pipelines.defs.partitions import valid_months
from pipelines.defs.runs import (
    FileProgress,
    Reporter,
    RunSummary,
    StepProgress,
    failure_message,
    now,
    record_run,
    reporting,
    sources_without_data,
    summarise,
)
from pipelines.defs.transform import SCOPE_TAG
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.routing import current_month, ledger_months
from pipelines.transform import scope
from quality.gate import QualityGateFailed
from reports import ReportError
from reports.quarter import Quarter

log = logging.getLogger("gridpulse.launch")
INSTANCE_CONFIG = ROOT / "pipelines" / "defs" / "dagster.yaml"


class MonthsOutOfRange(ValueError):
    """Months the partitions do not cover (before GRIDPULSE_FIRST_MONTH or after this month)."""


def instance_home(paths: Paths) -> Path:
    """data/dagster: the project's Dagster instance, shared by `gridpulse ui` and the command line."""
    home = (paths.data / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    return home


@contextmanager
def _quiet(paths: Paths) -> Iterator[None]:
    """Send whatever the run writes to stdout and stderr (Dagster's console log, dbt's) to a log file."""
    target = os.open(paths.logs / "dagster.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    saved = [os.dup(1), os.dup(2)]
    try:
        for fd in (1, 2):
            os.dup2(target, fd)
        yield
    finally:
        for fd, old in zip((1, 2), saved):
            os.dup2(old, fd)
            os.close(old)
        os.close(target)


def _partition(months: set[str] | None) -> dict:
    """Run tags naming the partition(s) of the run: the current month for new files, else the months."""
    if not months:
        return {"partition_key": current_month(), "tags": {READ_TAG: "new"}}
    inside = valid_months(months)
    if len(inside) != len(months):
        raise MonthsOutOfRange(sorted(set(months) - set(inside)))
    first, last = inside[0], inside[-1]
    if first == last:
        return {"partition_key": first, "tags": {}}
    return {"partition_key": None, "tags": {"dagster/asset_partition_range_start": first,
                                            "dagster/asset_partition_range_end": last}}


def _execute(paths: Paths, job_name: str, rep: Reporter, partition_key: str | None, tags: dict[str, str],
             assets: list[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    """Execute a job of the definitions (or `assets` of it) in this process, recorded in the project's
    Dagster instance."""
    from pipelines.defs import defs

    with reporting(rep), dg.DagsterInstance.from_config(str(instance_home(paths))) as instance, _quiet(paths), \
            _installation(paths):
        return defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, partition_key=partition_key, tags=tags, asset_selection=assets)


@contextmanager
def _installation(paths: Paths) -> Iterator[None]:
    """The `gridpulse` resource (GridPulsePaths) reads the installation from the environment: point it
    at `paths` for the run, and restore the environment after."""
    values = {"GRIDPULSE_RAW": str(paths.raw.resolve()), "GRIDPULSE_DATA": str(paths.data.resolve()),
              "GRIDPULSE_STREET": paths.street}
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _changed_models(select: list[str]) -> list[dg.AssetKey]:
    """The job's assets for a run that builds only the dbt models its data can change: every step but
    dbt's, and the models downstream of the lake sources in `select` (dbt selectors of
    pipelines/transform/scope.py), following dbt's graph only (not through the working-day calendar)."""
    from pipelines.defs import defs
    from pipelines.defs.transform import warehouse_dbt_assets

    graph = defs.resolve_asset_graph()
    models = set(warehouse_dbt_assets.keys)
    roots = {dg.AssetKey(s.removesuffix("+").replace("source:", "", 1).split(".")) for s in select}
    roots |= {dg.AssetKey(["lake_quality", "check_results"]) for s in select if s == "source:lake_quality+"}
    start = {child for root in roots if graph.has(root) for child in graph.get(root).child_keys if child in models}
    changed = dg.AssetSelection.assets(*start).downstream().resolve(graph) & models
    steps = {key for key in defs.resolve_job_def("refresh_months").asset_layer.executable_asset_keys
             if key not in models}
    # The staging views over the lake assets and the calendar come along (recreating a view costs
    # nothing): through them the dbt step waits for every ingest step and its blocking quality check,
    # as in a full run, even when only the bookkeeping models are rebuilt.
    lake = [k for k in steps if k.path[0] == "lake" or k == dg.AssetKey(["lake_meta", "calendar"])]
    staging = {child for key in lake for child in graph.get(key).child_keys if child in models}
    return sorted(steps | changed | staging)


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The technical account of a run that failed outside the GridPulse steps (for the log)."""
    errors = [e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure]
    return f"Dagster run {result.run_id} failed:\n" + "\n".join(errors or ["(no step failure recorded)"])


def launch_report(paths: Paths, quarter: Quarter) -> tuple[Path, Path]:
    """`gridpulse report`: the quarterly report asset of one quarter (its PDF and xlsx under
    data/published/reports/), built from the serving snapshot as the schedule builds it."""
    from pipelines.defs.report import quarterly

    setup_logging(paths)
    if quarter.start.isoformat() not in quarterly.get_partition_keys():
        raise ReportError(f"{quarter.label} 不在可生成报告的范围内（从 GRIDPULSE_FIRST_MONTH 所设月份到本季度）。")
    rep = Reporter()
    result = _execute(paths, "write_quarterly_report", rep, quarter.start.isoformat(),
                      {"gridpulse/trigger": "cli_report"})
    if rep.error is not None:
        raise rep.error
    if not result.success:
        raise RuntimeError(_failure(result))
    meta = next(e.materialization.metadata for e in result.get_asset_materialization_events())
    return Path(meta["pdf"].value), Path(meta["xlsx"].value)


def launch(paths: Paths, *, months: set[str] | None = None, force: bool = False,
           on_file: FileProgress | None = None, on_step: StepProgress | None = None, wait: bool = True,
           on_wait: Callable[[str], None] | None = None) -> RunSummary:
    """Ingest (new and changed files, every file with `force`, or every file of `months`), check, build
    and publish through the Dagster job `refresh_months`; returns the run's summary."""
    setup_logging(paths)
    summary = RunSummary(started_at=now(), kind="backfill" if months else "run",
                         months=sorted(months) if months else None)
    rep = Reporter(summary, on_file, on_step)
    where = _partition(months)
    if force:
        where["tags"] = {READ_TAG: "all"}
    with writer_lock(paths.lock, wait=wait, on_wait=on_wait, what=f"gridpulse {summary.kind}"):
        summary.locked_at = now()
        record_run(paths, summary)
        try:
            summary.dbt_select = select = scope.selection(
                paths, full=force or bool(months), arriving=set() if force or months else scope.new_file_sources(paths))
            tags = {**where["tags"], "gridpulse/trigger": f"cli_{summary.kind}"}
            if select is not None:
                tags[SCOPE_TAG] = "changed"
            result = _execute(paths, "refresh_months", rep, where["partition_key"], tags,
                              None if select is None else _changed_models(select))
            summary.dagster_run_id = result.run_id
            summarise(summary, rep.outcomes, ledger_months(read_ledger(paths.ledger)))
            summary.sources_without_data = sources_without_data(paths)
            if rep.gate is not None and not rep.gate.passed:
                raise QualityGateFailed(rep.gate)
            if rep.error is not None:
                raise rep.error
            if not result.success:
                raise RuntimeError(_failure(result))
            summary.status = "success"
        except QualityGateFailed as exc:  # blocking data problems: nothing is built or published
            summary.status, summary.message, summary.step = "blocked", str(exc), "quality"
            log.error("run %s blocked by the quality gate", summary.run_id)
            raise
        except BaseException as exc:
            summary.status = "failed" if isinstance(exc, Exception) else "interrupted"
            if isinstance(exc, Exception):
                summary.message = failure_message(exc, summary.step)
            log.error("run %s %s in step %s", summary.run_id, summary.status, summary.step, exc_info=exc)
            raise
        finally:
            summary.finished_at = now()
            record_run(paths, summary)
    return summary
