"""The only module that touches the database: it reads the published serving snapshot, read-only.

The connection is cached per snapshot file version (its mtime), so a newly published snapshot is
picked up without restarting, and the pipeline never waits for a dashboard.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

ROOT = Path(__file__).resolve().parents[1]


def serving_path() -> Path:
    return Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")) / "serving.duckdb"


@st.cache_resource(max_entries=2)
def _connect(path: str, version: float) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(path, read_only=True)


def snapshot_version() -> float | None:
    path = serving_path()
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(ttl=300, show_spinner=False)
def query(sql: str, params: tuple = (), version: float | None = None) -> pd.DataFrame:
    con = _connect(str(serving_path()), version)
    return con.execute(sql, list(params)).df()


def q(sql: str, *params) -> pd.DataFrame:
    return query(sql, tuple(params), snapshot_version())


def months() -> list[str]:
    df = q("select distinct strftime(month_start, '%Y-%m') as m from marts.kpi_street_monthly order by m")
    return df["m"].tolist()


def street_month(month: str) -> pd.DataFrame:
    return q("select * from marts.kpi_street_monthly where strftime(month_start, '%Y-%m') = ?", month)


def street_trend(month: str, n: int = 12) -> pd.DataFrame:
    return q("""select strftime(month_start, '%Y-%m') as month, residents, grids_patrolled, cases_accepted,
                       cases_closed, on_time_closure_rate
                from marts.kpi_street_monthly where strftime(month_start, '%Y-%m') <= ?
                order by month_start desc limit ?""", month, n).iloc[::-1]


def community_month(month: str) -> pd.DataFrame:
    return q("""select community_name, has_register, residents, grids_active, grids_patrolled, cases_accepted,
                       cases_closed, on_time_closure_rate
                from marts.kpi_community_monthly where strftime(month_start, '%Y-%m') = ?
                order by community_code""", month)


def published_at() -> str:
    return str(q("select published_at from meta.snapshot")["published_at"].iloc[0])
