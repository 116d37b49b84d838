"""The report's tables, shared by the xlsx and the PDF so that both show the same cells.

A cell is a number (formatted by its column's kind), a date-time, or a string: `无数据` where a
community sent nothing for that part of the quarter, `—` where a rate has a zero denominator.
Nothing here computes a figure; it arranges the figures of `figures.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipelines.core.texts import (
    HEADLINE,
    HEADLINE_COLUMNS,
    HOTLINE_LABELS,
    HOTLINE_NONE,
    HOTLINE_NOTE,
    LABELS,
    LEVELS,
    NO_DATA,
    NO_LAST_YEAR,
    NO_PREVIOUS,
    NOT_COMPARABLE,
    NOT_COMPUTABLE,
    REGISTER_STATUS,
    SEVERITIES,
    SHEETS,
    SOURCES,
    WARNING_KINDS,
    WARNINGS_NONE,
    WARNINGS_NOTE,
    WARNINGS_TOP,
)
from reports import formats as f
from reports.figures import Figures


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, count, rate, number, datetime, or "row" (the row's own kind)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    row_kinds: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # one id per row (community code, mart column…)
    note: str = ""


def _columns(*specs: tuple[str, str]) -> list[Column]:
    return [Column(key, LABELS.get(key, key), kind) for key, kind in specs]


def _cell(value, empty: str = NOT_COMPUTABLE):
    if f.missing(value):
        return empty
    return value.item() if hasattr(value, "item") else value


def headline(figures: Figures) -> Table:
    t = Table("headline", SHEETS["headline"], [
        Column("label", HEADLINE_COLUMNS["label"]), Column("current", HEADLINE_COLUMNS["current"], "row"),
        Column("previous", HEADLINE_COLUMNS["previous"], "row"), Column("change", HEADLINE_COLUMNS["change"], "change"),
        Column("last_year", HEADLINE_COLUMNS["last_year"], "row"),
        Column("change_last_year", HEADLINE_COLUMNS["change_last_year"], "change"),
        Column("source", HEADLINE_COLUMNS["source"])])
    now, before, year = (figures.street[k] or {} for k in ("current", "previous", "last_year"))
    for column, label, kind in HEADLINE:
        empty_now = NO_DATA if kind == "count" or column == "residents" else NOT_COMPUTABLE
        changes = [_cell(f.change(now.get(column), other.get(column), kind), missing if not other else NOT_COMPUTABLE)
                   if f.comparable(column, now, other) else NOT_COMPARABLE
                   for other, missing in ((before, NO_PREVIOUS), (year, NO_LAST_YEAR))]
        t.rows.append([
            label, _cell(now.get(column), empty_now),
            _cell(before.get(column), NO_PREVIOUS if not before else NOT_COMPUTABLE), changes[0],
            _cell(year.get(column), NO_LAST_YEAR if not year else NOT_COMPUTABLE), changes[1],
            f"kpi_street_quarterly.{column}"])
        t.row_kinds.append(kind)
        t.keys.append(column)
    t.note = ("环比、同比：人数与件数为增减百分比，比率为增减百分点；人口合计只计已报送台账的社区，"
              "两个季度报送台账的社区数不同时标为“不可比”。")
    return t


def _community_table(key: str, figures: Figures, specs, when=None, reason: str = NO_DATA) -> Table:
    """One row per community of the street; a community without data shows `无数据`, never zeros.
    `when(row)` tells whether the row has data for this table (default: any data in the quarter)."""
    t = Table(key, SHEETS[key], _columns(("community_name", "text"), *specs))
    for row in figures.communities.itertuples():
        has = row.has_data and (when is None or when(row))
        values = [_cell(getattr(row, k)) if has else reason for k, _ in specs]
        t.rows.append([row.community_name, *values])
        t.keys.append(row.community_code)
    return t


def communities(figures: Figures) -> Table:
    return _community_table("communities", figures, [
        ("cases_accepted", "count"), ("cases_accepted_closed", "count"), ("cases_closed_on_time", "count"),
        ("closure_rate", "rate"), ("on_time_closure_rate", "rate"), ("on_time_handling_rate", "rate"),
        ("satisfaction_rate", "rate"), ("overdue_open_cases", "count")])


def coverage(figures: Figures) -> Table:
    t = _community_table("coverage", figures, [
        ("grids_active", "count"), ("patrol_log_months", "count"), ("grids_patrolled_at_frequency", "count"),
        ("patrol_compliance_rate", "rate"), ("household_visit_coverage", "rate"), ("key_person_visit_coverage", "rate")],
        when=lambda r: r.patrol_log_months > 0)
    t.note = "未收到巡查走访日志的社区显示“无数据”。"
    return t


def population(figures: Figures) -> Table:
    t = _community_table("population", figures, [
        ("residents", "count"), ("residents_previous", "count"), ("residents_change", "count"),
        ("residents_floating", "count"), ("moved_in", "count"), ("moved_out", "count"), ("transferred_in", "count"),
        ("transferred_out", "count"), ("deaths", "count"), ("key_persons_display", "text")],
        when=lambda r: not f.missing(r.residents))
    t.note = "季末月未报送人口台账的社区显示“无数据”；重点人员不足5人显示为“<5”。"
    return t


def overdue(figures: Figures) -> Table:
    specs = [("open_cases_at_end", "count"), ("overdue_open_cases", "count"),
             ("overdue_open_cases_over_5_working_days", "count"), ("overdue_age_max_working_days", "count")]
    t = Table("overdue", SHEETS["overdue"], _columns(("community_name", "text"), *specs))
    rows = figures.communities[figures.communities.overdue_open_cases.fillna(0) > 0] \
        .sort_values(["overdue_open_cases", "community_code"], ascending=[False, True])
    for row in rows.itertuples():
        t.rows.append([row.community_name, *(_cell(getattr(row, k)) for k, _ in specs)])
        t.keys.append(row.community_code)
    return t


def case_mix(figures: Figures) -> Table:
    t = Table("case_mix", SHEETS["case_mix"], [Column("mix_type", "维度"), *_columns(
        ("mix_name", "text"), ("cases", "count"), ("share_of_cases", "rate"), ("cases_previous", "count"))])
    for row in figures.case_mix.itertuples():
        t.rows.append(["事件大类" if row.mix_type == "category" else "受理渠道", row.mix_name, _cell(row.cases, 0),
                       _cell(row.share_of_cases), _cell(row.cases_previous, NO_PREVIOUS)])
        t.keys.append(f"{row.mix_type}:{row.mix_code}")
    return t


def case_levels(figures: Figures) -> Table:
    t = Table("levels", SHEETS["levels"], _columns(
        ("level_name", "text"), ("cases", "count"), ("cases_closed", "count"), ("cases_closed_on_time", "count")))
    for row in figures.case_levels.itertuples():
        t.rows.append([LEVELS.get(row.final_level, f"{row.final_level}级"), *(
            _cell(getattr(row, k), 0) for k in ("cases", "cases_closed", "cases_closed_on_time"))])
        t.keys.append(str(row.final_level))
    return t


def top_grids(figures: Figures) -> Table:
    specs = [("grid_name", "text"), ("community_name", "text"), ("cases_accepted", "count"),
             ("closure_rate", "rate"), ("on_time_closure_rate", "rate"), ("satisfaction_rate", "rate"),
             ("overdue_open_cases", "count")]
    t = Table("top_grids", SHEETS["top_grids"], _columns(*specs))
    for row in figures.top_grids.itertuples():
        t.rows.append([_cell(getattr(row, k)) for k, _ in specs])
        t.keys.append(row.grid_code)
    return t


def special_groups(figures: Figures) -> Table:
    groups = figures.special_groups
    tags = groups[["tag_code", "tag_name"]].drop_duplicates().sort_values("tag_code")
    t = Table("special_groups", SHEETS["special_groups"],
              [Column("community_name", "社区"), *(Column(r.tag_code, r.tag_name, "count") for r in tags.itertuples())])
    shown = {(r.area_code, r.tag_code): int(r.display) if r.display.isdigit() else r.display
             for r in groups.itertuples()}
    areas = [(figures.street_code, f"{figures.street_name}（合计）")] + list(
        figures.communities[["community_code", "community_name"]].itertuples(index=False, name=None))
    for code, name in areas:
        t.rows.append([name, *(shown.get((code, tag), NO_DATA) for tag in tags.tag_code)])
        t.keys.append(code)
    t.note = "季末月台账人数；不足5人显示为“<5”；敏感类别只以人数出现；季末月未报送台账的社区显示“无数据”。"
    return t


def registers(figures: Figures) -> Table:
    months = sorted(figures.registers.month_start.unique())
    t = Table("registers", SHEETS["registers"], [Column("community_name", "社区"), *(
        Column(pd.Timestamp(m).strftime("%Y-%m"), f"{pd.Timestamp(m).month}月") for m in months)])
    cells = {}
    for r in figures.registers.itertuples():
        status = "missing" if not r.has_register else ("on_time" if r.is_register_on_time else "late")
        when = "" if f.missing(r.register_received_at) else f"（{pd.Timestamp(r.register_received_at):%m-%d}收到）"
        cells[(r.community_code, pd.Timestamp(r.month_start).strftime("%Y-%m"))] = REGISTER_STATUS[status] + when
    for row in figures.communities[figures.communities.has_data].itertuples():
        t.rows.append([row.community_name, *(cells.get((row.community_code, c.key), "") for c in t.columns[1:])])
        t.keys.append(row.community_code)
    t.note = "每月25日（含）前收到为按时；无数据的社区未列出。"
    return t


def quarantine(figures: Figures) -> Table:
    t = Table("quarantine", SHEETS["quarantine"], _columns(("source_name", "text"), ("reason", "text"), ("rows", "count")))
    for r in figures.quarantine.itertuples():
        t.rows.append([SOURCES.get(r.source_name, r.source_name), r.reason, int(r.rows)])
    return t


def rejected(figures: Figures) -> Table:
    t = Table("rejected", SHEETS["rejected"], _columns(
        ("source_name", "text"), ("file_path", "text"), ("received_at", "datetime"), ("message", "text")))
    for r in figures.rejected.itertuples():
        t.rows.append([SOURCES.get(r.source_name, r.source_name), r.file_path, r.received_at.to_pydatetime(), r.message])
    return t


def assessment_bands(figures: Figures) -> Table | None:
    """Worker-months of the quarter by pay band and month (kpi_worker_assessment_monthly)."""
    if figures.assessment is None:
        return None
    bands = figures.assessment["bands"]
    months = sorted(bands.month_start.unique())
    t = Table("assessment", SHEETS["assessment"], [Column("pay_band", "绩效档"), Column("pay_share", "绩效发放比例", "rate"),
              *(Column(pd.Timestamp(m).strftime("%Y-%m"), f"{pd.Timestamp(m).month}月（人）", "count") for m in months)])
    counts = {(r.pay_band, pd.Timestamp(r.month_start).strftime("%Y-%m")): int(r.workers) for r in bands.itertuples()}
    for band, share in bands[["pay_band", "pay_share"]].drop_duplicates().sort_values("pay_band").itertuples(index=False):
        t.rows.append([band, float(share), *(counts.get((band, c.key), 0) for c in t.columns[2:])])
        t.keys.append(band)
    return t


def assessment_bottom(figures: Figures) -> Table | None:
    if figures.assessment is None:
        return None
    specs = [("worker_name", "text"), ("community_name", "text"), ("grid_codes", "text"), ("score", "number"),
             ("rank_in_street", "count"), ("workers_in_street", "count"), ("last_place_streak", "count"),
             ("mean_score", "number")]
    t = Table("assessment_bottom", SHEETS["assessment_bottom"], [*_columns(*specs), Column("flags", "处理")])
    for r in figures.assessment["bottom"].itertuples():
        flags = "、".join(text for flag, text in ((r.has_last_place_penalty, "连续末位扣发补贴"),
                                                  (r.has_laggard_penalty, "年度落后取消年度绩效")) if flag)
        t.rows.append([*(_cell(getattr(r, k)) for k, _ in specs), flags or "—"])
        t.keys.append(r.worker_id)
    if len(figures.assessment["bottom"]):
        t.note = f"{pd.Timestamp(figures.assessment['bottom'].month_start.iloc[0]).month}月排名最后5位；季度平均分为本季度各月得分的平均。"
    return t


def checks(figures: Figures) -> Table | None:
    """The quality gate's failed checks on the quarter's batches (fct_check_results), when it ran."""
    if figures.checks is None:
        return None
    t = Table("checks", SHEETS["checks"], _columns(("community_name", "text"), ("source_name", "text"),
              ("report_month", "text"), ("check_title", "text"), ("severity", "text"), ("observed_value", "text")))
    for r in figures.checks["failed"].itertuples():
        t.rows.append([r.community_name, SOURCES.get(r.source_name, r.source_name), r.report_month, r.check_title,
                       SEVERITIES.get(r.severity, r.severity), _cell(r.observed_value, "")])
    t.note = f"本季度各批次共执行数据检查{figures.checks['total']}项，未通过{len(t.rows)}项。"
    return t


HOTLINE_ROWS = (("orders", "count"), ("response_rate", "rate"), ("resolution_rate", "rate"),
                ("satisfaction_rate", "rate"), ("unplaced_orders", "count"))


def hotline(figures: Figures) -> Table:
    """The quarter's 12345 orders and three rates for the street; `无数据` throughout without an order."""
    t = Table("hotline", SHEETS["hotline"], [Column("label", HEADLINE_COLUMNS["label"]),
                                             Column("current", HEADLINE_COLUMNS["current"], "row")])
    street = figures.hotline["street"] if figures.hotline else {}
    for key, kind in HOTLINE_ROWS:
        t.rows.append([HOTLINE_LABELS[key], _cell(street.get(key), NOT_COMPUTABLE) if street else NO_DATA])
        t.row_kinds.append(kind)
        t.keys.append(key)
    t.note = HOTLINE_NOTE if street else HOTLINE_NONE
    return t


