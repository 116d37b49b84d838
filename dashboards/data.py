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

from pipelines.core.snapshot import open_snapshot, snapshot_cursor
from pipelines.core.texts import FEEDBACK_FILE, REPORT_FILE

ROOT = Path(__file__).resolve().parents[1]
KPI_COLUMNS = ("residents", "grids_active", "grids_patrolled", "cases_accepted", "cases_closed",
               "cases_closed_on_time", "on_time_closure_rate")


def data_folder() -> Path:
    return Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data"))


def serving_path() -> Path:
    return data_folder() / "serving.duckdb"


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


def coverage() -> pd.DataFrame:
    """Which source has landed data for which month (and community): a register per community and
    month, patrol records per community and month, case steps per month (the event system's export is
    street-wide), the grid table as a whole (month and community null). The months are formatted after
    the distinct (a city's 1.8 M patrol records and 4.5 M case steps: 72 ms instead of 180 ms)."""
    return q("""select 'population' as source, community_code, strftime(month_start, '%Y-%m') as month
                from marts.kpi_community_monthly where has_register
                union all
                select 'patrols', community_code, strftime(month, '%Y-%m')
                from (select distinct community_code, date_trunc('month', patrol_date) as month from marts.fct_patrols)
                union all
                select 'cases', null, strftime(month, '%Y-%m')
                from (select distinct date_trunc('month', step_date) as month from marts.fct_case_transitions)
                union all
                select 'grids', null, null where exists (select 1 from marts.dim_grids)""")


def has_data(source: str, month: str | None = None, community_code: str | None = None) -> bool:
    """Whether `source` has landed data at all, in `month`, and (registers, patrols) of `community_code`;
    without a community, of any community."""
    if source == "hotline":  # the hotline exports are street-wide, like the event system's
        return hotline_has_data(month)
    rows = coverage()
    rows = rows[rows.source == source]
    if month is not None and source != "grids":
        rows = rows[rows.month == month]
    if community_code is not None and source in ("population", "patrols"):
        rows = rows[rows.community_code == community_code]
    return len(rows) > 0


def communities(street_code: str | None = None) -> pd.DataFrame:
    return q("""select community_code, community_name from marts.dim_communities
                where ? is null or street_code = ? order by community_code""", street_code, street_code)


def streets() -> pd.DataFrame:
    """The snapshot's streets: one for a street installation, many for a district or a city."""
    return q("select street_code, street_name from marts.dim_streets order by street_code")


def grids(community_code: str) -> pd.DataFrame:
    return q("""select grid_code, any_value(grid_name order by valid_from desc) as grid_name
                from marts.dim_grids where community_code = ? group by grid_code order by grid_code""",
             community_code)


def kpi_series(community_code: str | None, grid_code: str | None = None, street_code: str | None = None) -> pd.DataFrame:
    """Monthly headline KPIs of the street (`street_code`: which one, when the snapshot holds several),
    one community or one grid, oldest first."""
    cols = ", ".join(KPI_COLUMNS)
    if grid_code is not None:
        return q(f"""select strftime(month_start, '%Y-%m') as month, {cols},
                            case when has_register then 1 else 0 end as communities_with_register,
                            1 as communities_total
                     from marts.kpi_grid_monthly where grid_code = ? and community_code = ?
                     order by month_start""", grid_code, community_code)
    if community_code is None:
        return q(f"""select strftime(month_start, '%Y-%m') as month, {cols}, communities_with_register,
                            communities_total from marts.kpi_street_monthly
                     where street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                     order by month_start""", street_code)
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
    return q("""select file_path, source_name, community_code, report_month, months, received_at, file_status,
                       rows_read, rows_landed, rows_quarantined, rows_already_landed, message
                from marts.fct_files_received where (? is null or community_code = ?)
                order by received_at desc""", community_code, community_code)


