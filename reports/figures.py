"""Every figure of the quarterly report, read from the published serving snapshot: the report's only SQL.

The report opens `data/serving.duckdb` read-only, like the dashboard, so its numbers are the
dashboard's. Most figures are mart rows as they stand. A few have no mart yet; they are computed here
over the marts, each marked `computed:` below, so that each has one definition until it moves into dbt.
Raw counts of sensitive groups are never selected: only the marts' suppressed `persons_display`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from pipelines.core.settings import Paths
from pipelines.core.snapshot import open_snapshot
from reports.quarter import Quarter

SUPPRESSION_THRESHOLD = 5  # dbt var suppression_threshold; counts below it print as `<5`
REQUIRED_MARTS = ("dim_communities", "dim_streets", "kpi_street_quarterly", "kpi_street_monthly",
                  "kpi_community_quarterly", "kpi_community_monthly", "kpi_grid_quarterly", "kpi_case_mix",
                  "kpi_special_groups", "fct_cases", "fct_files_received", "fct_rows_quarantined")
ASSESSMENT_MART = "kpi_worker_assessment_monthly"
CHECKS_MART = "fct_check_results"
HOTLINE_MARTS = ("kpi_hotline_street_monthly", "kpi_hotline_community_monthly", "kpi_hotline_topics_monthly")
HOTLINE_TOP_TOPICS = 10
WARNINGS_MART = "fct_warnings"

log = logging.getLogger("gridpulse.reports")


class ReportError(RuntimeError):
    """The report cannot be built; the message says why in words a data clerk understands."""


@dataclass
class Figures:
    quarter: Quarter
    street_code: str
    street_name: str
    published_at: dt.datetime
    street: dict[str, dict | None]  # current / previous / last_year -> kpi_street_quarterly row
    months: pd.DataFrame
    communities: pd.DataFrame
    case_mix: pd.DataFrame
    case_levels: pd.DataFrame
    top_grids: pd.DataFrame
    special_groups: pd.DataFrame
    registers: pd.DataFrame
    quarantine: pd.DataFrame
    rejected: pd.DataFrame
    case_log_days: int
    assessment: dict[str, pd.DataFrame] | None = None
    checks: dict | None = None  # {"total": checks run on the quarter's batches, "failed": frame}
    hotline: dict | None = None  # {"street": row, "communities": frame, "topics": frame}; None: no order
    warnings: pd.DataFrame | None = None  # the quarter's warning episodes (WARNING_EPISODES); None: no mart
    marts: set[str] = field(default_factory=set)


def _bind(sql: str, params: dict) -> dict:
    """The parameters `sql` names ($name): DuckDB refuses extra ones."""
    return {name: params[name] for name in set(re.findall(r"\$(\w+)", sql))}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict]:
    cursor = con.execute(sql, _bind(sql, params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    return con.execute(sql, _bind(sql, params)).df()


def _street(con, wanted: str | None, default: str) -> tuple[str, str]:
    streets = dict(con.execute("select street_code, street_name from marts.dim_streets order by 1").fetchall())
    code = wanted or (next(iter(streets)) if len(streets) == 1 else default)
    if code not in streets:
        raise ReportError(f"快照中没有街道 {code}（现有：{'、'.join(streets) or '无'}）。")
    return code, streets[code]


STREET_QUARTER = "select * from marts.kpi_street_quarterly where street_code = $street and quarter_start = $start"

MONTHS = """
select month_start, cases_accepted, cases_closed, closure_rate, on_time_closure_rate, satisfaction_rate
from marts.kpi_street_monthly
where street_code = $street and month_start between $from and $end
order by month_start"""

# computed: patrol_log_months (months of the quarter with a landed patrol log per community, from the
# file ledger), residents_previous/residents_change, registers_late/missing and has_data.
COMMUNITIES = """
with communities as (
    select community_code, community_name from marts.dim_communities where street_code = $street
),
patrol_logs as (
    select community_code, count(distinct report_month) as patrol_log_months
    from marts.fct_files_received
    where source_name = 'patrols' and file_status in ('landed', 'superseded')
        and report_month between $first_month and $last_month
    group by community_code
),
previous as (
    select community_code, residents as residents_previous
    from marts.kpi_community_quarterly where quarter_start = $previous_start
)
select
    communities.community_code,
    communities.community_name,
    kpis.* exclude (community_code, community_name, street_code, street_name, key_persons),
    coalesce(patrol_logs.patrol_log_months, 0) as patrol_log_months,
    previous.residents_previous,
    kpis.residents - previous.residents_previous as residents_change,
    kpis.registers_received - kpis.registers_on_time as registers_late,
    kpis.months_in_range - kpis.registers_received as registers_missing,
    coalesce(kpis.grids_active, 0) > 0 or coalesce(kpis.registers_received, 0) > 0
        or coalesce(patrol_logs.patrol_log_months, 0) > 0 or coalesce(kpis.cases_accepted, 0) > 0 as has_data
