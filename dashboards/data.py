"""The only module that touches the database: it reads the published serving snapshot, read-only.

The connection is cached per snapshot file version (its mtime), so a newly published snapshot is
picked up without restarting, and the pipeline never waits for a dashboard. Every function that
returns community-level rows takes the community scope; filters.current() enforces it per user.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines.snapshot import open_snapshot, snapshot_cursor

ROOT = Path(__file__).resolve().parents[1]
KPI_COLUMNS = ("residents", "grids_active", "grids_patrolled", "cases_accepted", "cases_closed",
               "cases_closed_on_time", "on_time_closure_rate")


def serving_path() -> Path:
    return Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")) / "serving.duckdb"


@st.cache_resource(max_entries=2)
def _connect(path: str, version: float) -> duckdb.DuckDBPyConnection:
    return open_snapshot(path)


def snapshot_version() -> float | None:
    path = serving_path()
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(ttl=300, show_spinner=False)
def query(sql: str, params: tuple = (), version: float | None = None) -> pd.DataFrame:
    con = _connect(str(serving_path()), version)
    return snapshot_cursor(con).execute(sql, list(params)).df()


def q(sql: str, *params) -> pd.DataFrame:
    return query(sql, tuple(params), snapshot_version())


def months() -> list[str]:
    return q("select distinct strftime(month_start, '%Y-%m') as m from marts.kpi_street_monthly order by m")["m"].tolist()


def communities() -> pd.DataFrame:
    return q("select community_code, community_name from marts.dim_communities order by community_code")


def grids(community_code: str) -> pd.DataFrame:
    return q("""select grid_code, any_value(grid_name order by valid_from desc) as grid_name
                from marts.dim_grids where community_code = ? group by grid_code order by grid_code""",
             community_code)


def kpi_series(community_code: str | None) -> pd.DataFrame:
    """Monthly headline KPIs of the street or of one community, oldest first."""
    cols = ", ".join(KPI_COLUMNS)
    if community_code is None:
        return q(f"""select strftime(month_start, '%Y-%m') as month, {cols}, communities_with_register,
                            communities_total from marts.kpi_street_monthly order by month_start""")
    return q(f"""select strftime(month_start, '%Y-%m') as month, {cols},
                        case when has_register then 1 else 0 end as communities_with_register, 1 as communities_total
                 from marts.kpi_community_monthly where community_code = ? order by month_start""", community_code)


def community_month(month: str, community_code: str | None) -> pd.DataFrame:
    return q("""select community_code, community_name, has_register, residents, grids_active, grids_patrolled,
                       cases_accepted, cases_closed, on_time_closure_rate
                from marts.kpi_community_monthly
                where strftime(month_start, '%Y-%m') = ? and (? is null or community_code = ?)
                order by community_code""", month, community_code, community_code)


def published_at() -> str:
    return str(q("select published_at from meta.snapshot")["published_at"].iloc[0])


def files_received(community_code: str | None) -> pd.DataFrame:
    return q("""select file_path, source_name, community_code, report_month, received_at, file_status,
                       rows_read, rows_landed, rows_quarantined, message
                from marts.files_received where (? is null or community_code = ?)
                order by received_at desc""", community_code, community_code)


def quarantine_by_reason(community_code: str | None) -> pd.DataFrame:
    return q("""select r.source_name, r.reason, count(*) as rows
                from marts.rows_quarantined r
                left join marts.files_received f on r.file_hash = f.file_hash
                where (? is null or f.community_code = ?)
                group by all order by rows desc""", community_code, community_code)
