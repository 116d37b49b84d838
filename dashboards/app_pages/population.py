"""人口: residents by registration type, special groups as suppressed counts, monthly flows, and which
communities' registers are late."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import labels, t

sel = ui.page_start("population")
row = data.area_kpis(sel.month, sel.community_code, sel.grid_code, sel.street_code)
if row.empty or row.get("residents") is None or row.isna().get("residents", True):
    st.info(t("no_register_data"))
else:
    ui.metric_row(row, counts=("residents", "households", "residents_registered", "residents_floating",
                               "residents_foreign"))

months = data.population_months(sel.community_code, sel.grid_code)
months = months[months.month <= sel.month].tail(12)
left, right = st.columns(2)
left.subheader(t("by_registration"))
left.plotly_chart(charts.bars(months, "month", ["residents_registered", "residents_floating", "residents_foreign"]),
                  width="stretch")
right.subheader(t("flows"))
right.plotly_chart(charts.lines(months, "month", ["moved_in", "transferred_in", "moved_out", "transferred_out",
                                                  "deaths"]), width="stretch")
flows = months[["month", "residents", "moved_in", "transferred_in", "moved_out", "transferred_out", "deaths"]]
ui.table(flows, labels(*flows.columns), filename=f"人口变动_{sel.month}", key="flows_table")

st.subheader(t("special_groups"))
groups = data.special_groups(sel.month, sel.community_code, sel.grid_code).drop(columns=["is_sensitive"])
ui.table(groups, labels(*groups.columns), filename=f"特殊人群_{sel.month}", key="groups_table")

st.subheader(t("registers_status"))
registers = data.registers(sel.month, sel.community_code)
late = registers.loc[~registers.is_register_on_time.fillna(False).astype(bool), "community_name"].tolist()
if late:
    st.warning(t("late_registers", names="、".join(late)))
ui.table(registers, labels(*registers.columns), filename=f"台账报送_{sel.month}", key="registers_table")
