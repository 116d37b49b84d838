"""A city installation (scope 5101, 成都市): many streets' files through ingest, the gate, dbt and publish."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from pipelines.core.settings import ROOT, Paths
from pipelines.ingest.lake import read_ledger
from tests.pii_scan import scan


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from demo.city import generate_city

    root = tmp_path_factory.mktemp("city")
    paths = Paths(raw=root / "raw", data=root / "data")
    summary = generate_city(paths.raw, root / "truth", sf=0.004, seed=5, months=2, progress=False)
    env = os.environ | {"GRIDPULSE_STREET": "5101"}
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "--raw", str(paths.raw), "--data", str(paths.data),
                          "run"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return paths, root / "truth", summary


def test_every_file_lands_as_the_generator_expects(city):
    paths, truth, summary = city
    assert summary["streets"] >= 5
    ledger = read_ledger(paths.ledger)
    assert ledger.filter(pl.col("rows_read") != pl.col("rows_landed") + pl.col("rows_quarantined")
                          + pl.col("rows_already_landed")).height == 0
    expected = pl.read_parquet(truth / "files.parquet").join(
        ledger.select(pl.col("file_path").alias("path"), "status", "rows_quarantined"), on="path", how="left")
    assert expected["status"].null_count() == 0
    wrong = expected.filter(pl.col("status") != pl.col("expected_status"))
    assert wrong.height == 0, wrong


def test_each_street_keeps_its_own_grid_table_and_its_own_grids(city):
    paths, truth, summary = city
    slices = sorted(pl.read_parquet(paths.lake / "grids" / "month=2025-01" / "*.parquet")["slice_key"].unique())
    grids = pl.read_parquet(truth / "grids.parquet")
    streets = sorted(grids["community_code"].str.slice(0, 9).unique())
    assert slices == streets and len(streets) == summary["streets"]
    con = duckdb.connect(str(paths.serving), read_only=True)
    try:
        in_force = con.execute("select count(distinct grid_code) from marts.dim_grids where valid_to is null").fetchone()[0]
        served = [s for (s,) in con.execute("select street_code from marts.dim_streets order by 1").fetchall()]
        residents = con.sql(
            "select community_code, strftime(month_start, '%Y-%m') as month, residents "
            "from marts.kpi_community_monthly where has_register").pl()
    finally:
        con.close()
    assert in_force == grids.height  # no grid retired by another street's table
    assert served == streets
    truth_residents = pl.read_parquet(truth / "residents.parquet").filter(pl.col("submitted")).select(
        "community_code", "month", pl.col("residents").alias("expected"))
    joined = truth_residents.join(residents, on=["community_code", "month"], how="left")
    assert joined.height > 10 and (joined["residents"] == joined["expected"]).all(), joined


def test_the_patrol_page_lists_each_grid_once_in_a_city_snapshot(city, monkeypatch):
    paths, truth, _ = city
    monkeypatch.setenv("GRIDPULSE_DATA", str(paths.data))
    from dashboards import data

    data.query.clear()
    month = data.months()[-1]
    since = data.days_since_patrol(month, None)
    assert len(since) == since.grid_code.nunique() == pl.read_parquet(truth / "grids.parquet").height


def test_no_id_or_phone_number_in_a_city_installation(city):
    paths, _, _ = city
    hits, scanned = scan(paths.data)
    assert scanned > 0 and hits == []


def test_leadership_picks_a_street_and_sees_that_streets_figures(city, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboards.auth import User

    paths, _, _ = city
    monkeypatch.setenv("GRIDPULSE_DATA", str(paths.data))
    con = duckdb.connect(str(paths.serving), read_only=True)
    try:
        street, month, residents = con.execute(
            """select street_code, strftime(month_start, '%Y-%m'), residents from marts.kpi_street_monthly
               order by month_start desc, residents desc limit 1""").fetchone()
        own = {c for (c,) in con.execute("select community_code from marts.dim_communities where street_code = ?",
                                         [street]).fetchall()}
    finally:
        con.close()
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = User("leader", "街道领导", "leader")
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    at.sidebar.selectbox(key="street").set_value(street).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.sidebar.selectbox(key="community").options) == len(own) + 1  # 全街道 and the street's own
    shown = {m.label: m.value for m in at.metric}
    assert shown["实有人口"] == f"{residents:,}"
