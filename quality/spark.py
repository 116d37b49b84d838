"""The quality gate on Spark (GRIDPULSE_ENGINE=spark): the suites validate Spark DataFrames through
GX's Spark datasource, in one local Spark session per gate process (no Hive metastore: the gate reads
the lake, not Spark's tables, so it never competes with dbt for the embedded metastore)."""

from __future__ import annotations

from functools import cache

import polars as pl


@cache
def session():
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("gridpulse-quality")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def dataframe(frame: pl.DataFrame):
    """A batch as a Spark DataFrame (through Arrow; Spark has no unsigned integers)."""
    unsigned = [n for n, t in frame.schema.items() if t in (pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)]
    frame = frame.with_columns(pl.col(unsigned).cast(pl.Int64)) if unsigned else frame
    return session().createDataFrame(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))


def stop() -> None:
    """End the gate's session (its JVM) once the gate is done: dbt starts a Spark of its own."""
    if session.cache_info().currsize:
        session().stop()
        session.cache_clear()
