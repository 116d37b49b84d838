"""Hypothesis strategies that build a whole submission of raw files from parts, with the builder's
own expectation of what ingest must make of each file and row.

The builder follows only the raw contracts (`pipelines/ingest/contracts/*.yaml`) and DESIGN.md §3;
it shares nothing with the demo generator, so it makes shapes the generator never does.
"""

from __future__ import annotations

import datetime as dt
import time

from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.files import case_file, junk_file, table_file
from tests.fuzz.logs import case_rows, patrol_rows
from tests.fuzz.model import FileExpect, Row, Submission
from tests.fuzz.people import corrected, register_rows
from tests.fuzz.rows import Grid, World, grid_rows

# Also build the shapes that rest on rows placing themselves (DESIGN.md §3), expecting those rules:
# case and patrol exports spanning months, street-wide registers and patrol exports, registers without
# 居住状态, grid types spelled around their value, overlapping re-exports of a log. Off, only shapes
# whose outcome does not depend on those rules are built.
NEW_SHAPES = True
# Also build the shapes that guard rules of DESIGN.md §4 (tests/fuzz/README.md lists them and what is checked).
KNOWN_BUG_SHAPES = True
# Also build the shapes ingest still gets wrong (tests/fuzz/README.md lists them): each then fails the test.
OPEN_BUG_SHAPES = True


@st.composite
def worlds(draw) -> World:
    chosen = draw(st.lists(st.sampled_from(v.communities()), min_size=1, max_size=2, unique=True))
    kinds = list(v.contract("grids")["grid_type"].values)
    grids = []
    for code, _ in chosen:
        for n in draw(st.lists(st.integers(1, 40), min_size=1, max_size=3, unique=True)):
            grids.append(Grid(f"{code}{n:03d}", code, draw(st.sampled_from(["常规", "常规", *kinds])), f"{code[-3:]}{n:02d}"))
    unknown = [f"{code}{draw(st.integers(90, 99)):03d}" for code, _ in chosen] + [f"{v.STREET}099001"]
    year, month = 2025, draw(st.integers(1, 6))
    received = dt.datetime(*v.add_months(year, month, 4), 1, 9)  # after the last month any file covers
    return World(list(chosen), grids, unknown, year, month, received, NEW_SHAPES, KNOWN_BUG_SHAPES, OPEN_BUG_SHAPES)


def community_words(draw, code: str, name: str) -> str:
    return draw(st.sampled_from([name, v.short_name(name), v.STREET_NAME + v.short_name(name), code]))


def hints(draw, source: str, community: tuple[str, str] | None, months: list[tuple[int, int]],
          must_name: bool = False):
    """The file name and title rows, with the month (and the community, if any) in either or both;
    also whether the community is named at all."""
    label = v.title(source)
    month = v.month_text(*months[0], draw(st.sampled_from(v.MONTH_STYLES)))
    month_at = draw(st.sampled_from(["title", "name", "both"]))
    places = ["title", "name", "both"] + ([] if must_name else ["nowhere"])
    who_at = draw(st.sampled_from(places)) if community else "nowhere"
    n = draw(st.integers(0, 3))
    if n == 0 and (month_at != "name" or who_at in ("title", "both")):
        n = 1  # a hint in the title needs a title row
    titles = []
    if n:
        who = community_words(draw, *community) if who_at in ("title", "both") else ""
        when = ""
        if month_at in ("title", "both"):
            span = "至" + v.month_text(*months[-1], "chinese") if len(months) > 1 else ""
            when = f"（{month}{span}）"
        street = v.STREET_NAME if who or draw(st.booleans()) else ""
        titles = [f"{street}{who}{label}{when}", "填报人：王芳　审核人：李建华", "单位：户、人"][:n]
    parts = [draw(st.sampled_from([label, label[:2]]))]
    if who_at in ("name", "both"):
        parts.insert(draw(st.integers(0, 1)), community_words(draw, *community))
    if month_at in ("name", "both"):
        parts.append(month)
    return "_".join(parts), titles, who_at != "nowhere"


def placed(world: World, rows: list[Row]) -> bool:
    """Whether a valid row places the file by its grid code (a file of broken rows only is not
    guessed at: which community and month it belongs to is left open by the design)."""
    return any(r.valid and r.cells.get("grid_code") in {g.code for g in world.grids} for r in rows)


def present_fields(draw, source: str) -> list[str]:
    specs = v.contract(source)
    always = [f for f, s in specs.items() if s.required]
    if NEW_SHAPES and source == "population" and draw(st.booleans()):  # no 居住状态 column: everyone 在住
        always.remove("residence_status")
    optional = [f for f, s in specs.items() if not s.required]
    return always + draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))


