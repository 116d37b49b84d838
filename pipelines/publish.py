"""Publish the serving snapshot: a new DuckDB file beside the old one, renamed into place.

Dashboards only ever open data/serving.duckdb read-only; a reader holding the old file keeps
reading the old inode until it reconnects, and never sees a half-written snapshot.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from .config import Paths

SERVED_SCHEMAS = ("marts",)


def publish(paths: Paths) -> Path:
    tmp = paths.serving.with_name(f".{paths.serving.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach '{paths.warehouse}' as warehouse (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'warehouse' "
            "and schema_name in (select unnest(?)) order by 1, 2", [list(SERVED_SCHEMAS)]).fetchall()
        if not tables:
            raise RuntimeError("the warehouse has no marts to publish; run the transformation first")
        for schema, table in tables:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from warehouse.{schema}.{table}")
        con.execute("create schema if not exists meta")
        con.execute("create table meta.snapshot as select ?::timestamp as published_at, ? as tables_published",
                    [dt.datetime.now().replace(microsecond=0), len(tables)])
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, paths.serving)
    return paths.serving
