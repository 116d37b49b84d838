"""A run killed in the middle of dbt leaves the previous snapshot serving; a re-run completes it."""

from __future__ import annotations

import os
import signal

from pipelines.cli.status import recent_runs
from pipelines.core.lock import read_holder
from pipelines.core.settings import Paths
from pipelines.defs.launch import launch
from tests.pipelines.operations import copy_install, gridpulse, group_members, mart_checksums, sha256, wait_for


def test_a_run_killed_during_dbt_never_leaves_a_partial_snapshot(two_months, one_go, tmp_path):
    # January and February are published; March's files are in raw/ but not yet ingested.
    paths: Paths = copy_install(two_months.paths, tmp_path)
    before_bytes, before_marts = sha256(paths.serving), mart_checksums(paths.serving)
    assert before_marts == two_months.marts != one_go.marts
    dbt_log = paths.data / "dbt" / "target" / "dbt.log"  # dagster-dbt logs beside its target
    offset = dbt_log.stat().st_size

    run = gridpulse(paths, "run")
    # In the middle of dbt: its process is running and has already rebuilt some models.
    wait_for(lambda: any(" dbt " in f" {cmd} " or "/dbt " in cmd for _, cmd in group_members(run.pid)),
             120, "the dbt subprocess", run)
    wait_for(lambda: "OK created" in dbt_log.read_bytes()[offset:].decode(errors="replace"), 120,
             "dbt to rebuild a model", run)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL
    wait_for(lambda: not group_members(run.pid), 10, "the killed processes to go")

    # The snapshot is the one from before, byte for byte; no half-written file lies beside it.
    assert sha256(paths.serving) == before_bytes
    assert mart_checksums(paths.serving) == before_marts
    assert not list(paths.data.glob(".serving.duckdb*"))
    assert read_holder(paths.lock) is None  # the kernel dropped the lock with the process
    assert recent_runs(paths)[-1]["status"] == "interrupted"

    # Re-run: nothing new to ingest (March landed before the kill), the models are rebuilt whole.
    summary = launch(paths)
    assert summary.status == "success"
    assert mart_checksums(paths.serving) == one_go.marts