def quarantine_by_reason(community_code: str | None) -> pd.DataFrame:
    return q("""select r.source_name, r.reason, count(*) as rows
                from marts.fct_rows_quarantined r
                left join marts.fct_files_received f on r.file_hash = f.file_hash
                where (? is null or f.community_code = ?)
                group by all order by rows desc""", community_code, community_code)


# --- shared helpers for the detail pages -------------------------------------------------------------
# Every query below takes the community scope (None = the whole street) and, where it makes sense, a grid.
# The month is 'YYYY-MM'; marts key months by their first day.

def _month_start(month: str) -> str:
    return f"{month}-01"


def area_kpis(month: str, community_code: str | None, grid_code: str | None,
              street_code: str | None = None) -> pd.Series:
    """One row of KPI columns for the selection: a grid, a community or the street (`street_code`), for one month."""
    if grid_code:
        frame = q("select * from marts.kpi_grid_monthly where month_start = ?::date and grid_code = ?",
                  _month_start(month), grid_code)
    elif community_code:
        frame = q("select * from marts.kpi_community_monthly where month_start = ?::date and community_code = ?",
                  _month_start(month), community_code)
    else:
        frame = q("""select * from marts.kpi_street_monthly where month_start = ?::date
                     and street_code = coalesce(?, (select min(street_code) from marts.dim_streets))""",
                  _month_start(month), street_code)
    return frame.iloc[0] if len(frame) else pd.Series(dtype=object)


def grid_month(month: str, community_code: str | None) -> pd.DataFrame:
    """Every grid of the scope in the month with its KPIs (kpi_grid_monthly)."""
    return q("""select * from marts.kpi_grid_monthly
                where month_start = ?::date and (? is null or community_code = ?)
                order by community_code, grid_code""", _month_start(month), community_code, community_code)


# --- 事件处置 -------------------------------------------------------------------------------------------

def case_mix(month: str, community_code: str | None, grid_code: str | None, mix_type: str) -> pd.DataFrame:
    level, code = ("grid", grid_code) if grid_code else ("community", community_code) if community_code \
        else ("street", None)
    return q("""select mix_name, cases, share_of_cases from marts.kpi_case_mix
                where period_type = 'month' and period_start = ?::date and mix_type = ? and area_level = ?
                  and (? is null or area_code = ?)
                order by cases desc, mix_name""", _month_start(month), mix_type, level, code, code)


def community_cases(month: str) -> pd.DataFrame:
    """The street's communities side by side: case volumes and handling rates of the month."""
    return q("""select community_name, cases_accepted, cases_closed, closure_rate, on_time_closure_rate,
                       on_time_handling_rate, rework_rate, satisfaction_rate, share_closed_at_level_1,
                       overdue_open_cases
                from marts.kpi_community_monthly where month_start = ?::date order by community_code""",
             _month_start(month))


def cases_by_level(month: str, community_code: str | None, grid_code: str | None) -> pd.DataFrame:
    return q("""select final_level as level, count(*) as cases, count(*) filter (where is_closed) as cases_closed
                from marts.fct_cases
                where not is_void and date_trunc('month', accepted_at)::date = ?::date
                  and (? is null or community_code = ?) and (? is null or grid_code = ?)
                group by all order by level""",
             _month_start(month), community_code, community_code, grid_code, grid_code)


def overdue_cases(month: str, community_code: str | None, grid_code: str | None) -> pd.DataFrame:
    """Cases still open at the end of the month (or the data cut-off) and past their deadline, most overdue
    first: the rows behind the KPI marts' overdue_open_cases."""
    # One data cut-off for the whole installation: max() keeps `cut` one row when the snapshot holds
    # several streets (a district or city installation), instead of multiplying every case by them.
    return q("""with cut as (  -- the month's end or the data cut-off, as the KPI marts measure it
                    select max(as_of_date) as as_of from marts.kpi_street_monthly where month_start = ?::date)
                select c.case_id, c.community_code, d.community_name, c.grid_code, c.category, c.subcategory,
                       c.final_level as level, c.accepted_at, c.due_date,
                       (select count(*) from marts.dim_calendar k
                        where k.is_working_day and k.calendar_date > c.due_date and k.calendar_date <= cut.as_of)
                           as overdue_working_days
                from marts.fct_cases c cross join cut
                left join marts.dim_communities d on c.community_code = d.community_code
                where not c.is_void and c.accepted_at::date <= cut.as_of
                  and (not c.is_closed or c.closed_at::date > cut.as_of) and c.due_date <= cut.as_of
                  and (? is null or c.community_code = ?) and (? is null or c.grid_code = ?)
                order by overdue_working_days desc, c.case_id""",
             _month_start(month), community_code, community_code, grid_code, grid_code)


