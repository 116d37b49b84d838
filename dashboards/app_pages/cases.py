"""事件处置: volumes by category, channel, level and community; handling rates; overdue open cases;
a grid's case list (descriptions masked)."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import labels, t

sel = ui.page_start("cases")
ui.require_source("cases", sel)
row = ui.area_kpis_or_stop(sel)

ui.metric_row(row, counts=("cases_accepted", "cases_closed", "open_cases_at_end", "overdue_open_cases"),
              numbers=("median_working_days_to_close",))
ui.metric_row(row, rates=("closure_rate", "on_time_closure_rate", "on_time_handling_rate", "rework_rate",
                          "satisfaction_rate"))
ui.metric_row(row, rates=("share_closed_at_level_1", "share_closed_within_community"))

left, middle, right = st.columns(3)
categories = data.case_mix(sel.month, sel.community_code, sel.grid_code, "category")
channels = data.case_mix(sel.month, sel.community_code, sel.grid_code, "channel")
levels = data.cases_by_level(sel.month, sel.community_code, sel.grid_code)
levels["level"] = levels["level"].map(lambda n: t("level_n", n=n))
if len(categories):
    left.plotly_chart(charts.hbar(categories, "mix_name", "cases", t("by_category")), width="stretch")
if len(channels):
    middle.plotly_chart(charts.hbar(channels, "mix_name", "cases", t("by_channel")), width="stretch")
if len(levels):
    right.plotly_chart(charts.hbar(levels, "level", "cases", t("by_level")), width="stretch")

if sel.community_code is None:
    st.subheader(t("cases_by_community"))
    table = data.community_cases(sel.month)
    ui.table(table, labels(*table.columns), filename=f"各社区事件处置_{sel.month}", key="cases_by_community")

st.subheader(t("overdue_list"))
overdue = data.overdue_cases(sel.month, sel.community_code, sel.grid_code)
if overdue.empty:
    st.success(t("no_overdue"))
else:
    shown = overdue.drop(columns=["community_code"])
    ui.table(shown, labels(*shown.columns), filename=f"超期未结案_{sel.month}", key="overdue_table")

if sel.grid_code:
    st.subheader(t("grid_case_list", grid=sel.grid_code))
    listing = data.grid_cases(sel.month, sel.grid_code)
    ui.table(listing, labels(*listing.columns), filename=f"网格事件_{sel.grid_code}_{sel.month}", key="grid_cases")
else:
    st.caption(t("pick_grid_for_cases"))
