"""访问审计 (data staff only): sign-ins, page views with their filters and downloads from the audit
log, over a chosen period, for one user or all; the table downloads like every other."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import audit, ui
from dashboards.i18n import labels, t
from pipelines.core.texts import AUDIT_EVENTS, AUDIT_REASONS, ROLE_NAMES

ALL = "__all__"
COLUMNS = ("time", "event", "user", "role", "client", "page", "street", "month", "community", "grid", "table", "rows",
           "reason")

user = st.session_state["user"]
if not user.sees_quality:
    st.stop()
st.title(t("audit_log"))
st.caption(t("audit_help"))

today = dt.date.today()
left, middle, right = st.columns(3)
since = left.date_input(t("audit_since"), today - dt.timedelta(days=30), key="audit_since")
until = middle.date_input(t("audit_until"), today, key="audit_until")
events = right.multiselect(t("audit_events"), list(AUDIT_EVENTS), default=list(AUDIT_EVENTS), key="audit_events",
                           format_func=AUDIT_EVENTS.get)
log = audit.log().read(dt.datetime.combine(since, dt.time()), dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
users = sorted(log["user"].drop_nulls().unique())
who = st.selectbox(t("audit_user"), [ALL, *users], key="audit_user",
                   format_func=lambda u: t("audit_all_users") if u == ALL else u)
if who != ALL:
    log = log.filter(pl.col("user") == who)
log = log.filter(pl.col("event").is_in(events)).sort("time", descending=True)
if log.is_empty():
    st.info(t("audit_none"))
else:
    st.caption(t("audit_count", n=f"{log.height:,}"))
    shown = log.with_columns(pl.col("event").replace_strict(AUDIT_EVENTS, default=pl.col("event")),
                             pl.col("role").replace_strict(ROLE_NAMES, default=pl.col("role")),
                             pl.col("reason").replace_strict(AUDIT_REASONS, default=pl.col("reason")),
                             pl.col("time").str.replace("T", " "))
    ui.table(shown.select(COLUMNS).to_pandas(), labels(*COLUMNS), filename=f"访问审计_{since}_{until}", key="audit_table")