from communities
left join marts.kpi_community_quarterly as kpis
    on communities.community_code = kpis.community_code and kpis.quarter_start = $start
left join patrol_logs on communities.community_code = patrol_logs.community_code
left join previous on communities.community_code = previous.community_code
order by communities.community_code"""

CASE_MIX = """
with mix as (
    select * from marts.kpi_case_mix
    where area_level = 'street' and area_code = $street and period_type = 'quarter'
)
select
    coalesce(current.mix_type, previous.mix_type) as mix_type,
    coalesce(current.mix_code, previous.mix_code) as mix_code,
    coalesce(current.mix_name, previous.mix_name) as mix_name,
    coalesce(current.cases, 0) as cases,
    current.share_of_cases,
    previous.cases as cases_previous
from (select * from mix where period_start = $start) as current
full join (select * from mix where period_start = $previous_start) as previous
    on current.mix_type = previous.mix_type and current.mix_code = previous.mix_code
order by mix_type, cases desc, mix_code"""

# computed: the accepted cohort by final handling level (no mart yet); the same cohort as
# cases_accepted of kpi_street_quarterly (accepted in the quarter up to its as_of_date, not voided).
CASE_LEVELS = """
with period as (select as_of_date from marts.kpi_street_quarterly where street_code = $street and quarter_start = $start)
select
    final_level,
    count(*) as cases,
    sum(case when is_closed then 1 else 0 end) as cases_closed,
    sum(case when is_closed_on_time then 1 else 0 end) as cases_closed_on_time
from marts.fct_cases
cross join period
where street_code = $street and not is_void and accepted_at is not null
    and cast(accepted_at as date) between $start and period.as_of_date
group by final_level
order by final_level"""

TOP_GRIDS = """
select grid_code, grid_name, community_name, cases_accepted, closure_rate, on_time_closure_rate,
    satisfaction_rate, overdue_open_cases
from marts.kpi_grid_quarterly
where street_code = $street and quarter_start = $start and cases_accepted > 0
order by cases_accepted desc, grid_code
limit 10"""

# computed: `display` is the mart's persons_display, and for the non-sensitive groups too a count
# below the threshold prints as `<5` (the mart suppresses only the sensitive tags). Only
# persons_display is read: the report never sees a raw count of a special group.
SPECIAL_GROUPS = """
select area_level, area_code, tag_code, tag_name, tag_group, is_sensitive,
    case when not is_sensitive and try_cast(persons_display as integer) < $threshold
         then '<' || cast($threshold as varchar) else persons_display end as display
from marts.kpi_special_groups
where period_type = 'quarter' and period_start = $start
    and (area_level = 'street' and area_code = $street
         or area_level = 'community'
            and area_code in (select community_code from marts.dim_communities where street_code = $street))
order by area_level desc, area_code, tag_code"""

REGISTERS = """
select monthly.community_code, monthly.month_start, monthly.has_register, monthly.register_received_at,
    monthly.is_register_on_time
