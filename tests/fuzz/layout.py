"""Lay rows out as a clerk's file: title rows, one- or two-row headers under any alias, shuffled and
unknown columns, blank and totals rows, several sheets, encodings, line endings, and cut-off tails.

Every writer numbers the rows as a clerk sees them (Excel row, or line of a text file) and returns the
file's lines or sheets; `cut_tail` drops the end of a text file at a character boundary.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

import xlsxwriter
from hypothesis import strategies as st

from tests.fuzz import vocab as v
from tests.fuzz.logs import OMIT
from tests.fuzz.model import Row

FILLER = ("已核实", "无", "待回访", "", "系统导入")
TOTALS = ("合计", "合　计", "总计", "小计")
SUMMARY = (("项目", "数量"), ("录入条数", 12), ("核实条数", 10))  # the summary sheet beside the data
# The builder's own words must name no field of any contract, or a file would not read as it expects.
assert not [w for w in (*v.EXTRA_HEADERS, *v.GROUP_LABELS, *FILLER, *(str(x) for r in SUMMARY for x in r))
            if w and v.is_header(w)], "a word of the fuzz builder is a header alias of a contract"


@dataclass
class Sheet:
    """The data sheet (or a csv) as a grid of cells, and where the rows went."""

    cells: list[list]
    merges: list[tuple[int, int, int, int, str]]
    name: str
    tags: set[str]  # the shapes the layout took (counted in the fuzz report)


def header_text(draw, source: str, name: str) -> str:
    text = draw(st.sampled_from(v.contract(source)[name].headers))
    spaced = draw(st.sampled_from([text, text, text, f" {text}", f"{text} ", text[:1] + "　" + text[1:]]))
    return spaced if len(text) > 1 and not text.isascii() else text


def table(draw, source: str, fmt: str, present: list[str], rows: list[Row], titles: list[str],
          lead_blank: bool = False) -> Sheet:
    """Lay a table out: which header names each column, in which order, with which filler rows."""
    extras = draw(st.lists(st.sampled_from(v.EXTRA_HEADERS), max_size=2, unique=True))
    columns = draw(st.permutations([(f, header_text(draw, source, f)) for f in present] + [(None, e) for e in extras]))
    width = len(columns)
    cells: list[list] = [[None] * width for _ in range(lead_blank)]  # a template that starts lower down
    merges = []
    tags = {f"title_rows_{len(titles)}", *(["extra_columns"] if extras else []),
            *(["header_spaces"] if any(h != h.strip() or "　" in h for _, h in columns) else [])}
    for t in titles:
        if fmt == "xlsx" and width > 1 and draw(st.booleans()):
            merges.append((len(cells), 0, len(cells), width - 1, t))
            cells.append([None] * width)
            tags.add("merged_title")
        else:
            cells.append([t] + [None if fmt == "xlsx" else ""] * (width - 1) if draw(st.booleans()) else [t])
    if titles and draw(st.integers(0, 3)) == 0:
        cells.append([])
    header = [h for _, h in columns]
    group = two_row_group(draw, columns) if fmt == "xlsx" else None
    if group is None:
        cells.append(header)
    else:  # a label merged over a few columns, whose own headers sit in the second row
        start, stop, label = group
        top, below = len(cells), len(cells) + 1
        cells += [[None] * width, [None] * width]
        for c, h in enumerate(header):
            if start <= c < stop:
                cells[below][c] = h
            elif draw(st.booleans()):
                merges.append((top, c, below, c, h))
            else:
                cells[top][c] = h
        merges.append((top, start, top, stop - 1, label))
        tags.add("two_row_header")
    for i, row in enumerate(rows):
        row.number = len(cells) + 1
        cells.append([i + 1 if f is None and h == "序号" else draw(st.sampled_from(FILLER)) if f is None
                      else row.cells.get(f) for f, h in columns])
        if draw(st.integers(0, 6)) == 0:
            cells.append([] if fmt == "xlsx" or draw(st.booleans()) else [""] * width)
            tags.add("blank_rows")
    if draw(st.integers(0, 2)) == 0:
        total = [draw(st.sampled_from(TOTALS))] + [None] * (width - 1)
        if width > 2:
            total[-1] = len(rows)
        cells.append(total)
        tags.add("totals_row")
    name = draw(st.sampled_from(["台账", "Sheet1", "数据", "导出结果", v.title(source)]))
    return Sheet(cells, merges, name, tags)


def two_row_group(draw, columns) -> tuple[int, int, str] | None:
    """A run of columns under one merged label: only where the first header row still names more
    fields than the second (it is the row a reader takes for the header)."""
    if len(columns) < 4 or draw(st.integers(0, 2)):
        return None
    size = draw(st.integers(2, 3))
    start = draw(st.integers(0, len(columns) - size))
    inside = sum(f is not None for f, _ in columns[start:start + size])
    outside = sum(f is not None for f, _ in columns) - inside
    if inside == 0 or outside <= inside:
        return None
    return start, start + size, draw(st.sampled_from(v.GROUP_LABELS))


def xlsx_bytes(draw, sheet: Sheet, source: str) -> bytes:
    """The data sheet among a few others (instructions, a summary, an empty sheet)."""
    others = draw(st.lists(st.sampled_from(["填表说明", "统计", "空白"]), max_size=2, unique=True))
    at = draw(st.integers(0, len(others)))
    sheet.tags.add(f"sheets_{len(others) + 1}")
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2025, 1, 1)})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for _i, name in enumerate(others[:at] + [None] + others[at:]):
        if name is None:
            ws = book.add_worksheet(sheet.name)
            for r, line in enumerate(sheet.cells):
                for c, value in enumerate(line):
                    put(ws, r, c, value, stamp)
            for r0, c0, r1, c1, text in sheet.merges:
                ws.merge_range(r0, c0, r1, c1, text)
        else:
            ws = book.add_worksheet(name)
            if name == "填表说明":
                for r, text in enumerate(["填表说明", f"1. 请按{v.title(source)}模板填写", "2. 日期请填写为2025-03-05格式"]):
                    ws.write_string(r, 0, text)
            elif name == "统计":
                for r, line in enumerate(SUMMARY):
                    for c, value in enumerate(line):
                        put(ws, r, c, value, stamp)
    book.close()
    return buf.getvalue()


def put(ws, r: int, c: int, value, stamp) -> None:
    if value is None or value is OMIT:
        return
    if isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, stamp)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def csv_lines(sheet: Sheet) -> list[str]:
    def cell(value) -> str:
        text = "" if value is None or value is OMIT else str(value)
        return f'"{text}"' if "," in text or '"' in text else text
    return [",".join(cell(x) for x in line) for line in sheet.cells]


def json_line(draw, row: Row, keys: dict[str, str], compact: bool) -> str:
    obj = {keys[f]: value for f, value in row.cells.items() if value is not OMIT and not f.startswith("_")}
    text = json.dumps(obj, ensure_ascii=draw(st.integers(0, 4)) == 0,
                      separators=(",", ":") if compact else (", ", ": "))
    if "_cut" in row.cells:
        text = text[:min(row.cells["_cut"], len(text) - 1)]
    return text


def jsonl_lines(draw, rows: list[Row], odd_anywhere: bool = False) -> list[str]:
    """Lines of an event-system export: English or Chinese keys (per file or per line), blank lines,
    a key spelled with a stray space or in full width: in every line of the file and for a required
    field (`odd_anywhere`: also in some lines only, or for any field)."""
    per_line = draw(st.integers(0, 3)) == 0
    odd = draw(st.sampled_from(v.must_have("cases") if not odd_anywhere else sorted(v.contract("cases"))))
    odd = odd if draw(st.integers(0, 7)) == 0 and (odd_anywhere or not per_line) else None

    def keys() -> dict[str, str]:
        chosen = {f.name: draw(st.sampled_from(f.headers)) for f in v.contract("cases").values()}
        if odd and (not per_line or draw(st.booleans())):
            key = chosen[odd]
            chosen[odd] = draw(st.sampled_from([key[:1] + " " + key[1:], v.wide(key) if key.isascii() else f" {key}"]))
        return chosen
    fixed, compact = keys(), draw(st.booleans())
    lines = []
    for row in rows:
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "  "])))
        row.number = len(lines) + 1
        lines.append(json_line(draw, row, keys() if per_line else fixed, compact))
    return lines


def text_bytes(lines: list[str], encoding: str, newline: str, final: bool) -> bytes:
    return (newline.join(lines) + (newline if final else "")).encode(encoding)


def cut_tail(draw, lines: list[str], rows: list[Row], first: int, jsonl: bool) -> tuple[list[str], list[Row]]:
    """Cut a text file off inside line `i` (>= `first`): later rows are gone, the partial one is either
    a broken JSON line or (csv) a row whose fate is unknown."""
    i = draw(st.integers(first, len(lines) - 1))
    keep = draw(st.integers(0, max(len(lines[i]) - 1, 0)))
    by_line = {r.number - 1: r for r in rows}
    kept = [r for r in rows if r.number - 1 < i]
    if keep:
        part = by_line.get(i)
        if jsonl and part is not None:
            part.valid, part.reason, part.cut = False, "invalid_json", False
            kept.append(part)
        elif not jsonl:  # a data, blank or totals row cut short: read or not, but never landed unless data
            kept.append(part if part is not None else Row({}, valid=False, number=i + 1))
            kept[-1].cut = True
    return lines[:i] + ([lines[i][:keep]] if keep else []), kept