def grid_table(draw, world: World) -> FileExpect:
    fmt = draw(st.sampled_from(["xlsx", "csv"]))
    month = (world.year, world.month)
    stem, titles, _ = hints(draw, "grids", None, [month])
    present = present_fields(draw, "grids")
    rows = grid_rows(draw, world, fmt, set(present), f"{month[0]}-{month[1]:02d}")
    table = table_file(draw, world, "grids", fmt, present, rows, stem, titles, ("grids", month, v.STREET),
                       f"grid table ({fmt})", mutate=False)
    spellings = {x for values in v.contract("grids")["grid_type"].values.values() for x in values}
    if any(r.cells["grid_type"] not in spellings for r in rows if r.valid):
        table.tags.add("grid_type_spelled_around")
    return table


def register(draw, world: World, community, month, must_name: bool) -> tuple[list[FileExpect], list[FileExpect]]:
    """A community's register for a month (community None: a street-wide one), and maybe its correction."""
    fmt = draw(st.sampled_from(["xlsx", "csv"]))
    grids = world.grids_of(community[0]) if community else world.grids
    present = present_fields(draw, "population")
    stem, titles, named = hints(draw, "population", community, [month], must_name)
    rows = register_rows(draw, world, grids, month, fmt, set(present), named, draw(st.integers(1, 12)))
    while not named and not placed(world, rows):  # a file that names no community is placed by its grids
        rows += register_rows(draw, world, grids, month, fmt, set(present), named, 1)
    where, inferred = community[0] if community else "street", community is not None and not named
    # a register that names no community is street-wide (slice community None): each row lands in the
    # community of its grid, and the file holds one slice per community its rows went to
    slice_ = ("population", month, community[0] if named else None)
    first = table_file(draw, world, "population", fmt, present, rows, stem, titles, slice_,
                       f"register of {where} ({fmt})", inferred=inferred)
    first.tags |= {*(["street_wide"] if community is None else []),
                   *(["no_status_column"] if "residence_status" not in present else [])}
    # a correction of a register that names no community replaces the slices its own rows cover: the
    # first file keeps the others, and its broken rows with them (KNOWN_BUG_SHAPES)
    if first.reject or (not named and not KNOWN_BUG_SHAPES) or draw(st.integers(0, 4)):
        return [first], []
    rows = corrected(draw, world, rows, grids, month, fmt, set(present), named)
    return [first], [table_file(draw, world, "population", fmt, present, rows, stem + "_更正", titles, slice_,
                                f"corrected register of {where} ({fmt})", inferred=inferred)]


def overlapping(draw, rows: list[Row], fresh: list[Row]) -> list[Row]:
    """A log exported again over the same span: some valid rows of the first export (a log lands each
    key once: the first file landed them) and new rows."""
    again = list(fresh)  # in its own order: a duplicate row stays after the row it repeats
    for r in rows:
        if r.valid and draw(st.booleans()):
            again.insert(draw(st.integers(0, len(again))),
                         Row(dict(r.cells), key=r.key, expect=dict(r.expect), month=r.month, repeat=True))
    return again


def patrols(draw, world: World, community, months) -> tuple[list[FileExpect], list[FileExpect]]:
    """A community's (or the street's) patrol export, and maybe the same export again, overlapping."""
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    grids = world.grids_of(community[0]) if community else world.grids
    present = present_fields(draw, "patrols")
    stem, titles, named = hints(draw, "patrols", community, months)
    rows = patrol_rows(draw, world, grids, months, fmt, set(present), named, draw(st.integers(1, 14)))
    while not named and not placed(world, rows):
        rows += patrol_rows(draw, world, grids, months, fmt, set(present), named, 1)
    where, inferred = community[0] if community else "street", community is not None and not named
    first = table_file(draw, world, "patrols", fmt, present, rows, stem, titles, None,
                       f"patrols of {where} ({fmt})", inferred=inferred)
    first.tags |= {*(["street_wide"] if community is None else []), *(["spanning_months"] if len(months) > 1 else [])}
    if not NEW_SHAPES or first.reject or first.mutation != "none" or draw(st.integers(0, 3)):
        return [first], []
    fresh = patrol_rows(draw, world, grids, months, fmt, set(present), named, draw(st.integers(1, 5)))
    again = overlapping(draw, rows, fresh)
    second = table_file(draw, world, "patrols", fmt, present, again, stem + "_重新导出", titles, None,
                        f"patrols of {where} exported again ({fmt})", mutate=False, inferred=inferred)
    second.tags.add("overlapping_export")
    return [first], [second]


