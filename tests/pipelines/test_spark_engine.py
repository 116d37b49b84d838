"""The same dbt project on Spark: a month of the demo street (four communities) run by `gridpulse run`
once on DuckDB and once with GRIDPULSE_ENGINE=spark (dbt-spark in session mode, local Spark; the
quality gate on Spark DataFrames) gives the same marts, row for row, and the dashboard shows the
Spark-built snapshot. The month's last day is held back; the `slow` test delivers it and runs both
engines again (the incremental case facts: month partitions overwritten on Spark). `make test` leaves
that second round out (about five minutes of Spark); `make test-slow` runs it.

`make test` installs the Spark engine first (`make spark-env`: the pinned `spark` extra and Java 17).
About five minutes: dbt on Spark pays a Spark job or more per model and test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from bench.snapshot_compare import compare, compare_snapshots
from pipelines.core.settings import ROOT, Paths

pytestmark = pytest.mark.timeout(1500)


@dataclass
class Engines:
    duckdb: Paths
    spark: Paths
    held: Path  # the month's last day of case steps, held back from raw/
    last_day: Path  # where it goes in raw/


def _run(paths: Paths, engine: str) -> str:
    env = os.environ | {"GRIDPULSE_RAW": str(paths.raw), "GRIDPULSE_DATA": str(paths.data),
                        "GRIDPULSE_ENGINE": engine, "GRIDPULSE_STREET": paths.street}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> Engines:
    from demo.generator import generate

    if not shutil.which("java"):
        pytest.fail("no Java on the PATH: `make spark-env` installs openjdk-17-jre-headless")
    root = tmp_path_factory.mktemp("engines")
    raw = root / "raw"
    generate(raw, root / "truth", seed=7, communities=4, months=1, progress=False)
    last_day = sorted((raw / "cases").rglob("*.jsonl"))[-1]
    held = root / last_day.name
    shutil.move(last_day, held)
    on_duckdb, on_spark = Paths(raw=raw, data=root / "duckdb"), Paths(raw=raw, data=root / "spark")
    assert os.environ.get("GRIDPULSE_PII_KEY")  # tests/conftest.py: both runs mask ids alike
    for paths, engine in ((on_duckdb, "duckdb"), (on_spark, "spark")):
        _run(paths, engine)
    return Engines(on_duckdb, on_spark, held, last_day)


def _marts(paths: Paths) -> list[str]:
    """Every mart but the quality gate's results (their run ids and times differ by nature)."""
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        return [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                          "and table_name <> 'fct_check_results' order by 1").fetchall()]


def test_the_spark_run_built_on_spark(engines):
    marts = engines.spark.spark_marts
    assert sorted(p.name for p in marts.iterdir() if p.name.startswith("kpi_")), marts
    assert any(marts.joinpath("fct_cases").rglob("*.parquet"))
    assert not engines.spark.warehouse.exists()  # no DuckDB warehouse: the models ran on Spark
    assert (engines.spark.spark / "derby.log").exists()  # the metastore's log in data/spark, not in the project
    assert not (ROOT / "dbt_project" / "derby.log").exists()


def test_every_kpi_mart_equals_the_duckdb_build_row_for_row(engines):
    results = compare_snapshots(engines.duckdb.serving, engines.spark.serving)
    assert len(results) >= 12
    assert [r for r in results if not r["equal"]] == []
    rows = {r["mart"]: r["first_rows"] for r in results}
    assert rows["kpi_community_monthly"] == 24 and rows["kpi_street_monthly"] == 1  # the street's communities, a month
    assert rows["kpi_grid_monthly"] > 15 and rows["kpi_case_mix"] > 100


def test_every_mart_equals_the_duckdb_build(engines):
    marts = _marts(engines.duckdb)
    assert {"fct_cases", "fct_case_transitions", "fct_warnings", "fct_residents_monthly"} <= set(marts)
    results = compare_snapshots(engines.duckdb.serving, engines.spark.serving, marts)
    assert len(results) == len(marts)
    assert [r for r in results if not r["equal"]] == []
    partitions = {p.name for p in (engines.spark.spark_marts / "fct_cases").iterdir() if p.is_dir()}
    assert "accepted_month=2025-01-01" in partitions  # Spark's case facts are month partitions


def test_the_gate_on_spark_gives_the_same_verdicts(engines):
    frames = []
    for paths in (engines.duckdb, engines.spark):
        with duckdb.connect(str(paths.serving), read_only=True) as con:
            frames.append(con.sql("select * exclude (run_id, checked_at) from marts.fct_check_results").pl())
    assert frames[0].height > 0
    assert compare(*frames) == (True, "")


def test_compare_finds_a_changed_value():
    a = pl.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0], "n": [1, 2]})
    assert compare(a, a.with_columns(pl.col("v") + 1e-12)) == (True, "")
    assert compare(a, a.with_columns(pl.when(pl.col("k") == "y").then(2.1).otherwise(pl.col("v")).alias("v"))) \
        == (False, "v: 1 rows")
    assert compare(a, a.with_columns(pl.col("n").cast(pl.Int32).alias("n"))) == (True, "")
    assert compare(a, a.head(1))[0] is False


def test_the_dashboard_shows_the_spark_snapshot(engines):
    from tests.dashboards.server import dashboard_server
    from tests.dashboards.test_browser import CHROMIUM, visit_every_page_as_community_user

    if not Path(CHROMIUM).exists():
        pytest.fail("make browser installs Debian's chromium")
    with dashboard_server(engines.spark.data) as url:
        visit_every_page_as_community_user(url, engines.spark.serving, ROOT / "test-artifacts" / "browser-spark")


@pytest.mark.slow
def test_after_the_last_day_comes_every_mart_is_still_equal(engines):
    """The second round: the held-back day arrives and both engines run again (last in the file: it
    changes the fixture's data folders)."""
    marts = _marts(engines.duckdb)
    before = {r["mart"]: r["first_rows"] for r in compare_snapshots(engines.duckdb.serving, engines.spark.serving, marts)}
    shutil.move(engines.held, engines.last_day)
    for paths, engine in ((engines.duckdb, "duckdb"), (engines.spark, "spark")):
        _run(paths, engine)
    after = compare_snapshots(engines.duckdb.serving, engines.spark.serving, marts)
    assert [r for r in after if not r["equal"]] == []
    grown = {r["mart"] for r in after if r["first_rows"] > before[r["mart"]]}
    assert {"fct_cases", "fct_case_transitions"} <= grown  # the day's cases came in through the incremental models
