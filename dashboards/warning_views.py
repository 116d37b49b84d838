"""How a warning (marts.fct_warnings, read through data.warnings) is drawn: the 预警 page's lists by kind and
the 总览 card 本周预警. Kinds are listed in the order of pipelines.core.texts.WARNING_KINDS."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import labels, t
from pipelines.core.texts import WARNING_KINDS

CHARTS_PER_KIND = 5  # the strongest of each kind get their chart; every warning is in the table below
TABLE_COLUMNS = ("kind_name", "community_name", "grid_code", "category", "subject", "evidence_trend", "observed",
                 "expected_level", "upper_limit", "warning_score", "first_as_of_date", "last_as_of_date", "days_active",
                 "evidence")


def by_kind(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(kind name, its warnings strongest first) for each kind present, in the fixed order of kinds."""
    order = {kind: i for i, kind in enumerate(WARNING_KINDS)}
    kinds = sorted(frame.kind.unique(), key=lambda k: (order.get(k, len(order)), k))
    out = []
    for kind in kinds:
        rows = frame[frame.kind == kind].sort_values(["warning_score", "warning_id"], ascending=[False, True])
        out.append((WARNING_KINDS.get(kind, rows.kind_name.iloc[0]), rows))
    return out


def _headline(row, today: bool) -> str:
    where = "　".join(str(v) for v in (row.community_name, row.grid_code, row.category, row.subject)
                      if v is not None and not pd.isna(v))
    new = f" :red-badge[{t('warnings_new')}]" if today and row.is_new else ""  # issued for the first time today
    return f"**{where}**{new}　{t('warning_score')} {row.warning_score:.2f} · {t('warnings_days', n=int(row.days_active))}"


def episodes(frame: pd.DataFrame, empty_key: str, key: str, filename: str, today: bool = False) -> None:
    """The warnings grouped by kind, strongest first, each with its evidence and chart; then all of them
    as one table with its download."""
    if frame.empty:
        st.success(t(empty_key))
        return
    groups = by_kind(frame)
    for kind_name, rows in groups:
        st.subheader(t("warnings_kind_count", kind=kind_name, n=len(rows)))
        for row in rows.head(CHARTS_PER_KIND).itertuples():
            with st.container(border=True):
                left, right = st.columns([3, 2])
                left.markdown(_headline(row, today))
                if isinstance(row.evidence, str):
                    left.write(row.evidence)
                figure = charts.warning_series(row.evidence_series, row.expected_level, row.upper_limit)
                if figure is not None:
                    right.plotly_chart(figure, width="stretch", key=f"{key}_{row.warning_id}",
                                       config={"displayModeBar": False})
        if len(rows) > CHARTS_PER_KIND:
            st.caption(t("warnings_more", n=len(rows) - CHARTS_PER_KIND))
    st.subheader(t("warnings_table"))
    ordered = pd.concat([rows for _, rows in groups])  # as listed above: by kind, strongest first
    ordered = ordered.assign(evidence_trend=_series_lists(ordered.evidence_series))  # every warning's small chart
    ui.table(ordered[list(TABLE_COLUMNS)], labels(*TABLE_COLUMNS), filename=filename, key=key, trend="evidence_trend")


def _series_lists(series: pd.Series) -> list:
    """The comma-separated evidence series as lists of numbers (empty entries dropped), for the table's charts."""
    parsed = pl.Series(series.astype(object).where(series.notna(), None).tolist(), dtype=pl.String)
    return (parsed.fill_null("").str.split(",").list.eval(pl.element().cast(pl.Float64, strict=False).drop_nulls())
            .to_list())


def week_card(col, sel) -> None:
    """总览's 本周预警: distinct warning episodes of the scope active in the 7 data days ending today."""
    day = data.warnings_day()
    if day is None:
        ui.metric_no_data(col, "warnings_week")
        return
    week = data.warnings(7, sel.community_code, sel.grid_code, sel.street_code)
    parts = [f"{name} {len(rows)}" for name, rows in by_kind(week)]
    col.metric(t("warnings_week"), f"{len(week):,}", help=t("warnings_card_help", day=f"{day:%Y-%m-%d}"))
    if parts:
        col.caption(t("warnings_breakdown", parts="，".join(parts)))
