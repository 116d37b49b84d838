"""总览: the headline KPIs of a month and their 12-month trend."""

import plotly.express as px
import streamlit as st

from dashboards import data
from dashboards.i18n import t

st.title(t("app_title"))
if data.snapshot_version() is None:
    st.info(t("no_snapshot"))
    st.stop()

months = data.months()
month = st.sidebar.selectbox(t("month"), months, index=len(months) - 1, key="month")
row = data.street_month(month).iloc[0]

cols = st.columns(5)
cols[0].metric(t("residents"), f"{int(row.residents or 0):,}")
cols[1].metric(t("grids_patrolled"), f"{int(row.grids_patrolled):,}", help=t("of_grids", n=int(row.grids_active)))
cols[2].metric(t("cases_accepted"), f"{int(row.cases_accepted):,}")
cols[3].metric(t("cases_closed"), f"{int(row.cases_closed):,}")
rate = row.on_time_closure_rate
cols[4].metric(t("on_time_closure_rate"), "—" if rate != rate or rate is None else f"{rate:.1%}")
st.caption(f"{t('communities_reported')}：{int(row.communities_with_register)}/{int(row.communities_total)}　"
           + t("snapshot_time", time=data.published_at()))

communities = data.community_month(month)
missing = communities.loc[~communities.has_register, "community_name"].tolist()
if missing:
    st.warning(t("missing_register", names="、".join(missing)))

st.subheader(t("trend"))
trend = data.street_trend(month)
left, right = st.columns(2)
left.plotly_chart(px.bar(trend, x="month", y=["cases_accepted", "cases_closed"], barmode="group",
                         labels={"month": t("month"), "value": "", "variable": ""}), width="stretch")
right.plotly_chart(px.line(trend, x="month", y="on_time_closure_rate", markers=True,
                           labels={"month": t("month"), "on_time_closure_rate": t("on_time_closure_rate")}),
                   width="stretch")

st.subheader(t("by_community"))
st.dataframe(communities.rename(columns={
    "community_name": t("community"), "has_register": t("has_register"), "residents": t("residents"),
    "grids_patrolled": t("grids_patrolled"), "cases_accepted": t("cases_accepted"),
    "cases_closed": t("cases_closed"), "on_time_closure_rate": t("on_time_closure_rate")}),
    hide_index=True, width="stretch")
