"""巡查走访: coverage by grid against the required frequencies, grids not patrolled for N days,
workers' activity."""

import streamlit as st

from dashboards import data, ui
from dashboards.i18n import labels, t

sel = ui.page_start("patrols")
ui.require_source("patrols", sel)
row = ui.area_kpis_or_stop(sel)

ui.metric_row(row, counts=("grids_active", "grids_patrolled", "grids_patrolled_at_frequency"),
              rates=("patrol_compliance_rate", "household_visit_coverage", "key_person_visit_coverage"))

st.subheader(t("grid_coverage"))
grids = data.grid_month(sel.month, sel.community_code)
if sel.grid_code:
    grids = grids[grids.grid_code == sel.grid_code]
coverage = grids[["grid_name", "community_name", "required_patrol_days", "patrolled_working_days",
                  "patrol_compliance_rate", "households_visited", "household_visit_coverage", "key_persons_visited",
                  "key_person_visit_coverage"]].sort_values("patrol_compliance_rate", na_position="first")
ui.table(coverage, labels(*coverage.columns), filename=f"网格巡查走访_{sel.month}", key="coverage_table")

days = st.slider(t("not_patrolled_for"), min_value=1, max_value=30, value=7, key="stale_days")
since = data.days_since_patrol(sel.month, sel.community_code)
if sel.grid_code:
    since = since[since.grid_code == sel.grid_code]
stale = since[since.days_since.isna() | (since.days_since >= days)]
if stale.empty:
    st.success(t("no_stale_grids", days=days))
else:
    st.warning(t("stale_grids", n=len(stale), days=days))
    shown = stale[["grid_name", "community_name", "worker_name", "last_patrol", "days_since"]]
    ui.table(shown, labels(*shown.columns), filename=f"未巡查网格_{sel.month}", key="stale_table")

st.subheader(t("workers_activity"))
workers = data.worker_activity(sel.month, sel.community_code, sel.grid_code).drop(columns=["worker_id"])
workers = workers.rename(columns={"patrols": "patrols_count"})
ui.table(workers, labels(*workers.columns), filename=f"网格员工作量_{sel.month}", key="workers_table")