from marts.kpi_community_monthly as monthly
inner join marts.dim_communities as communities on monthly.community_code = communities.community_code
where communities.street_code = $street and monthly.month_start between $start and $end
order by monthly.community_code, monthly.month_start"""

# computed: quarantined rows by source and reason for the quarter's report months.
QUARANTINE = """
select source_name, reason, count(*) as rows
from marts.fct_rows_quarantined
where report_month between $first_month and $last_month
group by source_name, reason
order by rows desc, source_name, reason"""

# computed: files rejected whole, by their month or else the month they were received.
REJECTED = """
select source_name, file_path, received_at, message
from marts.fct_files_received
where file_status = 'rejected'
    and coalesce(report_month, strftime(received_at, '%Y-%m')) between $first_month and $last_month
order by received_at, file_path"""

# computed: days of the quarter with a landed daily case log.
CASE_LOG_DAYS = """
select count(distinct slice_key) from marts.fct_files_received
where source_name = 'cases' and file_status in ('landed', 'superseded')
    and report_month between $first_month and $last_month"""

# computed: the quarter's worker-months by pay band (count of kpi_worker_assessment_monthly rows).
ASSESSMENT_BANDS = """
select month_start, pay_band, any_value(pay_share) as pay_share, count(*) as workers
from marts.kpi_worker_assessment_monthly
where street_code = $street and month_start between $start and $end
group by month_start, pay_band
order by month_start, pay_band"""

# computed: the distribution of the quarter's monthly scores in 5-point bins (100 joins 95–100).
ASSESSMENT_BINS = """
select least(floor(score / 5) * 5, 95) as bin_start, count(*) as workers
from marts.kpi_worker_assessment_monthly
where street_code = $street and month_start between $start and $end and score is not null
group by bin_start
order by bin_start"""

# The bottom of the last assessed month's ranking (mart values), with the quarter's mean score and
# last-place months per worker (computed: quarter roll-up of the monthly mart).
ASSESSMENT_BOTTOM = """
with months as (
    select * from marts.kpi_worker_assessment_monthly
    where street_code = $street and month_start between $start and $end
),
quarter as (
    select worker_id, avg(score) as mean_score, count(*) as months_assessed,
        sum(case when is_last_in_street then 1 else 0 end) as last_place_months
    from months group by worker_id
)
select last_month.month_start, last_month.worker_id, last_month.worker_name, last_month.grid_codes,
    communities.community_name, last_month.score, last_month.pay_band, last_month.rank_in_street,
    last_month.workers_in_street, last_month.last_place_streak, last_month.has_last_place_penalty,
    last_month.has_laggard_penalty, quarter.mean_score, quarter.months_assessed, quarter.last_place_months
from months as last_month
inner join quarter on last_month.worker_id = quarter.worker_id
left join marts.dim_communities as communities on last_month.community_code = communities.community_code
where last_month.month_start = (select max(month_start) from months)
order by last_month.rank_in_street desc, last_month.worker_id
limit 5"""


# computed: the quality gate's verdicts on the quarter's batches — how many checks ran, which failed.
CHECKS_TOTAL = "select count(*) from marts.fct_check_results where report_month between $first_month and $last_month"
CHECKS_FAILED = """
select coalesce(community_name, '全街道') as community_name, source_name, report_month, check_title, severity,
    observed_value
