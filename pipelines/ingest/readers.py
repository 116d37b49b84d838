"""Turn a raw file into a table of text cells under canonical column names.

Readers find the header under title rows, flatten merged two-row headers, pick the sheet that
holds the data, drop blank and totals rows and keep each row's number as a clerk sees it.
Everything stays text here; typing and validation happen in `validate.py`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import fastexcel
import numpy as np
import polars as pl

from pipelines.ingest.contracts import Contract, normalize_header
from pipelines.ingest.encoding import BOM, head_text, utf8
from pipelines.ingest.errors import rejection
from pipelines.ingest.jsonl import read_jsonl
from pipelines.ingest.table import FILL, LEAD, ROW, SHEET, SHEET_ROW, RawTable

HEADER_SCAN_ROWS = 15


def _score(cells: list, aliases: dict[str, str]) -> int:
    return len({aliases[h] for h in map(normalize_header, cells) if h in aliases})


def _header_line(lines: list[str], aliases: dict[str, str]) -> int | None:
    """The line of a csv that names the most fields (at least two): the scan stops at the first line
    after the best one that names fewer, so the data lines below a header are not scored."""
    best, at = 1, None
    for i, line in enumerate(lines):
        score = _score(line.split(","), aliases)
        if score > best:
            best, at = score, i
        elif at is not None and score < best:
            break
    return at


def _locate_header(grid: pl.DataFrame, aliases: dict[str, str]) -> tuple[int, list[str | None], int] | None:
    """Return (header row index, header cell per column, rows the header spans)."""
    top = grid.head(HEADER_SCAN_ROWS).rows()
    scores = [_score(list(r), aliases) for r in top]
    if not scores or max(scores) < 2:
        return None
    h = scores.index(max(scores))
    header = [normalize_header(c) or None for c in top[h]]
    if h + 1 < len(top):
        below = [normalize_header(c) or None for c in top[h + 1]]
        matched = [i for i, c in enumerate(header) if c in aliases]
        extra = [i for i, c in enumerate(below) if c in aliases and header[i] not in aliases]
        # A merged two-row header: the second row names sub-columns and is empty under the
        # cells of the first row that were merged downwards.
        if extra and all(below[i] is None for i in matched):
            merged = [below[i] if i in extra else header[i] for i in range(len(header))]
            return h, merged, 2
    return h, header, 1


def _canonical(grid: pl.DataFrame, header: list[str | None], aliases: dict[str, str], first_row: int,
               row_offset: int) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """The data rows under canonical column names, built without a query of their own, and the
    header cells no field names.

    Blank and totals rows are dropped later, over a whole batch of files (`validate.drop_filler`),
    which costs one pass instead of several per file: for that the frame also carries the columns no
    field maps (`_fill<i>`) and the row's first three cells (`_lead<i>`).
    """
    data = grid.slice(first_row)
    start = first_row + row_offset
    columns = [pl.Series(ROW, np.arange(start, start + data.height, dtype=np.int64))]
    picked: dict[str, str] = {}
    rest = []
    for col, head in zip(grid.columns, header):
        name = aliases.get(head or "")
        if name and name not in picked:
            picked[name] = col
        else:
            rest.append(col)
    unmapped = tuple(h for h in header if h and h not in aliases)
    columns += [data.get_column(c).alias(n) for n, c in picked.items()]
    columns += [data.get_column(c).alias(f"{FILL}{i}") for i, c in enumerate(rest)]
    columns += [data.get_column(c).alias(f"{LEAD}{i}") for i, c in enumerate(grid.columns[:3])]
    columns = [c if c.dtype == pl.String or c.name == ROW else c.cast(pl.String) for c in columns]
    return pl.DataFrame([*columns, pl.Series(SHEET_ROW, np.ones(data.height, dtype=bool))]), unmapped


def read_xlsx(path: Path, contract: Contract) -> RawTable:
    aliases = contract.alias_map()
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own types for every kind of damage
        raise rejection("corrupt:xlsx", path.name) from exc
    best, found_all = None, []
    for idx, name in enumerate(reader.sheet_names):
        try:
            grid = reader.load_sheet(idx, header_row=None, dtypes="string").to_polars()
        except Exception:
            continue
        if grid.width == 0:
            continue
        found = _locate_header(grid, aliases)
        if found and contract.all_sheets and set(contract.required) <= {aliases.get(h or "") for h in found[1]}:
            found_all.append((name, grid, found))
        if found and (best is None or _score(found[1], aliases) > _score(best[2][1], aliases)):
            best = (name, grid, found)
    if best is None:
        raise rejection("no_header", path.name, contract)
    if len(found_all) > 1:
        return _all_sheets(path, found_all, aliases)
    name, grid, (h, header, span) = best
    titles = [" ".join(str(c) for c in r if c) for r in grid.head(h).rows()]
    frame, unmapped = _canonical(grid, header, aliases, h + span, row_offset=first_row(path, name))
    return RawTable(frame, name, " ".join([*titles, name, path.stem]), unmapped)


def _all_sheets(path: Path, sheets: list, aliases: dict[str, str]) -> RawTable:
    """Every sheet that holds the contract's required columns (a workbook with a sheet per month), each
    under its own header; each row keeps its sheet (`_sheet`) and its row number in that sheet."""
    frames, contexts, unmapped = [], [], []
    for name, grid, (h, header, span) in sheets:
        frame, missed = _canonical(grid, header, aliases, h + span, row_offset=first_row(path, name))
        frames.append(frame.with_columns(pl.lit(name, pl.String).alias(SHEET)))
        contexts += [" ".join(str(c) for c in r if c) for r in grid.head(h).rows()] + [name]
        unmapped += [u for u in missed if u not in unmapped]
    # the helper columns (`_fill<i>`, `_lead<i>`) differ in number between sheets: missing ones are empty
    frame = pl.concat(frames, how="diagonal_relaxed")
    return RawTable(frame, "、".join(s[0] for s in sheets), " ".join([*contexts, path.stem]), tuple(unmapped))


SHEET_HEAD = 1 << 18  # bytes of a sheet's XML searched for its first cell with a value
FIRST_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?(?:v|t)\b',
                        re.S)  # a self-closed cell (`<c r="A1" s="2"/>`, a styled empty cell) has no value


def first_row(path: Path, sheet: str) -> int:
    """The spreadsheet row number of a sheet's first cell with a value (fastexcel's first row: it
    skips the empty rows above it), so row numbers are the ones a clerk sees; 1 when unknown."""
    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml")
            rels = z.read("xl/_rels/workbook.xml.rels")
            rid = _attr_of(book, rb"<(?:\w+:)?sheet\b[^>]*", b"name", sheet.encode(), rb'r:id="([^"]+)"')
            target = rid and _attr_of(rels, rb"<(?:\w+:)?Relationship\b[^>]*", b"Id", rid, rb'Target="([^"]+)"')
            if not target:
                return 1
            part = target.decode().lstrip("/")
            part = part if part.startswith("xl/") else f"xl/{part}"
            with z.open(part) as fh:
                found = FIRST_CELL.search(fh.read(SHEET_HEAD))
    except (KeyError, OSError, zipfile.BadZipFile):
        return 1
    return int(found.group(1)) if found else 1


def _attr_of(xml: bytes, element: bytes, key: bytes, value: bytes, wanted: bytes) -> bytes | None:
    """`wanted`'s group of the first `element` whose attribute `key` is `value` (XML-escaped)."""
    escaped = value.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;").replace(b'"', b"&quot;")
    for m in re.finditer(element, xml):
        if re.search(rb'\b' + key + rb'="' + re.escape(escaped) + rb'"', m.group(0)):
            hit = re.search(wanted, m.group(0))
            return hit.group(1) if hit else None
    return None


