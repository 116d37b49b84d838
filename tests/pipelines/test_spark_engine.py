"""The same dbt project on Spark: a month of the demo street run by `gridpulse run` once on DuckDB and
once with GRIDPULSE_ENGINE=spark (dbt-spark in session mode, local Spark) gives the same marts, row
for row, and the dashboard shows the Spark-built snapshot.

`make test` installs the Spark engine first (`make spark-env`: the pinned `spark` extra and Java 17).
About four minutes: dbt on Spark pays a Spark job or more per model and test."""

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
    spark_log: str


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
    generate(raw, root / "truth", seed=7, months=1, progress=False)
    on_duckdb, on_spark = Paths(raw=raw, data=root / "duckdb"), Paths(raw=raw, data=root / "spark")
    assert os.environ.get("GRIDPULSE_PII_KEY")  # tests/conftest.py: both runs mask ids alike
    _run(on_duckdb, "duckdb")
    return Engines(on_duckdb, on_spark, _run(on_spark, "spark"))


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
    assert rows["kpi_community_monthly"] == 24 and rows["kpi_street_monthly"] == 1  # the street's month
    assert rows["kpi_grid_monthly"] > 100 and rows["kpi_case_mix"] > 100


def test_every_other_mart_is_equal_too(engines):
    with duckdb.connect(str(engines.duckdb.serving), read_only=True) as con:
        marts = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                           "and table_name not like 'kpi%'").fetchall()]
    assert {"fct_cases", "fct_case_transitions", "fct_warnings", "fct_residents_monthly"} <= set(marts)
    plain = [m for m in marts if m != "fct_check_results"]
    assert [r for r in compare_snapshots(engines.duckdb.serving, engines.spark.serving, plain) if not r["equal"]] == []
    # check results: the same verdicts; the run that checked them differs
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
