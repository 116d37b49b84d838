"""Rows of the two system exports: patrol records and case workflow steps, valid or broken on purpose."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.model import Row
from tests.fuzz.rows import Grid, World, blank, code_text, enum, spelled

FLOW = ("上报", "受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "评价")
CATEGORIES = (("城市管理", "占道经营"), ("城市管理", "垃圾堆放"), ("社会治安", "邻里纠纷"), ("民生服务", "路灯损坏"))
CHANNELS = ("网格员巡查", "群众小程序", "电话", "来访", "部门移交", "12345热线")
OMIT = object()  # a JSON key left out of its line


def day_in(draw, months: list[tuple[int, int]]) -> dt.date:
    year, month = draw(st.sampled_from(months))
    return dt.date(year, month, draw(st.integers(1, v.month_end(year, month).day)))


def patrol(draw, world: World, grid: Grid, months: list[tuple[int, int]], fmt: str, loose: bool,
           present: set[str]) -> Row:
    day = day_in(draw, months)
    start = dt.datetime(day.year, day.month, day.day, draw(st.integers(7, 19)), draw(st.integers(0, 59)),
                        draw(st.sampled_from([0, 0, 17, 42])))
    end = start + dt.timedelta(minutes=draw(st.integers(5, 180)))  # the same day: before 23:00
    kind = draw(st.sampled_from(["巡查", "入户走访", "重点人员走访"]))
    households = 0 if kind == "巡查" else draw(st.integers(1, 20))
    record = draw(st.sampled_from(["XC{:%Y%m%d}{:05d}", "P-{:%Y%m}-{:05d}"])).format(start, world.next())
    note = draw(st.sampled_from(v.NOTES))
    cells = {"record_id": record, "worker_id": grid.worker, "grid_code": code_text(draw, grid.code, loose),
             "started_at": spelled(draw, fmt, start, "datetime"), "ended_at": spelled(draw, fmt, end, "datetime"),
             "patrol_type": enum(draw, "patrols", "patrol_type", kind),
             "households_visited": households if fmt == "xlsx" and draw(st.booleans()) else str(households),
             "key_persons_visited": str(draw(st.integers(0, 3)) if kind == "重点人员走访" else 0),
             "reported_case_ids": draw(st.sampled_from(["", f"HY{start:%Y%m%d}0001", "HY20250101001；HY20250101002"])),
             "log_text": draw(st.sampled_from([note, note + "，联系电话13812345678", ""]))}
    expect = {"record_id": record, "worker_id": grid.worker, "grid_code": grid.code, "started_at": start,
              "ended_at": end, "patrol_type": kind}
    if "households_visited" in present:
        expect["households_visited"] = households
    return Row(cells, key=(record,), expect=expect, month=f"{start:%Y-%m}")


def break_patrol(draw, world: World, row: Row, present: set[str]) -> None:
    defect = draw(st.sampled_from(["grid", "count", "negative", "blank", "order", "future", "type"]))
    if defect in ("count", "negative") and "households_visited" not in present:
        defect = "grid"
    row.valid = False
    start = row.expect["started_at"]
    if defect == "grid":
        row.cells["grid_code"], row.reason = draw(st.sampled_from(world.unknown)), "unknown_grid"
    elif defect == "count":
        row.cells["households_visited"], row.reason = draw(st.sampled_from(["五户", "3户", "约10"])), "not_a_number"
    elif defect == "negative":
        row.cells["households_visited"], row.reason = "-1", "invalid_value"
    elif defect == "order":  # ended before it started
        row.cells["ended_at"], row.reason = f"{start - dt.timedelta(minutes=30):%Y-%m-%d %H:%M:%S}", "time_order"
    elif defect == "future":
        later = world.future(draw)
        row.cells["started_at"] = f"{later:%Y-%m-%d %H:%M}"
        row.cells["ended_at"], row.reason = f"{later + dt.timedelta(minutes=30):%Y-%m-%d %H:%M}", "future_date"
    elif defect == "type":
        row.cells["patrol_type"], row.reason = "夜间值守", "invalid_value"
    else:
        row.reason = blank(draw, row, "patrols", present)


def patrol_rows(draw, world: World, grids: list[Grid], months, fmt: str, present: set[str], loose: bool,
                size: int) -> list[Row]:
    rows = []
    for _ in range(size):
        row = patrol(draw, world, draw(st.sampled_from(grids)), months, fmt, loose, present)
        if draw(st.integers(0, 6)) == 0:
            break_patrol(draw, world, row, present)
        rows.append(row)
    valid = [r for r in rows if r.valid]
    if valid and draw(st.integers(0, 6)) == 0:  # a record number twice: the later row is a duplicate
        twin = draw(st.sampled_from(valid))
        rows.append(Row(dict(twin.cells) | {"log_text": "重复导出"}, valid=False, reason="duplicate_row"))
    return rows


def case(draw, world: World, grid: Grid, day: dt.date) -> list[Row]:
    """The steps of one case, all on one day, in workflow order."""
    number = f"HY{day:%Y%m%d}{world.next():04d}"
    level, (category, subcategory) = draw(st.integers(1, 5)), draw(st.sampled_from(CATEGORIES))
    at = dt.datetime(day.year, day.month, day.day, draw(st.integers(7, 12)), draw(st.integers(0, 59)))
    steps = []
    for action in FLOW[:draw(st.integers(1, len(FLOW)))]:
        at += dt.timedelta(minutes=draw(st.integers(1, 60)), seconds=draw(st.sampled_from([0, 0, 30])))
        cells = {"case_id": number, "step_at": spelled(draw, "jsonl", at, "datetime"), "action": action,
                 "actor_name": draw(st.sampled_from(v.SURNAMES)) + "网格员", "actor_role": "网格员",
                 "handling_level": level if draw(st.booleans()) else str(level), "category": category,
                 "subcategory": subcategory, "work_type": draw(st.sampled_from(["一般", "协调", OMIT])),
                 "channel": draw(st.sampled_from(CHANNELS)), "grid_code": grid.code,
                 "description": "居民反映" + subcategory + "，电话13900001111" if action == "上报" else OMIT,
                 "satisfaction": draw(st.sampled_from(["满意", "基本满意", "不满意"])) if action == "评价" else OMIT}
        steps.append(Row(cells, key=(number, at, action), month=f"{at:%Y-%m}", expect={
            "case_id": number, "step_at": at, "action": action, "grid_code": grid.code, "handling_level": level}))
    return steps


def break_step(draw, world: World, row: Row) -> None:
    defect = draw(st.sampled_from(["grid", "level", "range", "action", "blank", "future", "json"]))
    row.valid = False
    if defect == "grid":
        row.cells["grid_code"], row.reason = draw(st.sampled_from(world.unknown)), "unknown_grid"
    elif defect == "level":
        row.cells["handling_level"], row.reason = "二级", "not_a_number"
    elif defect == "range":
        row.cells["handling_level"], row.reason = draw(st.sampled_from([0, 6, "9"])), "invalid_value"
    elif defect == "action":
        row.cells["action"], row.reason = "办理中", "invalid_value"
    elif defect == "future":
        row.cells["step_at"], row.reason = f"{world.future(draw):%Y-%m-%d %H:%M:%S}", "future_date"
    elif defect == "json":  # a line cut off mid-way by a broken export
        row.cells["_cut"], row.reason = draw(st.integers(2, 30)), "invalid_json"
    else:
        name = draw(st.sampled_from(v.must_have("cases")))
        row.cells[name], row.reason = draw(st.sampled_from([OMIT, None, ""])), "missing_required"


def case_rows(draw, world: World, grids: list[Grid], days: list[dt.date], size: int) -> list[Row]:
    rows = []
    while len(rows) < size:
        rows += case(draw, world, draw(st.sampled_from(grids)), draw(st.sampled_from(days)))
    rows.sort(key=lambda r: r.expect["step_at"])
    for row in rows:
        if draw(st.integers(0, 7)) == 0:
            break_step(draw, world, row)
    valid = [r for r in rows if r.valid]
    if valid and draw(st.integers(0, 6)) == 0:  # the same line exported twice: a duplicate
        twin = draw(st.sampled_from(valid))
        rows.insert(rows.index(twin) + 1, Row(dict(twin.cells), valid=False, reason="duplicate_row"))
    return rows
