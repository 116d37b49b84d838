"""Rows of each source, valid or broken on purpose, each with the values ingest must land.

A broken row breaks exactly one rule, so the builder knows it must be quarantined (and why); all
other rows are valid and must land as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.model import Row


@dataclass
class Grid:
    code: str
    community: str  # 12-digit code
    kind: str  # canonical grid type
    worker: str


@dataclass
class World:
    """What every file of a submission shares: the street's grids, the month, the time files arrive."""

    communities: list[tuple[str, str]]  # (code, full name)
    grids: list[Grid]
    unknown: list[str]  # grid codes no valid row of the grid table defines
    year: int
    month: int
    received: dt.datetime  # after every month of data: files arrive then
    new_shapes: bool = False
    bug_shapes: bool = False
    open_bugs: bool = False
    serial: list[int] = field(default_factory=lambda: [0])

    def next(self) -> int:
        """A number no other row of the submission has (keeps IDs and record numbers unique)."""
        self.serial[0] += 1
        return self.serial[0]

    def grids_of(self, community: str) -> list[Grid]:
        return [g for g in self.grids if g.community == community]

    def future(self, draw) -> dt.datetime:
        """A date with its year mistyped (2025 -> 2052): after any month a file covers, after the files
        arrived and after the day the test runs, whichever of these bounds ingest applies."""
        at = self.received + dt.timedelta(days=draw(st.integers(20, 90)), minutes=draw(st.integers(0, 600)))
        return at.replace(year=draw(st.sampled_from([2052, 2055, 2075])), day=min(at.day, 28))


def spelled(draw, fmt: str, value, kind: str = "date"):
    styles = v.DATE_STYLES + (v.EXCEL_STYLES if fmt == "xlsx" else ())
    style = draw(st.sampled_from(styles))
    return v.spell_date(value, style) if kind == "date" else v.spell_datetime(value, style)


def enum(draw, source: str, name: str, canon: str) -> str:
    return draw(st.sampled_from(v.contract(source)[name].values[canon]))


def code_text(draw, code: str, loose: bool) -> str:
    """A code as typed: stray spaces or full-width digits only where the file names its community
    (the grid codes of a file without one are what places it)."""
    if not loose:
        return code
    return draw(st.sampled_from([code, f" {code} ", v.wide(code), code]))


def blank(draw, row: Row, source: str, present: set[str]) -> str | None:
    """Leave a cell that may never be blank empty (a space counts as empty)."""
    choices = [f for f in v.must_have(source) if f in present]
    if not choices:
        return None
    row.cells[draw(st.sampled_from(choices))] = draw(st.sampled_from([None, " ", "　"]))
    return "missing_required"


def grid_row(draw, world: World, grid: Grid, fmt: str, valid_from: dt.date) -> Row:
    spellings = v.contract("grids")["grid_type"].values[grid.kind]
    if world.new_shapes and grid.kind != "常规":
        spellings += (f"专属({grid.kind})", f"专属（{grid.kind}）", f"专属网格-{grid.kind}", f"{grid.kind}专属网格")
    number = int(grid.code[-3:])
    name = dict(world.communities)[grid.community]
    as_number = fmt == "xlsx" and draw(st.booleans())  # a clerk typed the codes as numbers
    cells = {"grid_code": int(grid.code) if as_number else grid.code, "grid_name": f"第{number}网格",
             "community_name": draw(st.sampled_from([name, v.short_name(name)])),
             "community_code": int(grid.community) if as_number else grid.community,
             "grid_type": draw(st.sampled_from(spellings)), "household_count": draw(st.integers(50, 900)),
             "resident_count": draw(st.integers(100, 3000)), "grid_chief_name": "李建华", "worker_name": "王芳",
             "worker_id": grid.worker, "backup_worker_id": grid.worker[:-1] + "9",
             "valid_from": spelled(draw, fmt, valid_from), "boundary_wkt": "POLYGON((0 0,1 0,1 1,0 0))"}
    if fmt != "xlsx":
        cells["household_count"] = str(cells["household_count"])
    return Row(cells, key=(grid.code,), expect={"grid_code": grid.code, "community_code": grid.community,
                                                "grid_type": grid.kind, "grid_name": f"第{number}网格"})


def grid_rows(draw, world: World, fmt: str, present: set[str], month: str) -> list[Row]:
    valid_from = dt.date(world.year, world.month, 1) - dt.timedelta(days=draw(st.integers(0, 400)))
    rows = []
    for grid in world.grids:
        rows.append(grid_row(draw, world, grid, fmt, valid_from))
    for code in world.unknown[:draw(st.integers(0, 2))]:  # rows of grids that then stay unknown
        row = grid_row(draw, world, Grid(code, world.communities[0][0], "常规", "00000"), fmt, valid_from)
        defect = draw(st.sampled_from(["type", "community", "count", "date", "blank"]))
        row.valid, row.reason = False, {"type": "invalid_value", "community": "invalid_value", "count": "not_a_number",
                                        "date": "invalid_date", "blank": "missing_required"}[defect]
        if defect == "type":
            row.cells["grid_type"] = "临时网格"
        elif defect == "community":
            row.cells["community_code"] = world.communities[0][0][:10]
        elif defect == "count" and "household_count" in present:
            row.cells["household_count"] = "约四百户"
        elif defect == "date":
            row.cells["valid_from"] = f"{world.year}-13-45"
        else:
            row.cells["grid_name"] = None
        if defect == "count" and "household_count" not in present:
            row.cells["grid_name"], row.reason = None, "missing_required"
        rows.append(row)
    rows = draw(st.permutations(rows))
    if draw(st.integers(0, 4)) == 0:  # the same grid twice: the second row is a duplicate
        first = next(r for r in rows if r.valid)
        rows.append(Row(dict(first.cells), valid=False, reason="duplicate_row"))
    for r in rows:
        r.month = month
    return rows
