"""Acceptance 1: each suite passes on a good batch and fails, with exactly the expected expectations,
on a crafted bad one."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from quality.batches import Batch, Context, LandedFile, list_batches, read_batch
from quality.gate import validate_frame
from tests.quality.conftest import CAISHU


def _batch(paths, source: str, month: str, scope: str | None = None) -> Batch:
    return next(b for b in list_batches(paths) if b.source == source and b.month == month
                and (scope is None or b.scope == scope))


def _failed(rows: list[dict]) -> set[str]:
    return {r["check_name"] for r in rows if not r["success"]}


def _check(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["check_name"] == name)


def test_population_suite(quality_demo, gx_runner):
    paths = quality_demo.paths
    batch = _batch(paths, "population", "2025-02", "510116003005")  # 正东街社区, its January register landed too
    good = read_batch(paths, batch)
    assert _failed(validate_frame(gx_runner, paths, batch)) == set()
    other_grid = next(g for g in Context(paths).grid_codes("2025-02") if not g.startswith(batch.scope))
    bad = (good.head(int(good.height * 0.8))  # a fifth of the residents gone
           .with_columns(name=pl.when(pl.col("source_row").is_in(good["source_row"].head(3).implode()))
                         .then(None).otherwise("name"),
                         grid_code=pl.when(pl.col("source_row") == good["source_row"][10])
                         .then(pl.lit(other_grid)).otherwise("grid_code")))
    rows = validate_frame(gx_runner, paths, batch, bad)
    assert _failed(rows) == {"required", "grid_code_known", "residents_change"}
    assert _check(rows, "required")["unexpected_count"] == 3
    assert "姓名" in _check(rows, "required")["examples"]
    assert _check(rows, "grid_code_known")["severity"] == "blocking"
    assert _check(rows, "residents_change")["severity"] == "warning"
    assert other_grid in _check(rows, "grid_code_known")["examples"]


def test_patrols_suite(quality_demo, gx_runner):
    paths = quality_demo.paths
    batch = _batch(paths, "patrols", "2025-02", "510116003001")  # 通济桥街社区
    good = read_batch(paths, batch)
    assert _failed(validate_frame(gx_runner, paths, batch)) == set()
    grids = sorted(good["grid_code"].unique())
    day = pl.col("started_at").dt.date()
    worker = good["worker_id"][0]
    bad = pl.concat([
        good.filter(pl.col("grid_code") != grids[1])  # a grid with no record in the month
        .filter(~((pl.col("grid_code") == grids[2]) & day.is_between(dt.date(2025, 2, 8), dt.date(2025, 2, 20))))
        .with_columns(worker_id=pl.when(pl.col("source_row") == good["source_row"][5]).then(None)
                      .otherwise("worker_id"),
                      grid_code=pl.when(pl.col("source_row") == good["source_row"][6]).then(pl.lit("510116003001999"))
                      .otherwise("grid_code")),
        *[good.filter(pl.col("worker_id") == worker)] * 4,  # one worker's records uploaded five times
    ])
    rows = validate_frame(gx_runner, paths, batch, bad)
    assert _failed(rows) == {"required", "grid_code_known", "patrol_gap", "every_grid_patrolled",
                             "worker_records_norm"}
    assert grids[1] in _check(rows, "every_grid_patrolled")["examples"]
    assert grids[2] in _check(rows, "patrol_gap")["examples"]
    assert worker in _check(rows, "worker_records_norm")["examples"]


def test_cases_suite(quality_demo, gx_runner):
    paths = quality_demo.paths
    batch = _batch(paths, "cases", "2025-01")
    good = read_batch(paths, batch)
    assert _failed(validate_frame(gx_runner, paths, batch)) == set()
    accepted = good.filter(pl.col("action") == "受理").row(0, named=True)
    reported = good.filter((pl.col("case_id") == accepted["case_id"]) & (pl.col("action") == "上报"))
    assert reported.height == 1
    bad = good.with_columns(  # that case's acceptance stamped two days before its report
        step_at=pl.when((pl.col("case_id") == accepted["case_id"]) & (pl.col("action") == "受理"))
        .then(pl.col("step_at") - pl.duration(days=2)).otherwise("step_at"),
        handling_level=pl.when(pl.col("source_row") == 3).then(None).otherwise("handling_level"),
        grid_code=pl.when(pl.col("source_row") == 4).then(pl.lit("510116003001999")).otherwise("grid_code"))
    rows = validate_frame(gx_runner, paths, batch, bad)
    assert _failed(rows) == {"required", "grid_code_known", "case_stage_order"}
    assert accepted["case_id"] in _check(rows, "case_stage_order")["examples"]
    assert _check(rows, "case_stage_order")["severity"] == "blocking"


def test_grids_suite(quality_demo, gx_runner):
    paths = quality_demo.paths
    batch = _batch(paths, "grids", "2025-01")
    good = read_batch(paths, batch)
    assert _failed(validate_frame(gx_runner, paths, batch)) == set()
    standard = good.filter(pl.col("grid_type") == "常规")["grid_code"]
    exclusive = good.filter(pl.col("grid_type") != "常规")["grid_code"]
    bad = good.with_columns(
        household_count=pl.when(pl.col("grid_code").is_in([standard[0], *exclusive.head(1)]))
        .then(pl.lit(650, pl.Int64)).otherwise("household_count"),  # exclusive grids are exempt from the band
        community_code=pl.when(pl.col("grid_code") == standard[1]).then(pl.lit("510116003999"))
        .otherwise("community_code"),
        grid_name=pl.when(pl.col("grid_code") == standard[2]).then(None).otherwise("grid_name"))
    rows = validate_frame(gx_runner, paths, batch, bad)
    assert _failed(rows) == {"required", "community_code_known", "household_band"}
    assert _check(rows, "household_band")["unexpected_count"] == 1
    assert _check(rows, "household_band")["severity"] == "warning"


def test_an_empty_batch_is_blocked(quality_demo, gx_runner):
    paths = quality_demo.paths
    batch = _batch(paths, "population", "2025-01", CAISHU)
    rows = validate_frame(gx_runner, paths, batch, read_batch(paths, batch).clear())
    assert "not_empty" in _failed(rows)


@pytest.mark.parametrize(("read", "quarantined", "blocked"), [
    (1000, 50, False), (1000, 51, True),  # more than 5 %
    (15, 1, False), (15, 4, False), (15, 5, True),  # a small file blocks from 5 rows on
])
def test_ledger_suite_blocks_files_with_too_many_quarantined_rows(gx_runner, read, quarantined, blocked):
    from quality.gate import base_row
    from quality.runner import ledger_rows
    from quality.suites import ledger

    files = (LandedFile("cases/2025-01/a.jsonl", "h1", "20250101", dt.datetime(2025, 1, 2), 300, 300, 0),
             LandedFile("cases/2025-01/b.jsonl", "h2", "20250102", dt.datetime(2025, 1, 3), read, read - quarantined,
                        quarantined))
    batch = Batch("cases", "2025-01", "510116003", files)
    frame = ledger.frame([batch], gx_runner.thresholds)
    result = gx_runner.validate(ledger.SUITE, ledger.build_suite, frame, {}, "ledger", ledger.INDEX_COLUMNS,
                                complete=True)
    row = ledger_rows([batch], frame, result, {batch.key: base_row(batch, "t", "", gx_runner.thresholds)})[batch.key]
    assert row["success"] is (not blocked)
    assert row["observed_number"] == pytest.approx(quarantined / read)  # the worst file's share
    assert row["element_count"] == 2 and row["unexpected_count"] == int(blocked)
