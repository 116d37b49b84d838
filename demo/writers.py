"""File writers: register CSVs, the grid table, text files; all byte-deterministic. Register
workbooks are written by `fast_xlsx`.

xlsxwriter runs in its default mode, not `constant_memory`: the grid table is small and
`constant_memory` cannot write vertically merged header cells (it flushes rows strictly in order).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from demo import vocab
from demo.registers import Rendered

ADDRESS = ("building", "unit", "room")


def _workbook(path: Path, created: datetime, company: str = vocab.STREET_CENTRE) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"created": created, "author": "", "company": company})
    return workbook


def register_csv_bytes(rendered: Rendered, encoding: str) -> bytes:
    """A register as CSV text: header on line 1, data from line 2 (no title, blank or totals rows)."""
    frame = pl.DataFrame(
        {f"c{i}": [None if v is None else str(v) for v in rendered.values[c]] for i, c in enumerate(rendered.columns)},
        schema={f"c{i}": pl.String for i in range(len(rendered.columns))},
    )
    frame.columns = rendered.headers
    terminator = "\n" if encoding.startswith("utf") else "\r\n"
    return frame.write_csv(line_terminator=terminator).encode(encoding)


def write_csv(path: Path, frame: pl.DataFrame, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    terminator = "\n" if encoding.startswith("utf") else "\r\n"
    path.write_bytes(frame.write_csv(line_terminator=terminator).encode(encoding))


def write_grid_table(path: Path, title: str, grids: pl.DataFrame, display_names: dict[str, str], created: datetime,
                     company: str = vocab.STREET_CENTRE, places: pl.DataFrame | None = None) -> None:
    """The street's grid table: title row, header row, one row per grid from row 3; with `places` (grid_code,
    estates, roads) two more columns 所辖小区 and 主要道路."""
    wb = _workbook(path, created, company)
    title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    head_fmt = wb.add_format({"bold": True, "align": "center", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("网格台账")
    header = vocab.GRID_HEADER + (vocab.GRID_PLACES_HEADER if places is not None else ())
    listed = {} if places is None else {g: (e, r) for g, e, r in places.select("grid_code", "estates", "roads").iter_rows()}
    ws.merge_range(0, 0, 0, len(header) - 1, title, title_fmt)
    ws.write_row(1, 0, header, head_fmt)
    for r, g in enumerate(grids.iter_rows(named=True)):  # ~140 rows, cell by cell
        row = r + 2
        ws.write_number(row, 0, r + 1)
        text = [
            g["grid_code"], g["grid_name"], display_names[g["community_code"]], g["community_code"], g["grid_type"],
        ]
        for i, value in enumerate(text):
            ws.write_string(row, 1 + i, value)
        ws.write_number(row, 6, g["households"])
        ws.write_number(row, 7, g["persons"])
        for i, key in enumerate(("chief_name", "worker_name", "worker_id", "backup_worker_id")):
            ws.write_string(row, 8 + i, g[key])
        ws.write_datetime(row, 12, datetime.combine(g["valid_from"], datetime.min.time()), date_fmt)
        ws.write_string(row, 13, g["boundary"])
        for i, value in enumerate(listed.get(g["grid_code"], ()) if places is not None else ()):
            if value:
                ws.write_string(row, 14 + i, value)
    ws.set_column(1, 2, 18)
    wb.close()