def hotline_communities(figures: Figures) -> Table | None:
    if figures.hotline is None:
        return None
    specs = [("orders", "count"), ("orders_per_10k_residents", "number"), ("response_rate", "rate"),
             ("resolution_rate", "rate"), ("satisfaction_rate", "rate")]
    t = Table("hotline_communities", SHEETS["hotline_communities"], _columns(("community_name", "text"), *specs))
    for row in figures.hotline["communities"].itertuples():
        t.rows.append([row.community_name, *(_cell(getattr(row, k), NO_DATA if k == "orders_per_10k_residents"
                                                   else NOT_COMPUTABLE) for k, _ in specs)])
        t.keys.append(row.community_code)
    t.note = "每万人工单数 = 本季度工单 ÷ 季末实有人口 × 10000；季末月未报送人口台账的社区显示“无数据”。"
    return t


def hotline_topics(figures: Figures) -> Table | None:
    if figures.hotline is None:
        return None
    t = Table("hotline_topics", SHEETS["hotline_topics"], _columns(("topic", "text"), ("orders", "count")))
    for row in figures.hotline["topics"].itertuples():
        t.rows.append([row.topic, int(row.orders)])
        t.keys.append(row.topic)
    return t


def _warning_episodes(figures: Figures) -> pd.DataFrame:
    return figures.warnings if figures.warnings is not None else pd.DataFrame(columns=["kind", "community_code"])