def read_csv(path: Path, contract: Contract) -> RawTable:
    """A UTF-8 file (the usual case) goes to polars as it is, so only its head is decoded here;
    anything else (GBK, or UTF-8 broken further in) is decoded whole and re-encoded."""
    raw = path.read_bytes().removeprefix(BOM)
    head = head_text(raw)
    if head is not None:
        try:
            return _csv_table(path, raw, head, contract)
        except pl.exceptions.ComputeError:
            pass  # UTF-8 at its head only
    try:
        text, data = utf8(raw)
    except UnicodeDecodeError as exc:
        raise rejection("encoding:csv", path.name) from exc
    return _csv_table(path, data, text, contract)


def _csv_table(path: Path, data: bytes, text: str, contract: Contract) -> RawTable:
    """Parse UTF-8 csv bytes under the header found in `text`, their decoded head."""
    aliases = contract.alias_map()
    lines = text[:20_000].splitlines()[:HEADER_SCAN_ROWS]
    h = _header_line(lines, aliases)
    if h is None:
        raise rejection("no_header", path.name, contract)
    grid = pl.read_csv(io.BytesIO(data), has_header=False, skip_rows=h, infer_schema=False,
                       truncate_ragged_lines=True, quote_char='"')
    header = [normalize_header(c) or None for c in grid.row(0)]
    frame, unmapped = _canonical(grid, header, aliases, 1, row_offset=h + 1)
    return RawTable(frame, None, " ".join([*lines[:h], path.stem]), unmapped)


READERS = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".csv": read_csv, ".jsonl": read_jsonl, ".json": read_jsonl}


def read_file(path: Path, contract: Contract) -> RawTable:
    reader = READERS.get(path.suffix.lower())
    if path.stat().st_size == 0:
        raise rejection("empty:zero_bytes", path.name)
    if reader is None:
        raise rejection("wrong_kind", path.name, contract)
    table = reader(path, contract)
    missing = [f for f in contract.required if f not in table.frame.columns]
    if missing:
        exc = rejection("missing_column", path.name, contract, missing)
        exc.unmapped, exc.missing = table.unmapped, tuple(missing)
        raise exc
    if table.frame.height == 0:
        raise rejection("empty", path.name)
    return table


MONTH_PATTERNS = (
    re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月"),
    re.compile(r"(20\d{2})[-_./](\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(\d{2})(?!\d)"),
)


def find_month(context: str) -> str | None:
    """The first `YYYY年M月`, `YYYY-MM` or `YYYYMM` in the title rows or the file name."""
    for pattern in MONTH_PATTERNS:
        for y, m in pattern.findall(context):
            if 1 <= int(m) <= 12:
                return f"{y}-{int(m):02d}"
    return None


def find_date(context: str) -> str | None:
    m = re.search(r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?!\d)", context)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
