"""What every reader returns: the file's rows as text cells under canonical column names."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ROW = "_row"  # each row's number as a clerk sees it in the file


@dataclass
class RawTable:
    frame: pl.DataFrame  # canonical text columns + `_row`
    sheet: str | None
    context: str  # title rows, sheet and file name: where community and month are looked for
