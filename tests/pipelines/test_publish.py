"""Dashboards read a snapshot: a reader holding it open never blocks or breaks a pipeline run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb

from pipelines.snapshot import open_snapshot


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