def grid_cases(month: str, grid_code: str) -> pd.DataFrame:
    """A grid's cases accepted in the month; descriptions come masked from the mart."""
    return q("""select case_id, category, subcategory, channel, final_level as level, accepted_at, due_date,
                       closed_at, is_closed_on_time, rework_count, satisfaction, description_masked
                from marts.fct_cases
                where grid_code = ? and not is_void and date_trunc('month', accepted_at)::date = ?::date
                order by accepted_at""", grid_code, _month_start(month))


# --- 巡查走访 -------------------------------------------------------------------------------------------

def days_since_patrol(month: str, community_code: str | None) -> pd.DataFrame:
    """Each grid in force at the month's end: its last patrol day up to then and the days since."""
    return q("""with cut as (
                    select max(as_of_date) as as_of from marts.kpi_street_monthly where month_start = ?::date),
                grids as (
                    select g.grid_code, g.grid_name, g.community_code, g.community_name, g.worker_name
                    from marts.dim_grids g cross join cut
                    where g.valid_from <= cut.as_of and (g.valid_to is null or g.valid_to >= cut.as_of)
                      and (? is null or g.community_code = ?)),
                last as (
                    select grid_code, max(calendar_date) as last_patrol
                    from marts.fct_grid_daily_coverage cross join cut
                    where is_patrolled and calendar_date <= cut.as_of group by grid_code)
                select grids.*, last.last_patrol, datediff('day', last.last_patrol, cut.as_of) as days_since
                from grids cross join cut left join last using (grid_code)
                order by days_since desc nulls first, grid_code""",
             _month_start(month), community_code, community_code)


def worker_activity(month: str, community_code: str | None, grid_code: str | None) -> pd.DataFrame:
    return q("""select p.worker_id, any_value(w.worker_name) as worker_name, any_value(d.community_name) as community_name,
                       count(*) as records, count(distinct p.patrol_date) as patrol_days,
                       count(*) filter (where p.patrol_type = '巡查') as patrols,
                       sum(p.households_visited) as households_visited,
                       sum(p.key_persons_visited) as key_persons_visited,
                       round(sum(p.duration_minutes) / 60.0, 1) as patrol_hours,
                       count(*) filter (where p.has_log) as records_with_log
                from marts.fct_patrols p
                left join marts.dim_workers w on p.worker_id = w.worker_id
                left join marts.dim_communities d on p.community_code = d.community_code
                where p.month_start = ?::date and (? is null or p.community_code = ?) and (? is null or p.grid_code = ?)
                group by p.worker_id order by records desc, p.worker_id""",
             _month_start(month), community_code, community_code, grid_code, grid_code)


# --- 人口 -----------------------------------------------------------------------------------------------

def population_months(community_code: str | None, grid_code: str | None = None) -> pd.DataFrame:
    """Monthly stocks and flows of the scope (null where no register arrived)."""
    table, where, key = ("marts.kpi_grid_monthly", "grid_code = ?", grid_code) if grid_code else \
        ("marts.kpi_community_monthly", "community_code = ?", community_code) if community_code else \
        ("marts.kpi_street_monthly", "? is null", None)
    return q(f"""select strftime(month_start, '%Y-%m') as month, residents, residents_registered, residents_floating,
                        residents_foreign, residents_present, residents_away, households, moved_in, transferred_in,
                        moved_out, transferred_out, deaths
                 from {table} where {where} order by month_start""", key)


