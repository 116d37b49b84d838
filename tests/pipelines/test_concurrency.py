"""One writer at a time: a second run waits its turn or, with --no-wait, says a run is in progress."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest

from pipelines.cli.status import recent_runs
from pipelines.core.lock import WriterBusy, read_holder, writer_lock
from pipelines.ingest.lake import read_ledger
from tests.pipelines.conftest import MONTHS
from tests.pipelines.operations import copy_install, gridpulse, mart_checksums, wait_for


def test_two_runs_at_once_run_one_after_the_other_and_a_third_is_turned_away(one_go, tmp_path):
    paths = copy_install(one_go.paths, tmp_path)
    first = gridpulse(paths, "backfill", MONTHS[0], MONTHS[-1])
    wait_for(lambda: (read_holder(paths.lock) or {}).get("pid") == first.pid, 60, "the first run to hold the lock",
             first)
    second = gridpulse(paths, "run")
    impatient = gridpulse(paths, "run", "--no-wait")
    out_impatient, _ = impatient.communicate(timeout=120)
    out_second, _ = second.communicate(timeout=300)
    out_first, _ = first.communicate(timeout=300)

    assert first.returncode == 0, out_first
    assert second.returncode == 0, out_second
    assert "等待它结束后继续" in out_second
    assert impatient.returncode == 2, out_impatient
    assert "另一个任务正在写入数据仓库" in out_impatient and f"进程 {first.pid}" in out_impatient
    assert "Traceback" not in out_impatient

    runs = [r for r in recent_runs(paths) if r["pid"] in (first.pid, second.pid)]
    assert [(r["pid"], r["status"]) for r in runs] == [(first.pid, "success"), (second.pid, "success")]
    assert runs[1]["locked_at"] >= runs[0]["finished_at"]  # strictly one after the other
    assert mart_checksums(paths.serving) == one_go.marts
    ledger = read_ledger(paths.ledger)
    assert ledger.select("file_path", "file_hash").is_unique().all()
    assert ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")
                          + pl.col("rows_already_landed")).height == 0


def test_the_lock_names_its_holder_and_is_released_when_the_holder_is_killed(tmp_path):
    lock = tmp_path / ".writer.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from pipelines.core.lock import writer_lock\n"
        f"with writer_lock(Path({str(lock)!r}), what='test holder'):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WriterBusy, match=f"进程 {holder.pid}，test holder"):
        with writer_lock(lock, wait=False):
            pass
    said = []
    os.kill(holder.pid, signal.SIGKILL)  # killed outright: no clean-up code runs
    holder.wait()
    started = time.monotonic()
    with writer_lock(lock, on_wait=said.append):
        assert read_holder(lock)["pid"] == os.getpid()
    assert time.monotonic() - started < 5 and said == []
    assert read_holder(lock) is None
