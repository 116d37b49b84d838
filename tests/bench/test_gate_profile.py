"""The gate profile (bench/gate_profile.py) on the small demo street (tests/conftest.py demo_run): it
validates the batches it is asked for, splits their time, and leaves the installation's results alone."""

from __future__ import annotations

from bench.gate_profile import measure


def test_the_profile_splits_batches_time_and_writes_nothing_into_the_installation(demo_run):
    quality = demo_run.paths.lake / "_quality"
    before = {p: p.stat().st_mtime_ns for p in quality.rglob("*.parquet")}

    figures = measure(demo_run.paths, "population", 2)

    assert figures["batches"] == 2 and figures["rows"] > 1_000
    shares = figures["share_of_profiled_time"]
    assert 0.3 < shares["gx_run"] <= 1.0
    assert 0 < shares["read_batch"] < 1 and 0 < shares["write_results"] < 1
    # GX's parts are inside its run
    assert shares["gx_metric_graph"] + shares["gx_metrics"] + shares["gx_store"] <= shares["gx_run"]
    assert {p: p.stat().st_mtime_ns for p in quality.rglob("*.parquet")} == before
