"""File writers: register workbooks and CSVs, the grid table, text files; all byte-deterministic.

xlsxwriter runs in its default mode, not `constant_memory`: every workbook here is small (one
community-month), the default mode is faster on these repetitive columns (shared strings), and
`constant_memory` cannot write the vertically merged cells of a two-row header (it flushes rows
strictly in order).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.demo import vocab
from pipelines.demo.registers import Rendered

ADDRESS = ("building", "unit", "room")


def _workbook(path: Path, created: datetime, company: str = vocab.STREET_CENTRE) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"created": created, "author": "", "company": company})
    return workbook


def write_register_xlsx(
    path: Path, rendered: Rendered, *, sheet_name: str, titles: list[str], created: datetime,
    notes_sheet: bool = False, stats: list[list] | None = None, totals: str | None = None,
) -> None:
    """A population register workbook laid out as `rendered` says (row numbers included)."""
    wb = _workbook(path, created)
    title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    head_fmt = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    if notes_sheet:
        notes = wb.add_worksheet("填表说明")
        for i, line in enumerate(vocab.NOTES_LINES):
            notes.write_string(i, 0, line)
    ws = wb.add_worksheet(sheet_name)
    cols = rendered.columns
    ncol = len(cols)
    for i in range(rendered.title_rows):
        ws.merge_range(i, 0, i, ncol - 1, titles[i], title_fmt)
    top = rendered.title_rows
    if rendered.header_rows == 2:
        address = [i for i, c in enumerate(cols) if c in ADDRESS]
        for i, label in enumerate(rendered.headers):
            if i not in address:
                ws.merge_range(top, i, top + 1, i, label, head_fmt)
        ws.merge_range(top, address[0], top, address[-1], vocab.ADDRESS_GROUP, head_fmt)
        for i in address:
            ws.write_string(top + 1, i, rendered.headers[i], head_fmt)
    else:
        for i, label in enumerate(rendered.headers):
            ws.write_string(top, i, label, head_fmt)
    ws.set_column(0, ncol - 1, 12)
    write_string, write_number = ws.write_string, ws.write_number
    plan = [(i, rendered.values[c], rendered.kinds[c]) for i, c in enumerate(cols)]
    numbers = rendered.data_row_numbers
    for i, values, kind in plan:  # the writer's API is cell by cell
        if kind == "text":
            for row, value in zip(numbers, values):
                if value is not None:
                    write_string(row - 1, i, value)
        else:
            fmt = date_fmt if kind == "date" else None
            for row, value in zip(numbers, values):
                if value is not None:
                    write_number(row - 1, i, value, fmt)
    if rendered.totals_row_number is not None:
        row = rendered.totals_row_number - 1
        write_string(row, 0, "合计")
        if totals == "count":
            write_number(row, 1, rendered.data_rows)
        else:
            write_string(row, 1, f"共{rendered.data_rows}人")
    if stats:
        sheet = wb.add_worksheet("统计")
        for r, values in enumerate(stats):
            sheet.write_row(r, 0, values)
    wb.close()


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
                     company: str = vocab.STREET_CENTRE) -> None:
    """The street's grid table: title row, header row, one row per grid from row 3."""
    wb = _workbook(path, created, company)
    title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    head_fmt = wb.add_format({"bold": True, "align": "center", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("网格台账")
    header = vocab.GRID_HEADER
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
    ws.set_column(1, 2, 18)
    wb.close()
