"""The raw/ sensor asks for runs of exactly the months that new or changed files touch."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.defs.resources import GridPulsePaths
from pipelines.defs.sensors import raw_files_sensor
from pipelines.ingest.routing import current_month, month_of

RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


@pytest.fixture
def raw(ops_raw, tmp_path):
    return shutil.copytree(ops_raw, tmp_path / "raw")


def evaluate(raw, data, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, definitions=defs, resources={
        "gridpulse": GridPulsePaths(raw=str(raw), data=str(data))})
    result = raw_files_sensor(context)
    return result.run_requests or [], result.cursor


def months_requested(requests) -> list[tuple[str, str]]:
    return [(r.partition_key, r.partition_key) if r.partition_key else (r.tags[RANGE[0]], r.tags[RANGE[1]])
            for r in requests]


def test_a_new_file_starts_a_run_of_exactly_its_month(raw, one_go):
    requests, cursor = evaluate(raw, one_go.paths.data)
    assert requests == []  # every file already in the ledger: nothing to do
    resent = next((raw / "patrols" / "2025-02").glob("*.csv"))
    (raw / "patrols" / "2025-02" / f"补报_{resent.name}").write_bytes(resent.read_bytes() + b"\n")
    requests, cursor = evaluate(raw, one_go.paths.data, cursor)
    assert len(requests) == 1
    assert requests[0].partition_key == "2025-02"
    assert requests[0].tags["gridpulse/files"] == "1"
    assert evaluate(raw, one_go.paths.data, cursor)[0] == []  # asked once, not on every tick


def test_changed_files_start_their_months_and_a_touched_file_nothing(raw, one_go):
    _, cursor = evaluate(raw, one_go.paths.data)
    touched = next((raw / "cases" / "2025-01").glob("*.jsonl"))
    os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 3600))
    assert evaluate(raw, one_go.paths.data, cursor)[0] == []
    for month in ("2025-01", "2025-03"):  # two corrected re-exports, months apart: two runs
        changed = sorted((raw / "cases" / month).glob("*.jsonl"))[-1]
        changed.write_bytes(changed.read_bytes() + b"\n")
    requests, cursor = evaluate(raw, one_go.paths.data, cursor)
    assert months_requested(requests) == [("2025-01", "2025-01"), ("2025-03", "2025-03")]
    for month in ("2025-01", "2025-02"):  # neighbouring months: one run over the range
        changed = sorted((raw / "cases" / month).glob("*.jsonl"))[0]
        changed.write_bytes(changed.read_bytes() + b"\n")
    requests, _ = evaluate(raw, one_go.paths.data, cursor)
    assert months_requested(requests) == [("2025-01", "2025-02")]


def test_a_file_that_names_no_month_goes_to_the_current_month(raw, one_go):
    _, cursor = evaluate(raw, one_go.paths.data)
    grid_table = next((raw / "grids").glob("*.xlsx"))
    shutil.copyfile(grid_table, raw / "grids" / "网格台账（修订）.xlsx")
    (raw / "grids" / "网格台账（修订）.xlsx").write_bytes(grid_table.read_bytes() + b"\0")
    requests, _ = evaluate(raw, one_go.paths.data, cursor)
    assert [r.partition_key for r in requests] == [current_month()]


def test_a_fresh_install_runs_every_month_with_files_in_one_range_run(raw, tmp_path):
    context = dg.build_sensor_context(definitions=defs, resources={
        "gridpulse": GridPulsePaths(raw=str(raw), data=str(tmp_path / "data"))})
    data = raw_files_sensor.evaluate_tick(context)  # as the daemon does: requests checked against the job
    assert [r.tags.get(RANGE[0]) for r in data.run_requests] == ["2025-01"]
    assert [r.tags.get(RANGE[1]) for r in data.run_requests] == ["2025-03"]
    assert data.run_requests[0].job_name in (None, "refresh_months")


def test_the_month_of_a_file_comes_from_ledger_folder_or_name():
    known = {"population/新建文件夹/台账.xlsx": "2025-04"}
    assert month_of("population/新建文件夹/台账.xlsx", known) == "2025-04"
    assert month_of("population/2025-03/台账.xlsx", {}) == "2025-03"
    assert month_of("cases/事件流转_20250305.jsonl", {}) == "2025-03"
    assert month_of("grids/华阳街道网格台账_2025年7月调整.xlsx", {}) == "2025-07"
    assert month_of("grids/网格台账.xlsx", {}) is None
    assert current_month(dt.datetime(2025, 3, 31, 16, 30, tzinfo=dt.UTC)) == "2025-04"  # 00:30 in Shanghai


@pytest.mark.parametrize(("rel", "month"), [
    ("hotline/12345工单明细_2025年第1季度.xlsx", "2025-01"),
    ("hotline/2025年三季度工单.xlsx", "2025-07"),
    ("hotline/orders_2025Q4.csv", "2025-10"),
    ("hotline/网络理政留言_2025-03.csv", "2025-03"),  # a month in the name wins over any quarter
    ("hotline/2025-05/工单_2025年第1季度.xlsx", "2025-05"),  # and a month folder over the name
    ("hotline/工单导出.xlsx", None),  # unrouted: read by the current month's run
])
def test_a_quarter_in_a_file_name_routes_it_to_the_quarters_first_month(rel, month):
    assert month_of(rel, {}) == month
