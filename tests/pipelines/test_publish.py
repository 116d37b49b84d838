"""Dashboards read a snapshot: a reader holding it open never blocks or breaks a pipeline run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest

from pipelines.core.snapshot import open_snapshot
from pipelines.publish.snapshot import PublishFailed, publish, snapshot_info
from tests.pipelines.operations import copy_install, mart_checksums, sha256


def test_reader_keeps_working_while_the_pipeline_runs_and_publishes(demo_run):
    paths = demo_run.paths
    reader = duckdb.connect(str(paths.serving), read_only=True)
    before = reader.execute("select published_at from meta.snapshot").fetchone()[0]
    cases = reader.execute("select count(*) from marts.fct_cases").fetchone()[0]
    env = os.environ | {"GRIDPULSE_RAW": str(paths.raw), "GRIDPULSE_DATA": str(paths.data)}
    time.sleep(1.1)  # published_at has one-second resolution
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--force"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reads = 0
    while run.poll() is None:
        assert reader.execute("select count(*) from marts.fct_cases").fetchone()[0] == cases
        reads += 1
        time.sleep(0.2)
    output = run.stdout.read()
    assert run.returncode == 0, output
    assert reads > 5
    # the open reader still sees its own (old) snapshot; a new connection sees the new one
    assert reader.execute("select published_at from meta.snapshot").fetchone()[0] == before
    reader.close()
    fresh = open_snapshot(paths.serving)
    assert fresh.execute("select published_at from meta.snapshot").fetchone()[0] > before
    assert fresh.execute("select count(*) from marts.fct_cases").fetchone()[0] == cases
    fresh.close()
    assert not list(paths.data.glob(".serving*.tmp"))


def test_publish_replaces_the_snapshot_with_every_mart(one_go, tmp_path):
    paths = copy_install(one_go.paths, tmp_path)
    stale = paths.data / f".{paths.serving.name}.999999.tmp"
    stale.write_bytes(b"left by a killed publish")
    publish(paths)
    assert not stale.exists()
    assert mart_checksums(paths.serving) == mart_checksums(paths.warehouse) == one_go.marts
    info = snapshot_info(paths)
    assert info["tables_published"] == len(one_go.marts) and info["ledger_ingested_at"] is not None


def test_publish_rewrites_only_the_marts_that_changed(one_go, tmp_path):
    """Nothing changed: no mart is rewritten. One mart changed, one dropped: only that mart is copied,
    the dropped one leaves the snapshot, every other mart keeps its content."""
    paths = copy_install(one_go.paths, tmp_path)
    publish(paths)
    assert snapshot_info(paths)["tables_rewritten"] == 0
    assert mart_checksums(paths.serving) == one_go.marts
    con = duckdb.connect(str(paths.warehouse))
    changed = con.execute("select count(*) from marts.kpi_street_monthly").fetchone()[0]
    con.execute("delete from marts.kpi_street_monthly where month_start = (select min(month_start) "
                "from marts.kpi_street_monthly)")
    con.execute("drop table marts.dim_grids")
    con.close()
    publish(paths)
    info = snapshot_info(paths)
    assert info["tables_rewritten"] == 1 and info["tables_published"] == len(one_go.marts) - 1
    served = mart_checksums(paths.serving)
    assert served == mart_checksums(paths.warehouse)
    assert {k: v for k, v in served.items() if "kpi_street_monthly" not in k} == {
        k: v for k, v in one_go.marts.items() if "kpi_street_monthly" not in k and "dim_grids" not in k}
    reader = open_snapshot(paths.serving)
    assert reader.execute("select count(*) from marts.kpi_street_monthly").fetchone()[0] < changed
    reader.close()


def test_a_failed_publish_leaves_the_previous_snapshot_and_no_stray_file(one_go, tmp_path):
    paths = copy_install(one_go.paths, tmp_path)
    before = sha256(paths.serving)
    con = duckdb.connect(str(paths.warehouse))
    con.execute("drop schema marts cascade")
    con.close()
    with pytest.raises(PublishFailed):
        publish(paths)
    assert sha256(paths.serving) == before
    assert [p.name for p in paths.data.iterdir() if p.name.startswith(".serving")] == []
