"""The report as an xlsx workbook: one sheet per table, numbers stored as numbers (with Excel number
formats), `无数据` and `—` as text, and a 说明 sheet with the narrative and the definitions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from pipelines.core.texts import DEFINITIONS, NOTE_CUTOFF, NOTE_SOURCE, SHEETS, TITLE
from reports.figures import Figures
from reports.tables import Table, all_tables

TITLE_ROW, HEADER_ROW = 0, 2  # a table's header is on row 3; its data start on row 4
NUMBER_FORMATS = {
    "count": "#,##0", "rate": "0.0%", "number": "0.0", "datetime": "yyyy-mm-dd hh:mm",
    "change:count": '+0.0%;-0.0%;0.0%', "change:rate": '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"',
    "change:number": "+0.0;-0.0;0.0",
}


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.cache: dict[str, object] = {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True,
                                       "valign": "vcenter"})
        self.missing = book.add_format({"font_color": "#7F7F7F", "align": "right", "border": 1})
        self.text = book.add_format({"border": 1})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})

    def number(self, kind: str):
        if kind not in self.cache:
            self.cache[kind] = self.book.add_format({"num_format": NUMBER_FORMATS[kind], "border": 1})
        return self.cache[kind]


def _value(cell, kind: str):
    """Rates of change are stored as percentage points (×100) so the cell reads as it prints."""
    if kind == "change:rate" and isinstance(cell, (int, float)):
        return cell * 100
    return cell


def _write_table(sheet, formats: _Formats, table: Table, title: str) -> None:
    sheet.write(TITLE_ROW, 0, title, formats.title)
    for j, column in enumerate(table.columns):
        sheet.write(HEADER_ROW, j, column.label, formats.header)
        sheet.set_column(j, j, max(10, min(42, 2 * len(column.label) + 2)))
    for i, row in enumerate(table.rows):
        row_kind = table.row_kinds[i] if table.row_kinds else None
        for j, (column, cell) in enumerate(zip(table.columns, row)):
            kind = row_kind if column.kind == "row" else column.kind
            kind = f"change:{row_kind}" if column.kind == "change" else kind
            r = HEADER_ROW + 1 + i
            if isinstance(cell, bool) or not isinstance(cell, (int, float, dt.datetime)) or kind == "text":
                sheet.write_string(r, j, str(cell), formats.missing if cell in ("无数据", "—") else formats.text)
            else:
                sheet.write(r, j, _value(cell, kind), formats.number(kind))
    if table.note:
        sheet.write(HEADER_ROW + len(table.rows) + 2, 0, table.note)
    sheet.freeze_panes(HEADER_ROW + 1, 1)


def _about(sheet, formats: _Formats, figures: Figures, narrative: list[str]) -> None:
    current = figures.street["current"]
    lines = [(TITLE.format(street=figures.street_name, quarter=figures.quarter.zh), formats.title), ("", None)]
    lines += [(p, formats.wrap) for p in narrative] + [("", None)]
    lines.append((NOTE_SOURCE.format(published_at=f"{figures.published_at:%Y-%m-%d %H:%M}"), None))
    if not current["is_complete"]:
        lines.append((NOTE_CUTOFF.format(as_of_date=f"{current['as_of_date']:%Y-%m-%d}"), None))
    lines += [("", None), ("指标口径", formats.title)] + [(f"{term}：{text}", formats.wrap) for term, text in DEFINITIONS]
    sheet.set_column(0, 0, 110)
    for i, (text, fmt) in enumerate(lines):
        sheet.write(i, 0, text, fmt) if fmt else sheet.write(i, 0, text)


def write_xlsx(figures: Figures, narrative: list[str], path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    book = xlsxwriter.Workbook(str(tmp), {"remove_timezone": True})
    book.set_properties({"title": TITLE.format(street=figures.street_name, quarter=figures.quarter.zh),
                         "author": "GridPulse"})
    formats = _Formats(book)
    _about(book.add_worksheet(SHEETS["about"]), formats, figures, narrative)
    for table in all_tables(figures):
        sheet = book.add_worksheet(table.title[:31])
        _write_table(sheet, formats, table, f"{figures.street_name} {figures.quarter.zh} {table.title}")
    book.close()
    tmp.replace(path)
    return path
