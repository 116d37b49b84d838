"""The Parquet lake, the quarantine and the file ledger (DESIGN.md §4).

Slices are files `lake/<source>/month=YYYY-MM/<slice>.parquet`; writing a slice replaces it
atomically, so a corrected re-submission or a backfill never duplicates rows.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

LEDGER_SCHEMA = {
    "file_path": pl.String, "file_hash": pl.String, "source": pl.String, "community_code": pl.String,
    "report_month": pl.String, "slice_key": pl.String, "sheet": pl.String, "received_at": pl.Datetime("us"),
    "rows_read": pl.Int64, "rows_landed": pl.Int64, "rows_quarantined": pl.Int64, "status": pl.String,
    "reject_code": pl.String, "message": pl.String, "duplicate_of": pl.String, "ingested_at": pl.Datetime("us"),
}
QUARANTINE_SCHEMA = {
    "source": pl.String, "file_path": pl.String, "file_hash": pl.String, "sheet": pl.String,
    "report_month": pl.String, "slice_key": pl.String, "source_row": pl.Int64, "field": pl.String,
    "value": pl.String, "reason_code": pl.String, "reason": pl.String,
}


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_parquet(tmp, compression="zstd", compression_level=1, statistics=True)
    os.replace(tmp, path)


def slice_path(root: Path, source: str, month: str, slice_key: str) -> Path:
    return root / source / f"month={month}" / f"{slice_key}.parquet"


def read_ledger(path: Path) -> pl.DataFrame:
    if path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=LEDGER_SCHEMA)


def write_ledger(ledger: pl.DataFrame, path: Path) -> None:
    write_atomic(ledger.select(list(LEDGER_SCHEMA)).sort(["source", "file_path", "ingested_at"]), path)


def read_lake(lake: Path, source: str) -> pl.DataFrame | None:
    files = sorted((lake / source).glob("month=*/*.parquet"))
    if not files:
        return None
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