def special_groups(month: str, community_code: str | None, grid_code: str | None) -> pd.DataFrame:
    """Special groups as counts; sensitive tags only as the mart's suppressed display (<5)."""
    level, code = ("grid", grid_code) if grid_code else ("community", community_code) if community_code \
        else ("street", None)
    return q("""select tag_group, tag_name, is_sensitive,
                       case when is_sensitive then persons_display  -- the mart's suppression rule
                            when persons < 5 then '<5' else cast(persons as varchar) end as persons_display
                from marts.kpi_special_groups
                where period_type = 'month' and period_start = ?::date and area_level = ? and (? is null or area_code = ?)
                order by tag_code""", _month_start(month), level, code, code)


def registers(month: str, community_code: str | None) -> pd.DataFrame:
    return q("""select community_name, has_register, register_received_at, is_register_on_time, residents
                from marts.kpi_community_monthly
                where month_start = ?::date and (? is null or community_code = ?)
                order by is_register_on_time nulls first, community_code""",
             _month_start(month), community_code, community_code)


# --- 考核 -----------------------------------------------------------------------------------------------

def assessment(month: str, community_code: str | None, grid_code: str | None) -> pd.DataFrame:
    return q("""select a.worker_name, d.community_name, a.grid_codes, a.score, a.pay_band, a.pay_share,
                       a.rank_in_street, a.workers_in_street, a.last_place_streak, a.has_last_place_penalty,
                       a.patrol_rate, a.household_visits_rate, a.key_person_visits_rate, a.on_time_handling_rate,
                       a.satisfaction_rate, a.work_log_rate
                from marts.kpi_worker_assessment_monthly a
                left join marts.dim_communities d on a.community_code = d.community_code
                where a.month_start = ?::date and (? is null or a.community_code = ?)
                  and (? is null or list_contains(string_split(a.grid_codes, ','), ?))
                order by a.rank_in_street, a.worker_name""",
             _month_start(month), community_code, community_code, grid_code, grid_code)


def assessment_history(worker_names: tuple[str, ...], community_code: str | None) -> pd.DataFrame:
    return q("""select strftime(month_start, '%Y-%m') as month, worker_name, score
                from marts.kpi_worker_assessment_monthly
                where list_contains(?, worker_name) and (? is null or community_code = ?)
                order by month_start, worker_name""", list(worker_names), community_code, community_code)


# --- 网格地图 -------------------------------------------------------------------------------------------

def grid_shapes(month: str, community_code: str | None) -> pd.DataFrame:
    """The grid versions in force in the month with their boundary (WKT) and KPIs of the month."""
    return q("""select k.*, g.boundary_wkt
                from marts.kpi_grid_monthly k
                join marts.dim_grids g on k.grid_version_id = g.grid_version_id
                where k.month_start = ?::date and (? is null or k.community_code = ?) and g.boundary_wkt is not null
                order by k.grid_code""", _month_start(month), community_code, community_code)


def check_results(month: str, community_code: str | None, failed_only: bool) -> pd.DataFrame:
    """The quality gate's verdicts of the month (latest validation of each batch)."""
    return q("""select source_name, coalesce(community_name, '全街道') as community_name, check_title, severity,
                       is_success, observed_value, expected, examples, fix_hint, checked_at
                from marts.fct_check_results
                where report_month = ? and (? is null or community_code = ?) and (not ? or not is_success)
                order by is_success, severity, source_name, community_name, check_title""",
             month, community_code, community_code, failed_only)


def published_dir() -> Path:
    """data/published: the files the pipeline hands out beside the snapshot."""
    return serving_path().parent / "published"


def feedback_workbook(community_code: str, month: str) -> Path | None:
    """The community's feedback workbook (数据报送质量反馈) of the month, as the pipeline published it."""
    path = published_dir() / "quality" / month / FEEDBACK_FILE.format(code=community_code, month=month)
    return path if path.exists() else None


