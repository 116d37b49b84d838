"""The Parquet lake, the quarantine and the file ledger (DESIGN.md §4).

A slice is what one submission replaces (a community's month, a day's case log, a street's grid
table). Slices land in part files `lake/<source>/month=YYYY-MM/<part>.parquet`, one part per month of
an ingest batch, so a backfill of thousands of small files writes a few dozen parts instead of a file
each. Rows carry `slice_key` and `file_hash`, and the ledger names each landed file's part
(`lake_part`): a corrected re-submission drops the earlier file's rows from its part before the new
ones land, so re-runs and backfills never duplicate rows. The quarantine mirrors the layout under
`_quarantine/`. A lake written before parts existed holds one slice per file, named after its slice:
`read_ledger` gives such entries their slice key as part.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from pipelines.core.settings import STREET_DIGITS

LEDGER_SCHEMA = {
    "file_path": pl.String, "file_hash": pl.String, "source": pl.String, "community_code": pl.String,
    "report_month": pl.String, "slice_key": pl.String, "sheet": pl.String, "received_at": pl.Datetime("us"),
    "rows_read": pl.Int64, "rows_landed": pl.Int64, "rows_quarantined": pl.Int64, "status": pl.String,
    "reject_code": pl.String, "message": pl.String, "duplicate_of": pl.String, "ingested_at": pl.Datetime("us"),
    "lake_part": pl.String, "months": pl.String, "pieces": pl.String, "rows_already_landed": pl.Int64,
}
QUARANTINE_SCHEMA = {
    "source": pl.String, "file_path": pl.String, "file_hash": pl.String, "sheet": pl.String,
    "report_month": pl.String, "slice_key": pl.String, "source_row": pl.Int64, "field": pl.String,
    "value": pl.String, "reason_code": pl.String, "reason": pl.String, "record_key": pl.String,
}


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_parquet(tmp, compression="zstd", compression_level=1, statistics=True)
    os.replace(tmp, path)


def part_path(root: Path, source: str, month: str, part: str) -> Path:
    return root / source / f"month={month}" / f"{part}.parquet"


def read_part(root: Path, source: str, month: str, part: str,
              files: list[str] | list[tuple[str, str | None]]) -> pl.DataFrame | None:
    """The rows some files landed in a part (None when the part is gone): `files` are hashes, or
    (hash, slice key) pairs for just a slice of a file (None: all of it)."""
    path = part_path(root, source, month, part)
    if not path.exists():
        return None
    return pl.scan_parquet(path).filter(files_filter(files, pl.read_parquet_schema(path))).collect()


def files_filter(files: list[str] | list[tuple[str, str | None]], columns) -> pl.Expr:
    """The rows of these files (hashes, or (hash, slice key) pairs) in a part with these columns."""
    pairs = [f if isinstance(f, tuple) else (f, None) for f in files]
    whole = [h for h, s in pairs if s is None]
    sliced = [f"{h}:{s}" for h, s in pairs if s is not None]
    hit = pl.col("file_hash").is_in(whole)
    if sliced and "slice_key" in columns:
        hit = hit | (pl.col("file_hash") + pl.lit(":") + pl.col("slice_key").fill_null("")).is_in(sliced)
    elif sliced:  # a part written without slices (no row of it landed): its files' rows, if any
        hit = hit | pl.col("file_hash").is_in([h for h, s in pairs if s is not None])
    return hit


def drop_files(root: Path, source: str, month: str, part: str, hashes: set[str],
               slices: set[tuple[str, str]] | None = None) -> dict[str, int]:
    """Remove the rows of these files from a part (the part goes when nothing is left); with
    `slices`, only their rows of those (file hash, slice key) pairs. Returns the rows dropped per file."""
    path = part_path(root, source, month, part)
    if not path.exists():
        return {}
    frame = pl.read_parquet(path)
    gone = pl.col("file_hash").is_in(list(hashes))
    if slices is not None:
        pairs = pl.DataFrame(list(slices), schema={"file_hash": pl.String, "slice_key": pl.String}, orient="row")
        gone = pl.struct("file_hash", pl.col("slice_key").fill_null("")).is_in(
            pairs.select(pl.struct("file_hash", "slice_key")).to_series().implode())
    dropped = frame.filter(gone)
    kept = frame.filter(~gone)
    if kept.height == 0:
        path.unlink()
    elif kept.height < frame.height:
        write_atomic(kept, path)
    return dict(dropped.group_by("file_hash").len().iter_rows())


def read_ledger(path: Path) -> pl.DataFrame:
    if not path.exists():
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    ledger = pl.read_parquet(path)
    ledger = ledger.with_columns(pl.lit(None, dtype).alias(c) for c, dtype in LEDGER_SCHEMA.items()
                                 if c not in ledger.columns)
    # a file landed before parts existed has its slice to itself, named after the slice
    # and its one month and slice are its pieces
    done = pl.col("status").is_in(["landed", "superseded"])
    return ledger.with_columns(
        lake_part=pl.when(done).then(pl.coalesce("lake_part", "slice_key")),
        months=pl.when(done).then(pl.coalesce("months", "report_month")),
        pieces=pl.when(done).then(pl.coalesce("pieces", pl.concat_str("report_month", pl.lit(":"),
                                                                      pl.col("slice_key").fill_null("")))),
        rows_already_landed=pl.col("rows_already_landed").fill_null(0))


def write_ledger(ledger: pl.DataFrame, path: Path) -> None:
    write_atomic(ledger.select(list(LEDGER_SCHEMA)).sort(["source", "file_path", "ingested_at"]), path)


def read_lake(lake: Path, source: str) -> pl.DataFrame | None:
    files = sorted((lake / source).glob("month=*/*.parquet"))
    if not files:
        return None
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def latest_grid_tables(lake: Path) -> pl.DataFrame | None:
    """The grid rows of each street's latest grid table (the month it last sent one); None without any."""
    grids = read_lake(lake, "grids")
    if grids is None or not grids.height:
        return None
    street = pl.col("community_code").str.slice(0, STREET_DIGITS)
    return grids.filter(pl.col("report_month") == pl.col("report_month").max().over(street))
