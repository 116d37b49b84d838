"""A fingerprint of the KPI marts of a published snapshot: each mart's row count and a digest of its
rows (sorted, floating values rounded to 9 decimals), so that two builds can be compared exactly
without keeping the marts themselves."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl


def kpi_fingerprint(serving: Path) -> dict[str, dict]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name like 'kpi\\_%' escape '\\' order by 1").fetchall()]
        out = {}
        for table in tables:
            frame = con.sql(f"select * from marts.{table}").pl()
            frame = frame.select(sorted(frame.columns)).with_columns(
                pl.col(c).round(9) for c, t in frame.schema.items() if t.is_float())
            frame = frame.sort(frame.columns, nulls_last=True)
            text = frame.write_csv()
            out[table] = {"rows": frame.height, "sha256": hashlib.sha256(text.encode()).hexdigest()}
        return out
    finally:
        con.close()
