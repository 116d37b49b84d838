"""Rows of a population register: real-looking residents with valid ID numbers, and broken rows."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.model import Row
from tests.fuzz.rows import Grid, World, blank, code_text, enum, spelled

RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "其他")
ETHNICITIES = ("汉族", "彝族", "藏族", "回族", "羌族")


def id_text(draw, id18: str, birth: dt.date) -> str:
    """An 18-digit number as clerks type it: a lower-case x, the old 15-digit form, spaces, full width."""
    forms = [id18, id18]
    if id18.endswith("X"):
        forms.append(id18[:-1] + "x")
    if birth.year < 2000:
        forms.append(v.old_id(id18))
    forms += [f"{id18[:6]} {id18[6:14]} {id18[14:]}", v.wide(id18)]
    return draw(st.sampled_from(forms))


def resident(draw, world: World, grid: Grid, month: tuple[int, int], fmt: str, loose: bool, present: set[str]) -> Row:
    year, mon = month
    end = v.month_end(year, mon)
    n = world.next()
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2024, 12, 31)))
    foreign = draw(st.integers(0, 11)) == 0
    id18 = v.resident_id(draw(st.sampled_from(v.REGIONS)), birth, n)
    sex = "男" if n % 2 else "女"
    if foreign:  # a foreigner carries a passport number; the register's sex and birth date stand
        passport = f"{draw(st.sampled_from('EGPK'))}{n:08d}"
        text, plain = passport, "F:" + passport
        registration = "境外人员" if world.bug_shapes and draw(st.booleans()) else "境外"
    else:
        text, plain = id_text(draw, id18, birth), id18
        canon = draw(st.sampled_from(["户籍", "户籍", "流动"]))
        registration = enum(draw, "population", "registration_type", canon)
    status = draw(st.sampled_from(list(v.contract("population")["residence_status"].values)))
    registered = draw(st.dates(max(birth, dt.date(2015, 1, 1)), end))
    building, unit = draw(st.sampled_from(["1", "2", "12", "3栋", "A座"])), draw(st.sampled_from(["1", "2", "3单元"]))
    room = f"{draw(st.integers(1, 30)):02d}{draw(st.integers(1, 6)):02d}"
    room_text = draw(st.sampled_from([room, room, v.wide(room), f" {room}"]))
    cells = {
        "name": draw(st.sampled_from(v.SURNAMES)) + draw(st.sampled_from(v.GIVEN)), "id_number": text,
        "sex": enum(draw, "population", "sex", sex), "birth_date": spelled(draw, fmt, birth),
        "ethnicity": draw(st.sampled_from(ETHNICITIES)), "registration_type": registration,
        "grid_code": code_text(draw, grid.code, loose),
        "building": int(building) if fmt == "xlsx" and building.isdigit() and draw(st.booleans()) else building,
        "unit": unit, "room": room_text, "relation_to_head": draw(st.sampled_from(RELATIONS)),
        "residence_status": enum(draw, "population", "residence_status", status),
        "tags": draw(st.sampled_from(["", "独居老人", "独居老人、低保", "残疾人;低保", "空巢老人，退役军人", "留守儿童/低保"])),
        "phone": f"1{draw(st.sampled_from('3589'))}{n:09d}"[:11],
        "registered_date": spelled(draw, fmt, registered),
        "updated_date": spelled(draw, fmt, draw(st.dates(registered, end)))}
    expect = {"person_id": v.person_id(plain), "grid_code": grid.code, "community_code": grid.community,
              "registration_type": "境外" if foreign else canon, "residence_status": status}
    expect |= {k: x for k, x in (("building", v.fold(building)), ("unit", unit), ("room", room)) if k in present}
    if not foreign:  # a resident's sex and birth date are the ones the ID number encodes
        expect |= {"sex": sex, "birth_date": birth}
    return Row(cells, key=(expect["person_id"],), expect=expect, month=f"{year}-{mon:02d}")


def break_row(draw, world: World, row: Row, present: set[str]) -> None:
    """Break one rule of a resident's row."""
    defect = draw(st.sampled_from(["checksum", "id_date", "id_format", "grid", "blank", "value", "future"]))
    text = row.cells["id_number"]
    resident_id = len(v.fold(text).replace(" ", "")) == 18
    if defect in ("checksum", "id_date") and not resident_id:
        defect = "id_format"
    if defect == "id_format" and row.expect["registration_type"] == "境外":  # any short number is a passport
        defect = "grid"
    if defect == "future" and "registered_date" not in present:
        defect = "grid"
    row.valid = False
    if defect == "checksum":
        id18 = v.fold(text).replace(" ", "").upper()
        row.cells["id_number"] = id18[:17] + draw(st.sampled_from([c for c in "0123456789X" if c != id18[17]]))
        row.reason = "invalid_id_checksum"
    elif defect == "id_date":  # a 13th month, with the check character right for it
        id18 = v.fold(text).replace(" ", "")
        body = id18[:10] + "13" + id18[12:17]
        row.cells["id_number"], row.reason = body + v.check_char(body), "invalid_id_date"
    elif defect == "id_format":
        row.cells["id_number"], row.reason = v.fold(text)[:10], "invalid_id_format"
    elif defect == "grid":
        row.cells["grid_code"], row.reason = draw(st.sampled_from(world.unknown)), "unknown_grid"
    elif defect == "value":
        row.cells["registration_type"], row.reason = "待核实", "invalid_value"
    elif defect == "future":
        row.cells["registered_date"], row.reason = world.future(draw).date().isoformat(), "future_date"
    else:
        row.reason = blank(draw, row, "population", present)


def register_rows(draw, world: World, grids: list[Grid], month: tuple[int, int], fmt: str, present: set[str],
                  loose: bool, size: int) -> list[Row]:
    rows = []
    for _ in range(size):
        row = resident(draw, world, draw(st.sampled_from(grids)), month, fmt, loose, present)
        if draw(st.integers(0, 6)) == 0:
            break_row(draw, world, row, present)
        rows.append(row)
    if "residence_status" not in present:  # a register without the column lists people who live there
        for r in rows:
            r.expect["residence_status"] = "在住"
    valid = [r for r in rows if r.valid]
    if valid and draw(st.integers(0, 5)) == 0:  # the same person twice: the later row is a duplicate
        twin = draw(st.sampled_from(valid))
        rows.insert(draw(st.integers(rows.index(twin) + 1, len(rows))),
                    Row(dict(twin.cells) | {"room": "9901"}, valid=False, reason="duplicate_row"))
    return rows


def corrected(draw, world: World, rows: list[Row], grids: list[Grid], month, fmt, present, loose) -> list[Row]:
    """A corrected re-submission of a register: some people kept, some gone, some added, broken rows fixed."""
    kept = [Row(dict(r.cells), key=r.key, expect=dict(r.expect), month=r.month) for r in rows
            if r.valid and draw(st.booleans())]
    return kept + register_rows(draw, world, grids, month, fmt, present, loose, draw(st.integers(1, 4)))
