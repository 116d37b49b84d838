"""Compare the marts of two serving snapshots row for row: the same lake built on two engines
(DuckDB and Spark) must give the same KPI marts.

    .venv/bin/python -m bench.snapshot_compare data-duckdb/serving.duckdb data-spark/serving.duckdb [--all]

Per mart: the same columns (order aside), the same number of rows, and the same rows as multisets,
floating values equal to 1e-9 (relative, or absolute below 1). Decimals and floats are compared as
doubles, integers as 64-bit, timestamps without time zone in microseconds: the engines' types differ,
the values may not. Exit 1 when any mart differs."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import polars as pl

TOLERANCE = 1e-9


def kpi_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                      "and table_name like 'kpi%' order by 1").fetchall()]


def all_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                      "order by 1").fetchall()]


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    casts = []
    for name, dtype in frame.schema.items():
        if dtype.is_decimal() or dtype.is_float():
            casts.append(pl.col(name).cast(pl.Float64))
        elif dtype.is_integer():
            casts.append(pl.col(name).cast(pl.Int64))
        elif isinstance(dtype, pl.Datetime):
            casts.append(pl.col(name).dt.replace_time_zone(None).dt.cast_time_unit("us"))
        else:
            casts.append(pl.col(name))
    return frame.select(casts)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    floats = [n for n, t in frame.schema.items() if t == pl.Float64]
    keys = [pl.col(n) for n in frame.columns if n not in floats] + [pl.col(n).round(6) for n in floats]
    return frame.sort(keys, nulls_last=True) if keys else frame


def compare(a: pl.DataFrame, b: pl.DataFrame) -> tuple[bool, str]:
    """(equal, what differs) of two tables as multisets of rows."""
    if set(a.columns) != set(b.columns):
        return False, f"columns differ: only first {sorted(set(a.columns) - set(b.columns))}, " \
                      f"only second {sorted(set(b.columns) - set(a.columns))}"
    if a.height != b.height:
        return False, f"rows differ: {a.height} and {b.height}"
    a, b = normalise(a), normalise(b.select(a.columns))
    for name in a.columns:  # a type that still differs (e.g. date and text): compare as text
        if a.schema[name] != b.schema[name]:
            a, b = a.with_columns(pl.col(name).cast(pl.String)), b.with_columns(pl.col(name).cast(pl.String))
    a, b = _sorted(a), _sorted(b)
    both = pl.concat([a, b.rename({n: f"{n}__b" for n in b.columns})], how="horizontal")
    differing = []
    for name in a.columns:
        x, y = pl.col(name), pl.col(f"{name}__b")
        if a.schema[name] == pl.Float64:
            scale = pl.max_horizontal(pl.lit(1.0), x.abs(), y.abs())
            bad = (x.is_null() != y.is_null()) | ((x.is_nan() != y.is_nan()).fill_null(False)) | (
                ((x - y).abs() > TOLERANCE * scale) & ~x.is_nan()).fill_null(False)
        else:
            bad = x.ne_missing(y)
        count = both.select(bad.sum()).item()
        if count:
            differing.append(f"{name}: {count} rows")
    return not differing, "; ".join(differing[:8])


def compare_snapshots(first: Path, second: Path, marts: list[str] | None = None) -> list[dict]:
    """One result per mart ({mart, first_rows, second_rows, equal, detail}); default: every kpi_* mart."""
    a, b = duckdb.connect(str(first), read_only=True), duckdb.connect(str(second), read_only=True)
    try:
        results = []
        for mart in marts or kpi_marts(a):
            frames = []
            for con in (a, b):
                try:
                    frames.append(con.sql(f"select * from marts.{mart}").pl())
                except duckdb.Error as error:
                    frames.append(str(error).splitlines()[0])
            row = {"mart": mart, **{k: f.height if isinstance(f, pl.DataFrame) else None
                                    for k, f in zip(("first_rows", "second_rows"), frames)}}
            if all(isinstance(f, pl.DataFrame) for f in frames):
                row["equal"], row["detail"] = compare(*frames)
            else:
                row["equal"], row["detail"] = False, "; ".join(f for f in frames if isinstance(f, str))
            results.append(row)
        return results
    finally:
        a.close()
        b.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--all", action="store_true", help="every mart, not only the kpi_* marts")
    parser.add_argument("--json", type=Path, help="write the per-mart results here")
    args = parser.parse_args()
    marts = None
    if args.all:
        with duckdb.connect(str(args.first), read_only=True) as con:
            marts = all_marts(con)
    results = compare_snapshots(args.first, args.second, marts)
    width = max(len(r["mart"]) for r in results)
    for r in results:
        print(f"{r['mart']:<{width}}  {r['first_rows']!s:>8} {r['second_rows']!s:>8}  "
              f"{'equal' if r['equal'] else 'DIFFERENT'}  {r['detail'] or ''}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["equal"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
