"""总览: the headline KPIs of the chosen month and scope, their change and 12-month trend."""

import streamlit as st

from dashboards import charts, data, filters, ui, warning_views
from dashboards.i18n import labels, t

st.title(t("app_title"))
if data.snapshot_version() is None:
    st.info(t("no_snapshot"))
    st.stop()
ui.stop_without_months()

sel = filters.current(st.session_state["user"])
series = data.kpi_series(sel.community_code, sel.grid_code, sel.street_code)
if sel.month not in set(series.month):  # a grid not in force that month
    st.info(t("no_data_for_month"))
    st.stop()
row = series[series.month == sel.month].iloc[0]
SOURCE_OF = {"residents": "population", "grids_patrolled": "patrols", "cases_accepted": "cases", "cases_closed": "cases",
             "on_time_closure_rate": "cases"}
without = [s for s in ("population", "cases", "patrols") if not data.has_data(s, sel.month, sel.community_code)]
if without:
    st.info(t("no_sources_this_month", names="、".join(t(f"source_{s}") for s in without)))


def card(col, key: str) -> None:
    if SOURCE_OF[key] in without:
        ui.metric_no_data(col, key)
        return
    rate = ui.is_share(key)
    fmt = ui.fmt_rate if rate else ui.fmt_count
    change = ui.delta(series, key, sel.month, 1)
    yoy = ui.delta(series, key, sel.month, 12)
    col.metric(t(key), fmt(row[key]),
               delta=None if change is None else (f"{change:+.1%}" if rate else f"{change:+,.0f}"),
               help=t("vs_last_month") + "；" + (t("no_last_year") if yoy is None else t(
                   "vs_last_year", value=f"{yoy:+.1%}" if rate else f"{yoy:+,.0f}")))


columns = st.columns(6)
for col, key in zip(columns, ("residents", "grids_patrolled", "cases_accepted", "cases_closed", "on_time_closure_rate")):
    card(col, key)
warning_views.week_card(columns[5], sel)
st.caption(f"{t('communities_reported')}：{int(row.communities_with_register)}/{int(row.communities_total)}　"
           + t("of_grids", n=int(row.grids_active)) + "　" + t("snapshot_time", time=data.published_at()))

communities = data.community_month(sel.month, sel.community_code)
missing = communities.loc[~communities.has_register.astype(bool), "community_name"].tolist()
if missing:
    st.warning(t("missing_register", names="、".join(missing)))

st.subheader(t("trend"))
trend = series[series.month <= sel.month].tail(12)
left, right = st.columns(2)
left.plotly_chart(charts.bars(trend, "month", ["cases_accepted", "cases_closed"]), width="stretch")
right.plotly_chart(charts.rate_line(trend, "month", "on_time_closure_rate"), width="stretch")

st.subheader(t("by_community"))
ui.table(communities.drop(columns=["community_code"]),
         labels("community_name", "has_register", "residents", "grids_active", "grids_patrolled",
                "cases_accepted", "cases_closed", "on_time_closure_rate"),
         filename=f"社区指标_{sel.month}", key="overview_table")

if st.session_state["user"].scope is None:  # the report is street-wide: not for a community account
    ui.quarter_report(sel.month, data.snapshot_version())