from marts.fct_check_results
where report_month between $first_month and $last_month and not is_success
order by report_month, community_name, source_name, check_title"""


# computed: the quarter's 12345 figures as sums of the monthly marts' counts; the rates are
# responded in time ÷ orders (响应率), resolved ÷ orders (解决率), satisfied ÷ evaluated (满意率), and orders
# per 10,000 residents divides by the quarter-end residents of kpi_community_quarterly.
HOTLINE_COUNTS = """
    sum(orders) as orders, sum(orders_responded_in_time) as orders_responded_in_time,
    sum(orders_resolved) as orders_resolved, sum(orders_evaluated) as orders_evaluated,
    sum(orders_satisfied) as orders_satisfied"""
HOTLINE_STREET = f"""
select {HOTLINE_COUNTS}, sum(unplaced_orders) as unplaced_orders
from marts.kpi_hotline_street_monthly
where street_code = $street and month_start between $start and $end"""
HOTLINE_COMMUNITIES = f"""
select communities.community_code, any_value(communities.community_name) as community_name, {HOTLINE_COUNTS}
from marts.dim_communities as communities
left join marts.kpi_hotline_community_monthly as monthly
    on communities.community_code = monthly.community_code and monthly.month_start between $start and $end
where communities.street_code = $street
group by communities.community_code
order by communities.community_code"""
HOTLINE_TOPICS = """
select topic, sum(orders) as orders
from marts.kpi_hotline_topics_monthly
where street_code = $street and month_start between $start and $end and topic is not null
group by topic
order by orders desc, topic
limit $top"""


# computed: the quarter's warning episodes from marts.fct_warnings (one row per episode per as-of day): an
# episode counts in the quarter when one of its as-of days falls in it (one spanning two quarters counts in
# both); its strength is its highest score of the quarter, its evidence that day's sentence.
WARNING_EPISODES = """
select
    warnings.warning_id,
    any_value(warnings.kind) as kind,
    any_value(warnings.kind_name) as kind_name,
    any_value(warnings.community_code) as community_code,
    any_value(communities.community_name) as community_name,
    any_value(warnings.grid_code) as grid_code,
    any_value(warnings.category) as category,
    min(warnings.first_as_of_date) as first_as_of_date,
    max(warnings.as_of_date) as last_as_of_date,
    count(*) as days_in_quarter,
    max(warnings.score) as score,
    arg_max(warnings.evidence, warnings.score) as evidence
from marts.fct_warnings as warnings
inner join marts.dim_communities as communities on warnings.community_code = communities.community_code
where communities.street_code = $street and warnings.as_of_date between $start and $end
group by warnings.warning_id
order by kind, score desc, warnings.warning_id"""


def _warnings(con, params: dict) -> pd.DataFrame | None:
    """The quarter's warning episodes; None when the mart does not read as expected (logged)."""
    try:
        return _frame(con, WARNING_EPISODES, params)
    except duckdb.Error as exc:
        log.warning("warnings section left empty: fct_warnings does not read as expected (%s)", exc)
        return None