def quarter_reports(quarter: str) -> list[Path]:
    """The quarter's published report (PDF first, then xlsx); empty when it was not built yet."""
    found = {p.suffix: p for p in (published_dir() / "reports").glob(REPORT_FILE.format(street="*", quarter=quarter) + ".*")
             if p.suffix in (".pdf", ".xlsx")}
    return [found[s] for s in (".pdf", ".xlsx") if s in found]


# --- 12345热线 ------------------------------------------------------------------------------------------
# The hotline marts (dbt_project models *hotline*) may be missing from a snapshot published before they
# were built: every function below answers "no data" then instead of failing. Rates are the marts' own.

HOTLINE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
HOTLINE_KPIS = ("orders", "orders_per_10k_residents", *HOTLINE_RATES, "median_reply_working_days", "repeat_share",
                "unclassified_share")


def _has_marts(*tables: str) -> bool:
    """Whether the snapshot holds every one of these marts (a snapshot published before they existed does not)."""
    found = q(f"""select count(*) as n from duckdb_tables()
                  where database_name = current_database() and schema_name = 'marts'
                    and table_name in ({', '.join('?' * len(tables))})""", *tables)
    return int(found["n"].iloc[0]) == len(tables)


def hotline_available() -> bool:
    """Whether the snapshot holds the hotline marts."""
    return _has_marts("kpi_hotline_street_monthly", "kpi_hotline_community_monthly", "kpi_hotline_topics_monthly",
                      "fct_hotline_orders")


def hotline_has_data(month: str | None) -> bool:
    """Whether any hotline order of the installation was received in `month` (any month without one)."""
    if not hotline_available():
        return False
    found = q("""select count(*) as n from marts.kpi_hotline_street_monthly
                 where orders > 0 and (? is null or strftime(month_start, '%Y-%m') = ?)""", month, month)
    return int(found["n"].iloc[0]) > 0


def hotline_series(community_code: str | None, street_code: str | None = None) -> pd.DataFrame:
    """Monthly hotline KPIs of one community or the street, oldest first; the street's also carry the
    orders not placed to any community and the placement rate."""
    cols = ", ".join(HOTLINE_KPIS)
    if community_code is not None:
        return q(f"""select strftime(month_start, '%Y-%m') as month, {cols}
                     from marts.kpi_hotline_community_monthly where community_code = ? order by month_start""",
                 community_code)
    return q(f"""select strftime(month_start, '%Y-%m') as month, {cols}, unplaced_orders, placement_rate
                 from marts.kpi_hotline_street_monthly
                 where street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                 order by month_start""", street_code)


def hotline_communities(month: str, community_code: str | None, street_code: str | None = None) -> pd.DataFrame:
    """The scope's communities in the month: orders (0 without a mart row), per 10,000 residents, the rates."""
    return q("""select d.community_name, coalesce(k.orders, 0) as orders, k.orders_per_10k_residents,
                       k.response_rate, k.resolution_rate, k.satisfaction_rate, k.repeat_share
                from marts.dim_communities d
                left join marts.kpi_hotline_community_monthly k
                    on k.community_code = d.community_code and k.month_start = ?::date
                where d.street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                  and (? is null or d.community_code = ?)
                order by d.community_code""", _month_start(month), street_code, community_code, community_code)


def hotline_topics(month: str, community_code: str | None, grid_code: str | None, top: int,
                   street_code: str | None = None) -> pd.DataFrame:
    """The month's most frequent topics: from the topics mart for a community or the street (the street's
    orders, placed to a community or not), counted from the orders for a grid (the mart has no grid level)."""
    if grid_code is not None:
        return q("""select topic, count(*) as orders from marts.fct_hotline_orders
                    where grid_code = ? and community_code = ? and topic is not null
                      and date_trunc('month', received_at)::date = ?::date
                    group by topic order by orders desc, topic limit ?""",
                 grid_code, community_code, _month_start(month), top)
    return q("""select topic, sum(orders) as orders
                from marts.kpi_hotline_topics_monthly
                where month_start = ?::date and topic is not null
                  and street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                  and (? is null or community_code = ?)
                group by topic order by orders desc, topic limit ?""",
             _month_start(month), street_code, community_code, community_code, top)


