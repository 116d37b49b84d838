"""考核: each grid worker's monthly score, pay band, rank and last-place streak (DOMAIN.md §6)."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import labels, t

sel = ui.page_start("assessment")
ui.require_source("patrols", sel, note=t("assessment_needs_patrols"))
scores = data.assessment(sel.month, sel.community_code, sel.grid_code)
if scores.empty:
    st.info(t("no_assessment"))
    st.stop()

cols = st.columns(4)
cols[0].metric(t("workers_assessed"), f"{len(scores):,}")
cols[1].metric(t("mean_score"), ui.fmt_number(scores.score.mean()))
cols[2].metric(t("band_a"), f"{int((scores.pay_band == 'A').sum()):,}")
cols[3].metric(t("penalised"), f"{int(scores.has_last_place_penalty.fillna(False).astype(bool).sum()):,}")

ui.table(scores, labels(*scores.columns), filename=f"网格员考核_{sel.month}", key="assessment_table")

st.subheader(t("score_trend"))
history = data.assessment_history(tuple(scores.worker_name.head(10)), sel.community_code)
history = history[history.month <= sel.month]
st.plotly_chart(charts.worker_lines(history), width="stretch")