def _hotline_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The three rates from the summed counts; a zero denominator leaves the rate empty."""
    orders = frame.orders.where(frame.orders > 0)
    evaluated = frame.orders_evaluated.where(frame.orders_evaluated > 0)
    return frame.assign(response_rate=frame.orders_responded_in_time / orders,
                        resolution_rate=frame.orders_resolved / orders,
                        satisfaction_rate=frame.orders_satisfied / evaluated)


def _hotline(con, params: dict, communities: pd.DataFrame) -> dict | None:
    """The quarter's hotline figures, or None when the quarter has no order. A snapshot whose hotline
    marts lack a column the report reads is logged and treated as having none: the report still builds."""
    try:
        street = _hotline_rates(_frame(con, HOTLINE_STREET, params))
        if street.orders.isna().all() or not street.orders.fillna(0).sum():
            return None
        by_community = _hotline_rates(_frame(con, HOTLINE_COMMUNITIES, params))
        topics = _frame(con, HOTLINE_TOPICS, params | {"top": HOTLINE_TOP_TOPICS})
    except duckdb.Error as exc:
        log.warning("12345 hotline section left empty: the hotline marts do not read as expected (%s)", exc)
        return None
    residents = communities.set_index("community_code").residents.astype(float)
    per = by_community.orders.fillna(0).astype(float) / by_community.community_code.map(residents) * 10_000
    by_community["orders"] = by_community.orders.fillna(0)
    by_community["orders_per_10k_residents"] = per.where(by_community.community_code.map(residents) > 0)
    return {"street": street.iloc[0].to_dict(), "communities": by_community, "topics": topics}


def _checks(con, params: dict) -> dict | None:
    total = con.execute(CHECKS_TOTAL, _bind(CHECKS_TOTAL, params)).fetchone()[0]
    return {"total": total, "failed": _frame(con, CHECKS_FAILED, params)} if total else None


def _assessment(con, params: dict) -> dict[str, pd.DataFrame] | None:
    bands = _frame(con, ASSESSMENT_BANDS, params)
    if bands.empty:
        return None
    return {"bands": bands, "bins": _frame(con, ASSESSMENT_BINS, params),
            "bottom": _frame(con, ASSESSMENT_BOTTOM, params)}


def connect(paths: Paths) -> duckdb.DuckDBPyConnection:
    if not paths.serving.exists():
        raise ReportError(f"尚未发布数据快照（{paths.serving}）。请先运行 gridpulse run。")
    return open_snapshot(paths.serving)


def load(paths: Paths, quarter: Quarter, street_code: str | None = None) -> Figures:
    """Every figure of `quarter` from the serving snapshot."""
    con = connect(paths)
    try:
        available = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        missing = [m for m in REQUIRED_MARTS if m not in available]
        if missing:
            raise ReportError(f"数据快照缺少报告所需的表：{'、'.join(missing)}。请先运行 gridpulse run。")
        code, name = _street(con, street_code, paths.street)
        first_month, last_month = quarter.month_keys
        params = {"street": code, "start": quarter.start, "end": quarter.end}
        street = {key: next(iter(_rows(con, STREET_QUARTER, {"street": code, "start": q.start})), None)
                  for key, q in (("current", quarter), ("previous", quarter.previous),
                                 ("last_year", quarter.last_year))}
        if street["current"] is None:
            have = [Quarter.of(r[0]).label for r in con.execute(
                "select quarter_start from marts.kpi_street_quarterly where street_code = ? order by 1",
                [code]).fetchall()]
            raise ReportError(f"数据快照中没有{quarter.zh}的数据（现有季度：{'、'.join(have) or '无'}）。")
        months = {"first_month": first_month, "last_month": last_month}
        figures = Figures(
            quarter=quarter, street_code=code, street_name=name,
            published_at=con.execute("select published_at from meta.snapshot").fetchone()[0],
            street=street,
            months=_frame(con, MONTHS, {"street": code, "from": quarter.previous.start, "end": quarter.end}),
            communities=_frame(con, COMMUNITIES, params | months | {"previous_start": quarter.previous.start}),
            case_mix=_frame(con, CASE_MIX, {"street": code, "start": quarter.start,
                                            "previous_start": quarter.previous.start}),
            case_levels=_frame(con, CASE_LEVELS, {"street": code, "start": quarter.start}),
            top_grids=_frame(con, TOP_GRIDS, {"street": code, "start": quarter.start}),
            special_groups=_frame(con, SPECIAL_GROUPS, {"street": code, "start": quarter.start,
                                                        "threshold": SUPPRESSION_THRESHOLD}),
            registers=_frame(con, REGISTERS, params),
            quarantine=_frame(con, QUARANTINE, months),
            rejected=_frame(con, REJECTED, months),
            case_log_days=con.execute(CASE_LOG_DAYS, _bind(CASE_LOG_DAYS, months)).fetchone()[0],
            marts=available,
        )
        if ASSESSMENT_MART in available:
            figures.assessment = _assessment(con, params)
        if CHECKS_MART in available:
            figures.checks = _checks(con, months)
        if all(m in available for m in HOTLINE_MARTS):
            figures.hotline = _hotline(con, params, figures.communities)
        if WARNINGS_MART in available:
            figures.warnings = _warnings(con, params)
        return figures
    finally:
        con.close()
