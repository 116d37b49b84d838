"""预警: the warnings of marts.fct_warnings in the user's scope — today's (the data's latest day) and this week's
(the 7 data days ending today) — grouped by kind, strongest first, each with its evidence and chart."""

import streamlit as st

from dashboards import data, ui, warning_views
from dashboards.i18n import t

sel = ui.page_start("warnings")
day = data.warnings_day()
if day is None:
    st.info(t("warnings_no_mart") if not data.warnings_available() else t("warnings_none_week"))
    st.stop()
st.caption(t("warnings_as_of", day=f"{day:%Y-%m-%d}"))
today, week = st.tabs([t("warnings_today"), t("warnings_week")])
with today:
    warning_views.episodes(data.warnings(1, sel.community_code, sel.grid_code, sel.street_code),
                           "warnings_none_today", "warnings_today", f"预警_{day:%Y-%m-%d}", today=True)
with week:
    warning_views.episodes(data.warnings(7, sel.community_code, sel.grid_code, sel.street_code),
                           "warnings_none_week", "warnings_week", f"本周预警_{day:%Y-%m-%d}")
