"""网格地图: the grids of the selection drawn as polygons and coloured by a chosen KPI of the month."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import t

KPIS = ("patrol_compliance_rate", "household_visit_coverage", "on_time_closure_rate", "cases_accepted",
        "overdue_open_cases", "residents")
NAMED_GRIDS = 30  # up to this many grids of one community carry their names; else the names show on hover only
SOURCE_OF = {"patrol_compliance_rate": "patrols", "household_visit_coverage": "patrols", "on_time_closure_rate": "cases",
             "cases_accepted": "cases", "overdue_open_cases": "cases", "residents": "population"}

sel = ui.page_start("grid_map")
kpi = st.selectbox(t("map_kpi"), KPIS, format_func=t, key="map_kpi")
shapes = data.grid_shapes(sel.month, sel.community_code)
if shapes.empty:
    st.info(t("no_shapes"))
    st.stop()
if ui.no_source_data(SOURCE_OF[kpi], sel):  # the grids still show, uncoloured: nothing to colour them by
    st.info(t("map_no_data", kpi=t(kpi), month=sel.month, source=t(f"source_{SOURCE_OF[kpi]}")))
    shapes[kpi] = None
names = sel.community_code is not None and len(shapes) <= NAMED_GRIDS
st.plotly_chart(charts.grid_map(shapes, kpi, rate=ui.is_share(kpi), names=names), width="stretch")
st.caption(t("map_caption"))
shown = shapes[["grid_name", "community_name", kpi]]
if sel.grid_code:
    shown = shapes.loc[shapes.grid_code == sel.grid_code, ["grid_name", "community_name", kpi]]
ui.table(shown, {"grid_name": t("grid_name"), "community_name": t("community_name"), kpi: t(kpi)},
         filename=f"网格地图_{t(kpi)}_{sel.month}", key="map_table")
