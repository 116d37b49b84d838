"""Publish the serving snapshot: a new DuckDB file beside the old one, renamed into place.

Dashboards only ever open data/serving.duckdb read-only; a reader holding the old file keeps
reading the old inode until it reconnects, and never sees a half-written snapshot. The new file
is checked (every mart copied, row counts equal) and flushed to disk before the rename, and the
rename is flushed too, so a crash at any moment leaves either the old snapshot or the new one.
The caller holds the writer lock.

A publish starts from a copy of the current snapshot and rewrites only the marts whose content
changed: each served table's digest (its row count and the sum of its rows' hashes) is kept in
`meta.table_digests`, so a one-day run that rebuilt the case side copies the case marts and leaves
the population history where it is. A snapshot without digests is written whole.

The marts come from the engine that built them: the DuckDB warehouse, or with GRIDPULSE_ENGINE=spark
the Parquet folders of Spark's warehouse (data/spark/warehouse/marts.db/<table>/, Hive-style
partition folders included). Spark's decimals are published as doubles, as DuckDB builds them, so
the dashboards read the same types from either engine.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.core.settings import Paths, engine
from pipelines.core.snapshot import open_snapshot

SERVED_SCHEMAS = ("marts",)


class PublishFailed(RuntimeError):
    pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ledger_ingested_at(paths: Paths, con: duckdb.DuckDBPyConnection):
    if not paths.ledger.exists():
        return None
    return con.execute("select max(ingested_at) from read_parquet(?)", [str(paths.ledger)]).fetchone()[0]


def publish(paths: Paths) -> Path:
    for stale in paths.serving.parent.glob(f".{paths.serving.name}.*.tmp"):
        stale.unlink(missing_ok=True)  # left by a publish that was killed; we hold the writer lock
    tmp = paths.serving.with_name(f".{paths.serving.name}.{os.getpid()}.tmp")
    kept = _start_from_current(paths, tmp)
    con = duckdb.connect(str(tmp))
    try:
        tables = _spark_marts(paths, con) if engine() == "spark" else _warehouse_marts(paths, con)
        if not tables:
            raise PublishFailed("the warehouse has no marts to publish; run the transformation first")
        current = {(schema, table) for schema, table, _ in tables}
        for schema, table in kept:
            if (schema, table) not in current:  # a mart the warehouse no longer has
                con.execute(f"drop table {schema}.{table}")
        digests = []
        for schema, table, relation in tables:
            digest = _digest(con, relation)
            digests.append((schema, table, digest))
            if kept.get((schema, table)) == digest:
                continue
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create or replace table {schema}.{table} as select * from {relation}")
            copied, source = con.execute(f"select (select count(*) from {schema}.{table}), "
                                         f"(select count(*) from {relation})").fetchone()
            if copied != source:
                raise PublishFailed(f"{schema}.{table}: copied {copied} rows of {source}")
        con.execute("drop schema if exists meta cascade")
        con.execute("create schema meta")
        con.execute("create table meta.snapshot as select ?::timestamp as published_at, ? as tables_published, "
                    "?::timestamp as ledger_ingested_at, ? as tables_rewritten",
                    [dt.datetime.now().replace(microsecond=0), len(tables), _ledger_ingested_at(paths, con),
                     sum(kept.get((s_, t)) != d for s_, t, d in digests)])
        con.execute("create table meta.table_digests (schema_name varchar, table_name varchar, digest varchar)")
        con.executemany("insert into meta.table_digests values (?, ?, ?)", digests)
        if engine() != "spark":
            con.execute("detach warehouse")
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    _fsync(tmp)
    os.replace(tmp, paths.serving)
    _fsync(paths.serving.parent)
    return paths.serving


def _digest(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """A table's content, order aside: its row count and the sum of its rows' hashes."""
    rows, total = con.execute(f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {relation} t").fetchone()
    return f"{rows}:{total}"


def _start_from_current(paths: Paths, tmp: Path) -> dict[tuple[str, str], str]:
    """Copy the current snapshot to `tmp` when it records its tables' digests; returns them (else {})."""
    if not paths.serving.exists():
        return {}
    try:
        con = open_snapshot(paths.serving)
        try:
            rows = con.execute("select schema_name, table_name, digest from meta.table_digests").fetchall()
        finally:
            con.close()
    except duckdb.Error:  # a snapshot from before digests (or unreadable): write the new one whole
        return {}
    shutil.copyfile(paths.serving, tmp)
    return {(schema, table): digest for schema, table, digest in rows}


def _warehouse_marts(paths: Paths, con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, relation) of every served table of the DuckDB warehouse, attached read-only."""
    con.execute(f"attach '{paths.warehouse}' as warehouse (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'warehouse' "
        "and schema_name in (select unnest(?)) order by 1, 2", [list(SERVED_SCHEMAS)]).fetchall()
    return [(schema, table, f"warehouse.{schema}.{table}") for schema, table in tables]


def _spark_marts(paths: Paths, con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, relation) of every mart Spark wrote: its Parquet files read by DuckDB, decimals
    as doubles."""
    folders = sorted(p for p in paths.spark_marts.iterdir() if p.is_dir()) if paths.spark_marts.is_dir() else []
    out = []
    for folder in folders:
        if not any(folder.rglob("*.parquet")):
            continue  # a table Spark is still creating, or one it dropped
        files = str(folder / "**" / "*.parquet").replace("'", "''")
        parquet = f"read_parquet('{files}', hive_partitioning = true)"
        columns = con.execute(f"describe select * from {parquet}").fetchall()
        select = ", ".join(f'cast("{name}" as double) as "{name}"' if kind.startswith("DECIMAL") else f'"{name}"'
                           for name, kind, *_ in columns)
        out.append(("marts", folder.name, f"(select {select} from {parquet})"))
    return out


def snapshot_info(paths: Paths) -> dict | None:
    """What the serving snapshot holds: when it was published, how many marts, which imports."""
    if not paths.serving.exists():
        return None
    con = open_snapshot(paths.serving)
    try:
        row = con.execute("select * from meta.snapshot").fetchone()
        names = [d[0] for d in con.description]
    finally:
        con.close()
    return dict(zip(names, row)) | {"path": paths.serving, "bytes": paths.serving.stat().st_size}
