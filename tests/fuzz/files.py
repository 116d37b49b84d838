"""Whole files: a table (xlsx or csv), a case log (JSON Lines) or junk, each maybe broken as a whole
(cut off, emptied, a required column left out, 0 bytes), with the reject codes that then apply."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.layout import csv_lines, cut_tail, jsonl_lines, table, text_bytes, xlsx_bytes
from tests.fuzz.logs import OMIT
from tests.fuzz.model import FileExpect, Row
from tests.fuzz.rows import World

MUTATIONS = ("none",) * 12 + ("cut", "drop", "hollow", "zero")


def table_file(draw, world: World, source: str, fmt: str, present: list[str], rows: list[Row], stem: str,
               titles: list[str], slice_: tuple | None, what: str, mutate: bool = True,
               inferred: bool = False) -> FileExpect:
    """A register, patrol export or grid table; `inferred`: the file does not name its community, so
    its grid codes must place it."""
    mutation = draw(st.sampled_from(MUTATIONS)) if mutate else "none"
    by_rows = slice_ is not None and slice_[2] is None  # a street-wide register: its rows make its slices
    if mutation == "cut" and (inferred or by_rows or not rows):
        # which community a cut-off file without one belongs to, or which slices the cut row of a
        # street-wide register adds (its grid's community, or none when quarantined), would be a guess
        mutation = "none"
    reject: set[str] = set()
    if mutation == "hollow":
        rows, reject = [], {"empty", "no_slice"} if inferred else {"empty"}
    elif mutation == "drop":
        gone = draw(st.sampled_from([f for f in v.must_have(source) if f in present]))
        present, reject = [f for f in present if f != gone], {"missing_column"}
    lead = world.bug_shapes and fmt == "xlsx" and draw(st.booleans())
    sheet = table(draw, source, fmt, present, rows, titles, lead_blank=lead)
    look = f"{len(titles)} title rows"
    if fmt == "xlsx":
        data = xlsx_bytes(draw, sheet, source)
        if mutation == "cut":
            data, reject = data[:draw(st.integers(1, len(data) - 1))], {"corrupt"}
    else:
        lines = csv_lines(sheet)
        encoding, newline = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"])), draw(st.sampled_from(["\n", "\r\n"]))
        cut = mutation == "cut" and len(lines) > rows[0].number  # a line after the first data row to cut in
        mutation = "none" if mutation == "cut" and not cut else mutation
        if cut:
            lines, rows = cut_tail(draw, lines, rows, rows[0].number, jsonl=False)
        data = text_bytes(lines, encoding, newline, final=not cut)
        inside = world.open_bugs or encoding.startswith("utf-8")  # a GBK one only with OPEN_BUG_SHAPES
        partial = cut and rows and rows[-1].cut  # the last line is the cut one, not a whole row before it
        if partial and world.bug_shapes and inside and not lines[-1][-1:].isascii():
            data = data[:-1]  # cut inside the last character
        look += f", {encoding}, {newline!r}"
        sheet.tags |= {encoding, *(["crlf"] if newline == "\r\n" else [])}
    if mutation == "zero":
        data, reject = b"", {"empty"}
    if not reject and not any(not r.cut for r in rows):
        reject = {"empty", "no_slice"} if inferred else {"empty"}
    suffix = fmt if draw(st.integers(0, 5)) else fmt.upper()
    tags = {fmt, f"mutation_{mutation}", *sheet.tags, *(["community_from_grids"] if inferred else [])}
    return FileExpect(f"{source}/{stem}.{suffix}", source, data, f"{what}, {mutation}, {look}", rows, slice_,
                      frozenset(reject), tags=tags, mutation=mutation)


def case_stem(draw, days: list[dt.date]) -> str:
    first, last = days[0], days[-1]
    day = draw(st.sampled_from([f"{first:%Y%m%d}", f"{first:%Y-%m-%d}"]))
    if last != first:
        day += f"-{last:%Y%m%d}"
    return draw(st.sampled_from([f"事件流转_{day}", f"event_log_{day}", f"{day}事件流转日志导出"]))


def case_file(draw, world: World, rows: list[Row], days: list[dt.date], suffix: str = "",
              mutate: bool = True) -> FileExpect:
    """An event-system export of the steps of `days` (a log: its rows place themselves, no slice)."""
    mutation = draw(st.sampled_from(MUTATIONS)) if mutate else "none"
    reject: set[str] = set()
    if mutation == "hollow":
        rows, reject = [], {"empty"}
    elif mutation == "drop":  # a required key in no line
        gone = draw(st.sampled_from(v.must_have("cases")))
        rows = [Row(dict(r.cells) | {gone: OMIT}, valid=False) for r in rows]
        reject = {"missing_column"}
    lines = jsonl_lines(draw, rows, odd_anywhere=world.bug_shapes)
    encoding, newline = draw(st.sampled_from(["utf-8", "utf-8-sig"])), draw(st.sampled_from(["\n", "\r\n"]))
    cut = mutation == "cut" and len(lines) > 1
    mutation = "none" if mutation == "cut" and not cut else mutation
    if cut:
        lines, rows = cut_tail(draw, lines, rows, 1, jsonl=True)
    data = text_bytes(lines, encoding, newline, final=not cut and draw(st.booleans()))
    if cut and world.bug_shapes and not lines[-1][-1:].isascii():
        data = data[:-1]
    if mutation == "zero":
        data, reject = b"", {"empty"}
    if not reject and not rows:
        reject = {"empty"}
    parsed = [r for r in rows if r.reason != "invalid_json"]
    if not reject and not parsed:
        reject = {"corrupt"}  # no line is a whole JSON object: cut off, or not an export at all
    if not reject and any(all(r.cells.get(f, OMIT) is OMIT for r in parsed) for f in v.must_have("cases")):
        reject = {"missing_column"}  # no line that can be read has the key at all
    ext = draw(st.sampled_from(["jsonl", "jsonl", "json", "JSONL"]))
    tags = {"jsonl", f"mutation_{mutation}", encoding, *(["crlf"] if newline == "\r\n" else []),
            *(["blank_lines"] if "" in map(str.strip, lines) else [])}
    return FileExpect(f"cases/{case_stem(draw, days)}{suffix}.{ext}", "cases", data,
                      f"case log of {len(days)} day(s), {mutation}, {encoding}, {newline!r}", rows, None,
                      frozenset(reject), tags=tags, mutation=mutation)


JUNK = {"docx": (b"PK\x03\x04\x14\x00\x06\x00 not really a Word document", {"wrong_kind"}),
        "txt": ("请各社区于每月25日前报送实有人口台账。".encode(), {"wrong_kind"}),
        "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", {"wrong_kind"}),
        "jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", {"wrong_kind"})}


def junk_file(draw, world: World) -> FileExpect:
    """What else lands in a drop folder: documents, photos, a damaged workbook, binary csv, 0 bytes."""
    source = draw(st.sampled_from(["grids", "population", "patrols", "cases"]))
    kind = draw(st.sampled_from([*JUNK, "xlsx", "csv", "zero"]))
    name = f"{draw(st.sampled_from(['附件', '报送说明', '照片', '新建文件']))}{world.next()}"
    if kind in JUNK:
        (data, reject), ext = JUNK[kind], kind
    elif kind == "xlsx":
        data, reject, ext = b"PK\x03\x04" + draw(st.binary(max_size=64)), {"corrupt"}, "xlsx"
    elif kind == "csv":
        data, reject, ext = draw(st.binary(min_size=1, max_size=64)), {"encoding", "no_header"}, "csv"
    else:
        data, reject, ext = b"", {"empty"}, draw(st.sampled_from(["csv", "xlsx", "jsonl", "docx"]))
    return FileExpect(f"{source}/{name}.{ext}", source, data, f"junk ({kind})", reject=frozenset(reject),
                      tags={f"junk_{kind}"})
