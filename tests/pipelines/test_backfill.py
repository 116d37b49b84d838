"""Backfills are idempotent: twice the same range, month by month, or from Dagster — the same marts."""

from __future__ import annotations

import polars as pl

from pipelines.cli.commands import main
from pipelines.cli.status import recent_runs
from pipelines.core.settings import Paths
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.lake import read_ledger
from tests.pipelines.conftest import MONTHS
from tests.pipelines.operations import copy_install, mart_checksums


def test_the_clean_backfill_builds_every_mart(one_go):
    core = ("fct_cases", "fct_patrols", "fct_residents_monthly", "kpi_street_monthly", "fct_files_received")
    assert all(one_go.marts.get(name, (0,))[0] > 0 for name in core), one_go.marts
    assert len(one_go.marts) >= 10


def test_backfilling_the_same_range_twice_gives_identical_marts(one_go, tmp_path, capsys):
    paths = copy_install(one_go.paths, tmp_path)
    capsys.readouterr()
    main(["--raw", str(paths.raw), "--data", str(paths.data), "backfill", MONTHS[0], MONTHS[-1]])
    out = capsys.readouterr().out
    assert mart_checksums(paths.serving) == one_go.marts
    # the second backfill re-read every file of the range (not only new ones) and said so
    run = recent_runs(paths)[-1]
    assert (run["kind"], run["status"], run["months"]) == ("backfill", "success", list(MONTHS))
    assert sum(run["files"].values()) == read_ledger(paths.ledger).height
    assert run["checks"].get("pass", 0) > 0 and set(run["checks"]) <= {"pass"}
    for text in ("补录完成", "入库", "隔离", "数据检查通过", "实有人口台账", "2025-03"):
        assert text in out


def test_month_by_month_equals_one_go(two_months, one_go, tmp_path):
    paths = copy_install(two_months.paths, tmp_path)
    main(["--raw", str(paths.raw), "--data", str(paths.data), "backfill", MONTHS[2], MONTHS[2]])
    assert mart_checksums(paths.serving) == one_go.marts
    ledger = read_ledger(paths.ledger)
    assert ledger.select("file_path", "file_hash").is_unique().all()
    assert ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")
                          + pl.col("rows_already_landed")).height == 0


def test_a_dagster_backfill_of_the_range_is_one_run_with_the_same_marts(one_go, ops_raw, tmp_path, monkeypatch):
    from pipelines.definitions import defs
    from pipelines.defs.resources import GridPulsePaths

    for name in ("GRIDPULSE_LAKE", "GRIDPULSE_WAREHOUSE"):  # the dbt asset exports them; restore afterwards
        monkeypatch.delenv(name, raising=False)
    paths = Paths(raw=ops_raw, data=tmp_path / "data")
    # What the UI launches for a range backfill of single-run assets: one run tagged with the range.
    result = defs.resolve_job_def("refresh_months").execute_in_process(
        tags={"dagster/asset_partition_range_start": MONTHS[0], "dagster/asset_partition_range_end": MONTHS[-1]},
        resources={"gridpulse": GridPulsePaths(raw=str(paths.raw), data=str(paths.data))})
    assert result.success
    done = {(e.asset_key.to_user_string(), e.partition) for e in result.get_asset_materialization_events()}
    assert {(f"lake/{s}", m) for s in SOURCES for m in MONTHS} <= done
    assert ("serving_snapshot", None) in done and ("marts/fct_cases", None) in done
    assert mart_checksums(paths.serving) == one_go.marts
