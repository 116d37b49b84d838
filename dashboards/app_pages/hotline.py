"""12345热线: the three rates of 接诉即办 (响应率, 解决率, 满意率) with their change and 12-month trends, orders
per 10,000 residents by community, the most frequent topics, repeat complaints (text masked in the mart),
and for data staff the orders placed to no community with a form that places one by hand
(`gridpulse place`, run through dashboards/commands.py)."""

import pandas as pd
import streamlit as st

from dashboards import charts, commands, data, ui
from dashboards.i18n import labels, t

RATES = data.HOTLINE_RATES
TOP_DEFAULT = 10

user = st.session_state["user"]
sel = ui.page_start("hotline")
ui.require_source("hotline", sel)

# The marts have no grid level: a grid shows its community's figures; topics and repeats follow the grid.
series = data.hotline_series(sel.community_code, sel.street_code)
this_month = series[series.month == sel.month]
row = this_month.iloc[0] if len(this_month) else pd.Series({"orders": 0})  # no mart row: no order that month
if sel.grid_code:
    st.caption(t("hotline_by_grid_note"))


def card(col, key: str) -> None:
    rate = ui.is_share(key)
    value = row.get(key)
    shown = ui.fmt_rate(value) if rate else ui.fmt_count(value) if key in ("orders", "unplaced_orders") \
        else ui.fmt_number(value)
    change = ui.delta(series, key, sel.month, 1)
    yoy = ui.delta(series, key, sel.month, 12)
    spell = (lambda v: f"{v:+.1%}") if rate else (lambda v: f"{v:+,.1f}")
    col.metric(t(key), shown, delta=None if change is None else spell(change),
               help=t("vs_last_month") + "；" + (t("no_last_year") if yoy is None else t("vs_last_year", value=spell(yoy))))


for col, key in zip(st.columns(len(RATES)), RATES):
    card(col, key)
volume = ["orders", "orders_per_10k_residents", "median_reply_working_days", "repeat_share"]
if sel.community_code is None:  # placement is a street figure: an unplaced order belongs to no community
    volume += ["unplaced_orders", "placement_rate"]
for col, key in zip(st.columns(len(volume)), volume):
    card(col, key)

trend = series[series.month <= sel.month].tail(12)
if len(trend):
    left, right = st.columns(2)
    left.subheader(t("hotline_rates_trend"))
    rates_chart = charts.lines(trend, "month", list(RATES))
    rates_chart.update_yaxes(tickformat=".0%", rangemode="tozero")
    left.plotly_chart(rates_chart, width="stretch")
    right.subheader(t("hotline_orders_trend"))
    right.plotly_chart(charts.bars(trend, "month", ["orders"]), width="stretch")

st.subheader(t("hotline_per_10k"))
by_community = data.hotline_communities(sel.month, sel.community_code, sel.street_code)
if sel.community_code is None and by_community.orders_per_10k_residents.notna().any():
    st.plotly_chart(charts.hbar(by_community.dropna(subset=["orders_per_10k_residents"]), "community_name",
                                "orders_per_10k_residents"), width="stretch")
ui.table(by_community, labels(*by_community.columns), filename=f"12345热线各社区_{sel.month}", key="hotline_communities")

top = st.slider(t("hotline_top_n"), min_value=5, max_value=30, value=TOP_DEFAULT, key="hotline_top_n")
st.subheader(t("hotline_topics", n=top))
topics = data.hotline_topics(sel.month, sel.community_code, sel.grid_code, top, sel.street_code)
if topics.empty:
    st.info(t("no_hotline_topics"))
else:
    st.plotly_chart(charts.hbar(topics, "topic", "orders"), width="stretch")
    ui.table(topics, labels(*topics.columns), filename=f"12345热线诉求主题_{sel.month}", key="hotline_topics")
if row.get("unclassified_share") is not None and not pd.isna(row.get("unclassified_share")):
    st.caption(t("hotline_unclassified", share=ui.fmt_rate(row.get("unclassified_share"))))

st.subheader(t("hotline_repeats"))
repeats = data.hotline_repeats(sel.month, sel.community_code, sel.grid_code, sel.street_code)
if repeats.empty:
    st.success(t("no_hotline_repeats"))
else:
    ui.table(repeats, labels(*repeats.columns), filename=f"12345热线重复诉求_{sel.month}", key="hotline_repeats")

if user.sees_quality:
    st.subheader(t("hotline_unplaced"))
    if sel.community_code is not None:
        st.caption(t("hotline_unplaced_pick_street"))
        st.stop()
    unplaced = data.hotline_unplaced(sel.month, sel.community_code, sel.street_code)
    if unplaced.empty:
        st.success(t("no_hotline_unplaced"))
        st.stop()
    ui.table(unplaced, labels(*unplaced.columns), filename=f"12345热线未定位工单_{sel.month}", key="hotline_unplaced")
    with st.container(border=True):
        st.markdown(f"**{t('hotline_place_form')}**")
        st.caption(t("hotline_place_help"))
        left, middle, right = st.columns(3)
        order = left.selectbox(t("hotline_place_order"), list(unplaced.order_id), key="place_order")
        communities = data.communities(sel.street_code)
        names = dict(zip(communities.community_code, communities.community_name))
        community = middle.selectbox(t("community"), list(names), key="place_community", format_func=names.get)
        grids = data.grids(community)
        grid_names = dict(zip(grids.grid_code, grids.grid_name))
        grid = right.selectbox(t("hotline_place_grid"), ["", *grid_names], key="place_grid",
                               format_func=lambda g: grid_names.get(g, t("hotline_place_no_grid")))
        if st.button(t("hotline_place_run"), key="place_run", type="primary"):
            with st.spinner(t("hotline_place_running")):
                try:
                    said = commands.place_order(order, community, grid or None)
                except commands.CommandFailed as exc:
                    st.error(t("hotline_place_failed", error=exc))
                else:
                    st.success(t("hotline_placed", message=said))