def _kinds(episodes: pd.DataFrame) -> list[str]:
    """The kinds of `episodes` in the fixed order of WARNING_KINDS (an unknown kind last)."""
    order = list(WARNING_KINDS)
    return sorted(episodes.kind.unique(), key=lambda k: (order.index(k) if k in order else len(order), k))


def warnings_by_kind(figures: Figures) -> Table:
    """The quarter's warning episodes by kind; the note says so when there is none (or no mart)."""
    episodes = _warning_episodes(figures)
    t = Table("warnings_by_kind", SHEETS["warnings_by_kind"], [
        Column("kind_name", "预警类型"), Column("episodes", "预警（次）", "count"),
        Column("communities", "涉及社区（个）", "count"), Column("days", "预警天数合计", "count")])
    for kind in _kinds(episodes):
        rows = episodes[episodes.kind == kind]
        t.rows.append([WARNING_KINDS.get(kind, rows.kind_name.iloc[0]), len(rows), rows.community_code.nunique(),
                       int(rows.days_in_quarter.sum())])
        t.keys.append(kind)
    t.note = WARNINGS_NOTE if t.rows else WARNINGS_NONE
    return t


def warnings_communities(figures: Figures) -> Table | None:
    """Episodes per community (rows: communities with a warning) and kind (columns)."""
    episodes = _warning_episodes(figures)
    if episodes.empty:
        return None
    kinds = _kinds(episodes)
    t = Table("warnings_communities", SHEETS["warnings_communities"], [
        Column("community_name", LABELS["community_name"]),
        *(Column(k, WARNING_KINDS.get(k, k), "count") for k in kinds), Column("total", "合计", "count")])
    counts = episodes.groupby(["community_code", "kind"]).size()
    names = episodes.groupby("community_code").community_name.first()
    for code in sorted(names.index, key=lambda c: (-int(counts[c].sum()), c)):
        row = [int(counts.get((code, k), 0)) for k in kinds]
        t.rows.append([names[code], *row, sum(row)])
        t.keys.append(code)
    return t