def cases(draw, world: World, days: list[dt.date]) -> tuple[list[FileExpect], list[FileExpect]]:
    """A case log, and maybe the same export again, overlapping it."""
    rows = case_rows(draw, world, world.grids, days, draw(st.integers(1, 12)))
    first = case_file(draw, world, rows, days)
    if len({d.month for d in days}) > 1:
        first.tags.add("spanning_months")
    if not NEW_SHAPES or first.reject or first.mutation != "none" or draw(st.integers(0, 3)):
        return [first], []
    again = overlapping(draw, rows, case_rows(draw, world, world.grids, days, draw(st.integers(1, 4))))
    again.sort(key=lambda r: r.expect.get("step_at", world.received))
    second = case_file(draw, world, again, days, suffix="_重新导出", mutate=False)
    second.tags.add("overlapping_export")
    return [first], [second]


def unique_names(files: list[FileExpect]) -> None:
    """Two files drawn alike would overwrite each other: the later one gets a mark (no digits, so the
    month and community hints stay the same)."""
    seen: set[str] = set()
    for f in files:
        stem, _, ext = f.rel.rpartition(".")
        for mark in ["", *"甲乙丙丁戊己庚辛壬癸"]:
            rel = f"{stem}{'_' + mark if mark else ''}.{ext}"
            if rel.lower() not in seen:
                break
        f.rel = rel
        seen.add(rel.lower())


@st.composite
def submissions(draw) -> Submission:
    world = draw(worlds())
    first = (world.year, world.month)
    firsts, laters = [], []

    def add(made: tuple[list[FileExpect], list[FileExpect]]) -> None:
        firsts.extend(made[0])
        laters.extend(made[1])

    unnamed: set[tuple[int, int]] = set()  # months of registers that name no community
    # with NEW_SHAPES a community's register may share the month of the street-wide one: whichever
    # comes later takes that community's slice from the other
    months = [first, v.add_months(*first, 1), *([v.add_months(*first, 2)] if NEW_SHAPES else [])]
    for community in world.communities:
        if draw(st.booleans()):
            month = draw(st.sampled_from(months))
            # two registers of a month that name no community: each keeps its broken rows, which no
            # community places (KNOWN_BUG_SHAPES)
            made = register(draw, world, community, month, month in unnamed and not KNOWN_BUG_SHAPES)
            if made[0][0].tags & {"community_from_grids"}:
                unnamed.add(month)
            add(made)
        if draw(st.booleans()):
            span = draw(st.integers(1, 3)) if NEW_SHAPES else 1
            add(patrols(draw, world, community, [v.add_months(*first, k) for k in range(span)]))
    street_month = v.add_months(*first, 2)
    if NEW_SHAPES and (KNOWN_BUG_SHAPES or street_month not in unnamed) and draw(st.booleans()):
        street = register(draw, world, None, street_month, False)  # street-wide: each row placed by its grid code
        add(street)
        if not street[0][0].reject and draw(st.booleans()):
            # then a community sends its own register of that month: it takes that community's slice
            own, _ = register(draw, world, draw(st.sampled_from(world.communities)), street_month, True)
            laters.extend(own)
    if NEW_SHAPES and draw(st.booleans()):
        add(patrols(draw, world, None, [v.add_months(*first, 2)]))
    # without NEW_SHAPES one day's export each, no two of a day (whether a second export of a day
    # replaces or adds to the first is a log rule); with it, exports of one to three months, days shared
    starts = draw(st.lists(st.integers(1, 28), max_size=2, unique=not NEW_SHAPES))
    for start in starts:
        span = draw(st.integers(1, 3)) if NEW_SHAPES else 1
        add(cases(draw, world, [dt.date(*v.add_months(*first, k), start if k == 0 else draw(st.integers(1, 28)))
                                for k in range(span)]))
    firsts += [junk_file(draw, world) for _ in range(max(draw(st.integers(0, 3)) - 1, 0))]
    files = [grid_table(draw, world), *draw(st.permutations(firsts)), *draw(st.permutations(laters))]
    unique_names(files)
    if len(files) > 1 and draw(st.integers(0, 4)) == 0:  # a file sent again under another name
        original = draw(st.sampled_from(files[1:]))
        stem, _, ext = original.rel.rpartition(".")
        files.append(FileExpect(f"{stem} - 副本.{ext}", original.source, original.data, "copy of " + original.what,
                                rows=original.rows, copy_of=original, tags={"copy"}))
        unique_names(files)
    submission = Submission(files, time.mktime(world.received.timetuple()))
    submission.settle()
    return submission
