"""Find ID numbers and mobile numbers in clear anywhere under a data folder."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import duckdb
import polars as pl

# Delimited by anything but ASCII letters/digits (and not after a decimal point), so hex digests,
# longer codes and the fractions of floats in JSON do not match.
ID_RE = r"(^|[^0-9A-Za-z.])\d{17}[0-9Xx]([^0-9A-Za-z]|$)"
PHONE_RE = r"(^|[^0-9A-Za-z.])1[3-9]\d{9}([^0-9A-Za-z]|$)"


def _frame_hits(frame: pl.DataFrame, where: str) -> list[str]:
    hits = []
    for col, dtype in frame.schema.items():
        if dtype == pl.String:
            s = frame[col]
            n = int(s.str.contains(ID_RE).sum() or 0) + int(s.str.contains(PHONE_RE).sum() or 0)
            if n:
                hits.append(f"{where}:{col} ({n} values)")
    return hits


def _duckdb_hits(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        hits = []
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        for schema, table in tables:
            frame = con.sql(f'select * from "{schema}"."{table}"').pl()
            hits += _frame_hits(frame, f"{path.name}/{schema}.{table}")
        return hits
    finally:
        con.close()


def _sqlite_hits(path: Path) -> list[str]:
    """Every text value of an SQLite database (the Dagster instance's run and event storage): its
    file bytes would split values across pages and join unrelated digits."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        hits = []
        for (table,) in con.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in con.execute(f'select * from "{table}"'):
                text = "\n".join(v if isinstance(v, str) else v.decode("utf-8", "replace")
                                 for v in row if isinstance(v, (str, bytes)))
                if re.search(ID_RE, text) or re.search(PHONE_RE, text):
                    hits.append(f"{path.name}/{table}")
                    break
        return hits
    finally:
        con.close()


def scan(data: Path) -> tuple[list[str], int]:
    """(places where a personal number was found, number of files scanned)."""
    hits, scanned = [], 0
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        if path.name == ".pii_key" or "demo" in path.relative_to(data).parts[:1]:
            continue  # the generator's truth is test input, not pipeline output
        scanned += 1
        if path.suffix == ".parquet":
            hits += _frame_hits(pl.read_parquet(path), str(path.relative_to(data)))
        elif path.suffix == ".duckdb":
            hits += _duckdb_hits(path)
        elif path.suffix == ".db" and path.read_bytes()[:16] == b"SQLite format 3\x00":
            hits += [str(path.relative_to(data).parent / h) for h in _sqlite_hits(path)]
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
            if re.search(ID_RE, text) or re.search(PHONE_RE, text):
                hits.append(str(path.relative_to(data)))
    return hits, scanned
