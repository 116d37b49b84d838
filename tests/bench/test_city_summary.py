"""The city benchmark's arithmetic and its memory sampling, on figures made up for the test."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.city import _tree_rss_kb
from bench.city_summary import summarise
from pipelines.ingest.contracts import SOURCES


def _stages() -> dict:
    ingest = {s: {"files": 2, "rows": 1_000, "seconds": 2.0, "peak_mb": 100.0} for s in SOURCES}
    bare = {s: {"rows": 1_000, "seconds": 0.5, "peak_mb": 50.0} for s in SOURCES}
    ingest["population"] |= {"rows": 8_000, "seconds": 4.0, "tree_peak_mb": 900.0}
    bare["population"] |= {"rows": 8_000, "seconds": 4.0}
    one = {"peak_mb": 10.0}
    return {"generate": {"peak_mb": 5.0}, "ingest": ingest, "bare": bare,
            "quality": {"seconds": 10.0, **one}, "dbt": {"seconds": 30.0, "peak_mb": 3_000.0},
            "publish": {"seconds": 2.0, **one}, "incremental": {"seconds": 6.0, **one},
            "kpi_sql": {"seconds": 3.0, **one}, "pandas": {"rows_per_s": 1},
            "kpi_models": {"seconds": 7.5, "tests_seconds": 4.0, **one},
            "queries": {"pages": [{"p95_ms": 12.0}, {"p95_ms": 40.0}], **one}}


def test_ratios_and_shares_follow_their_definitions():
    summary = summarise(_stages())
    ratios = {r["source"]: r["ratio"] for r in summary["ingest"]}
    assert ratios["population"] == 1.0 and ratios["cases"] == 0.25  # (rows/2 s) / (rows/0.5 s)
    # all sources: population's 8,000 rows in 4 s, each other source's 1,000 in 2 s (bare: 4 s and 0.5 s)
    others = len(SOURCES) - 1
    assert summary["ingest_ratio_all"] == round((4 + 0.5 * others) / (4 + 2 * others), 2)
    assert summary["dbt_over_sql"] == 10.0
    ingest_s = 4 + 2 * others
    assert summary["full_run_s"] == ingest_s + 10.0 + 30.0 + 2.0
    assert summary["incremental_share"] == round(6 / (ingest_s + 42), 3)
    assert summary["pages_p95_max_ms"] == 40.0
    assert summary["peak_mb"]["ingest population"] == 900.0 and summary["peak_mb_max"] == 3_000.0
    assert summary["kpi_like_for_like"] == {"kpi_models_s": 7.5, "kpi_tests_s": 4.0, "hand_sql_s": 3.0, "ratio": 2.5}
    assert summary["first_run_with_artifacts_s"] is None  # a run without the workbooks stage
    with_workbooks = summarise(_stages() | {"artifacts": {"seconds": 5.0, "peak_mb": 20.0}})
    assert with_workbooks["full_run_s"] == summary["full_run_s"]  # the full run of the SF=0.1 table
    assert with_workbooks["first_run_with_artifacts_s"] == summary["full_run_s"] + 5.0
    assert with_workbooks["peak_mb"]["artifacts"] == 20.0


def test_targets_are_judged_against_the_figures_and_the_sf01_gate():
    landed = 8_000 + 1_000 * (len(SOURCES) - 1)  # every source's rows landed (population: 8,000)
    slow = summarise(_stages(), {"landed_rows_per_s": {"quality": landed / 10.0}})  # same gate rate as SF=0.1
    assert slow["quality_rows_per_s_floor"] == 5 * landed / 10.0
    met = slow["targets_met"]
    assert met["quality_rows_per_s"] is False and met["kpi_models_over_sql"] is True
    assert met["incremental_share"] is False  # 6 s of a 56 s run is more than a tenth
    assert met["peak_mb"] is True and met["full_run_s"] is True and met["pages_p95_ms"] is True
    fast = summarise(_stages(), {"landed_rows_per_s": {"quality": landed / 100.0}})
    assert fast["targets_met"]["quality_rows_per_s"] is True
    assert summarise(_stages())["targets_met"]["quality_rows_per_s"] is None  # no baseline, no verdict


def test_the_memory_of_a_stage_includes_its_children():
    child = "import time; b = bytes(1) * (300 * 2**20); time.sleep(3)"  # bytes(1) * n writes every page
    code = f"import subprocess, sys, time; b = bytes(1) * (200 * 2**20); " \
           f"c = subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(3); c.wait()"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        peak = 0
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.1)
    finally:
        proc.wait()
    assert peak > 480 * 1024  # parent's 200 MB and child's 300 MB together
    assert _tree_rss_kb(os.getpid()) > 0


def test_every_stage_works_on_the_city_scope(tmp_path):
    from bench.city import SCOPE, _paths

    assert _paths(tmp_path).street == SCOPE == "5101"  # not the demo street: names repeat across the city
