"""Compare every kpi_* mart of the Spark build with the DuckDB build, row for row (issue #18 item 3).

    GRIDPULSE_DATA=/tmp/sp/data /work/spark-venv/bin/python bench/spark_compare.py [--json out.json]

Reads the Spark tables through pyspark with the spark target's metastore and warehouse (data/spark;
run no dbt command on Spark at the same time: Derby admits one process) and the DuckDB warehouse
(data/warehouse.duckdb, read only). Per mart: row counts, then equal when both have the same columns
and the same rows as multisets, floats equal to 1e-9 (relative or absolute). Exit 1 when any differs."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9


def kpi_marts() -> list[str]:
    models = ROOT / "dbt_project" / "models" / "metrics"
    return sorted(p.stem for p in models.rglob("kpi_*.sql"))


def spark_session(spark_data: Path):
    from pyspark.sql import SparkSession
    return (SparkSession.builder.master("local[2]").appName("gridpulse-compare").enableHiveSupport()
            .config("spark.sql.warehouse.dir", str(spark_data / "warehouse"))
            .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                    f"jdbc:derby:;databaseName={spark_data / 'metastore_db'};create=true")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "2g")
            .getOrCreate())


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Same representation on both sides: decimals and floats as Float64, integers as Int64,
    timestamps without time zone in microseconds."""
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


def sort_rows(frame: pl.DataFrame) -> pl.DataFrame:
    floats = [n for n, t in frame.schema.items() if t == pl.Float64]
    keys = [pl.col(n) for n in frame.columns if n not in floats] + [pl.col(n).round(6) for n in floats]
    return frame.sort(keys, nulls_last=True) if keys else frame


def compare(duck: pl.DataFrame, spark: pl.DataFrame) -> tuple[bool, str]:
    if set(duck.columns) != set(spark.columns):
        only_duck, only_spark = sorted(set(duck.columns) - set(spark.columns)), sorted(set(spark.columns) - set(duck.columns))
        return False, f"columns differ: only DuckDB {only_duck}, only Spark {only_spark}"
    spark = spark.select(duck.columns)
    duck, spark = normalise(duck), normalise(spark)
    if duck.height != spark.height:
        return False, "row counts differ"
    duck, spark = sort_rows(duck), sort_rows(spark)
    problems = []
    for name in duck.columns:
        a, b = duck[name], spark[name]
        if a.dtype != b.dtype:
            if a.dtype == pl.Float64 or b.dtype == pl.Float64:
                a, b = a.cast(pl.Float64, strict=False), b.cast(pl.Float64, strict=False)
            else:
                a, b = a.cast(pl.String), b.cast(pl.String)
        if a.dtype == pl.Float64:
            bad = 0
            for x, y in zip(a.to_list(), b.to_list()):
                if x is None or y is None or (isinstance(x, float) and math.isnan(x)):
                    bad += (x is None) != (y is None)
                elif abs(x - y) > TOLERANCE * max(1.0, abs(x), abs(y)):
                    bad += 1
        else:
            bad = int((a.ne_missing(b)).sum())
        if bad:
            problems.append(f"{name}: {bad} rows")
    return (not problems), "; ".join(problems[:8])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the per-mart results here")
    parser.add_argument("--also", nargs="*", default=[], metavar="MODEL",
                        help="other models of the marts schema to compare too (fct_cases, fct_warnings, …)")
    args = parser.parse_args()
    data = Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")).resolve()
    warehouse = Path(os.environ.get("GRIDPULSE_WAREHOUSE", data / "warehouse.duckdb")).resolve()
    os.chdir(data / "spark")  # Derby writes derby.log into the working folder, as for the dbt runs
    spark = spark_session(data / "spark")
    spark.sparkContext.setLogLevel("ERROR")
    con = duckdb.connect(str(warehouse), read_only=True)
    results = []
    for mart in kpi_marts() + args.also:
        row = {"mart": mart}
        try:
            duck = con.sql(f"select * from marts.{mart}").pl()
            row["duckdb_rows"] = duck.height
        except duckdb.Error as error:
            row.update(duckdb_rows=None, equal=False, detail=f"DuckDB: {error}".splitlines()[0])
            results.append(row)
            continue
        try:
            sp = pl.from_arrow(spark.table(f"marts.{mart}").toArrow())
            row["spark_rows"] = sp.height
        except Exception as error:  # noqa: BLE001 - an absent Spark table is a result, not a crash
            row.update(spark_rows=None, equal=False, detail=f"Spark: {str(error).splitlines()[0][:200]}")
            results.append(row)
            continue
        row["equal"], row["detail"] = compare(duck, sp)
        results.append(row)
    spark.stop()
    width = max(len(r["mart"]) for r in results)
    for r in results:
        verdict = "equal" if r["equal"] else "DIFFERENT"
        counts = f"duckdb {r.get('duckdb_rows')!s:>7}  spark {r.get('spark_rows')!s:>7}"
        print(f"{r['mart']:<{width}}  {counts}  {verdict}  {r.get('detail') or ''}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0 if all(r["equal"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