def hotline_repeats(month: str, community_code: str | None, grid_code: str | None,
                    street_code: str | None = None) -> pd.DataFrame:
    """The month's repeat complaints of the scope; title and text as the mart stores them (masked)."""
    return q("""select o.order_id, o.received_at as order_received_at, d.community_name, o.place_words, o.topic,
                       o.title_masked as title, o.content_masked as content, o.status, o.satisfaction
                from marts.fct_hotline_orders o
                join marts.dim_communities d on o.community_code = d.community_code
                where o.is_repeat and date_trunc('month', o.received_at)::date = ?::date
                  and d.street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                  and (? is null or o.community_code = ?) and (? is null or o.grid_code = ?)
                order by o.received_at, o.order_id""",
             _month_start(month), street_code, community_code, community_code, grid_code, grid_code)


def hotline_unplaced(month: str, community_code: str | None, street_code: str | None = None) -> pd.DataFrame:
    """The month's orders placed to no community (street-level or not placed at all), for data staff.
    They belong to no community, so a community scope gets none."""
    return q("""select order_id, received_at as order_received_at, district, handling_unit,
                       title_masked as title, content_masked as content, place_words, place_confidence
                from marts.fct_hotline_orders
                where community_code is null and ? is null
                  and date_trunc('month', received_at)::date = ?::date
                  and (street_code is null
                       or street_code = coalesce(?, (select min(street_code) from marts.dim_streets)))
                order by received_at, order_id""", community_code, _month_start(month), street_code)


# --- 预警 -----------------------------------------------------------------------------------------------
# marts.fct_warnings: one row per warning episode per as-of day. "Today" is the mart's latest as_of_date (the
# data's latest day), "this week" the 7 as-of days ending today. A snapshot published before the mart existed
# answers "no mart" (warnings_day() is None) instead of failing.

WARNING_SCOPE = """d.street_code = coalesce(?, (select min(street_code) from marts.dim_streets))
                  and (? is null or w.community_code = ?) and (? is null or w.grid_code = ? or w.grid_code is null)"""


def warnings_available() -> bool:
    return _has_marts("fct_warnings")


def warnings_day():
    """The mart's latest as-of day ("today"), or None without the mart or without a row."""
    if not warnings_available():
        return None
    day = q("select max(as_of_date) as day from marts.fct_warnings")["day"].iloc[0]
    return None if pd.isna(day) else pd.Timestamp(day).date()


def warnings(days: int, community_code: str | None, grid_code: str | None = None,
             street_code: str | None = None) -> pd.DataFrame:
    """The scope's warning episodes active in the `days` as-of days ending today: one row per episode (its
    latest day's evidence), strongest first within each kind. A grid also sees its community's warnings
    that name no grid (the hotline's are community-level)."""
    return q(f"""with today as (select max(as_of_date) as day from marts.fct_warnings),
                 scoped as (
                    select w.*, d.community_name
                    from marts.fct_warnings w cross join today
                    join marts.dim_communities d on w.community_code = d.community_code
                    where w.as_of_date > today.day - ?::integer and w.as_of_date <= today.day and {WARNING_SCOPE})
                 select warning_id, kind, kind_name, source, community_name, grid_code, category, subject,
                        observed, expected as expected_level, upper_limit, score as warning_score, evidence_series, evidence,
                        first_as_of_date, as_of_date as last_as_of_date, days_active, is_new
                 from scoped
                 qualify row_number() over (partition by warning_id order by as_of_date desc) = 1
                 order by kind, score desc nulls last, warning_id""",
             days, street_code, community_code, community_code, grid_code, grid_code)
