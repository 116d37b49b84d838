"""What every reader returns: the file's rows as text cells under canonical column names."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ROW = "_row"  # each row's number as a clerk sees it in the file
# Helper columns of a spreadsheet's frame, dropped with the blank and totals rows they help find:
# the cells of columns no field maps, and the row's first three cells.
FILL, LEAD = "_fill", "_lead"
SHEET_ROW = f"{LEAD}_sheet"  # true on a spreadsheet's rows: only they can be blank or totals rows
SHEET = "_sheet"  # each row's sheet, in a workbook read sheet by sheet (`Contract.all_sheets`)


@dataclass
class RawTable:
    frame: pl.DataFrame  # canonical text columns + `_row`
    sheet: str | None
    context: str  # title rows, sheet and file name: where community and month are looked for
    unmapped: tuple[str, ...] = ()  # header cells no field of the contract names (for `gridpulse check`)