def warnings_top(figures: Figures) -> Table | None:
    """The strongest episodes of each kind (scores rank within a kind only), with their evidence."""
    episodes = _warning_episodes(figures)
    if episodes.empty:
        return None
    t = Table("warnings_top", SHEETS["warnings_top"], [
        Column("kind_name", "预警类型"), Column("community_name", LABELS["community_name"]),
        Column("where", "网格／类别"), Column("days", "预警日期"), Column("score", "强度", "number"),
        Column("evidence", "依据")])
    for kind in _kinds(episodes):
        rows = episodes[episodes.kind == kind].sort_values(["score", "warning_id"], ascending=[False, True])
        for r in rows.head(WARNINGS_TOP).itertuples():
            where = "／".join(str(v) for v in (r.grid_code, r.category) if not f.missing(v)) or "—"
            first, last = pd.Timestamp(r.first_as_of_date), pd.Timestamp(r.last_as_of_date)
            days = f"{first:%m-%d}" if first == last else f"{first:%m-%d}至{last:%m-%d}"
            t.rows.append([WARNING_KINDS.get(kind, r.kind_name), r.community_name, where, days, _cell(r.score),
                           _cell(r.evidence, "")])
            t.keys.append(r.warning_id)
    t.note = f"每类预警按强度列前{WARNINGS_TOP}次（强度只在同类之间比较；同一预警取本季度最高强度那天的依据）。"
    return t


def all_tables(figures: Figures) -> list[Table]:
    built = [headline(figures), communities(figures), case_mix(figures), case_levels(figures), top_grids(figures),
             overdue(figures), coverage(figures), population(figures), special_groups(figures),
             assessment_bands(figures), assessment_bottom(figures), registers(figures), quarantine(figures),
             rejected(figures), checks(figures), hotline(figures), hotline_communities(figures),
             hotline_topics(figures), warnings_by_kind(figures), warnings_communities(figures), warnings_top(figures)]
    return [t for t in built if t is not None]
