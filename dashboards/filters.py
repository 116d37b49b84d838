"""The sidebar filters (period, street when the snapshot holds several, community, grid) that every page honours.

A community user's community is fixed here, so no page can show another community's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboards import data
from dashboards.auth import User
from dashboards.i18n import t
from pipelines.core.settings import STREET_DIGITS

ALL = "__all__"


@dataclass(frozen=True)
class Selection:
    month: str | None  # None: the snapshot has no month yet (no grid table; see ui.stop_without_months)
    community_code: str | None
    grid_code: str | None
    street_code: str | None = None  # the street whose figures "whole street" means


def _street_choice(user: User) -> dict[str, str]:
    """Streets to choose from (code -> name): none for a street installation or a community account."""
    streets = data.streets()
    return {} if user.scope or len(streets) < 2 else dict(zip(streets.street_code, streets.street_name))


def sidebar(user: User) -> None:
    if data.snapshot_version() is None:
        return
    months = data.months()
    if not months:
        return
    with st.sidebar:
        st.selectbox(t("month"), months, index=len(months) - 1, key="month")
        street_names = _street_choice(user)
        if street_names:  # a district or city installation: the street comes first
            st.selectbox(t("street"), list(street_names), key="street", format_func=street_names.get)
        communities = data.communities(st.session_state.get("street") if street_names else None)
        if user.scope:
            communities = communities[communities.community_code == user.scope]
            options = list(communities.community_code)
        else:
            options = [ALL, *communities.community_code]
        names = dict(zip(communities.community_code, communities.community_name))
        st.selectbox(t("community"), options, key="community",
                     format_func=lambda c: t("whole_street") if c == ALL else names.get(c, c))
        community = st.session_state.get("community")
        grids = data.grids(community) if community and community != ALL else None
        grid_options = [ALL, *(grids.grid_code if grids is not None else [])]
        grid_names = dict(zip(grids.grid_code, grids.grid_name)) if grids is not None else {}
        st.selectbox(t("grid"), grid_options, key="grid",
                     format_func=lambda g: t("all_grids") if g == ALL else grid_names.get(g, g))


def current(user: User) -> Selection:
    """The selection of the sidebar, with the user's scope enforced."""
    community = st.session_state.get("community", ALL)
    community = None if community == ALL else community
    if user.scope:
        community = user.scope
    grid = st.session_state.get("grid", ALL)
    street = st.session_state.get("street") if _street_choice(user) else None
    if community is not None and street is not None and not community.startswith(street):
        community = None  # a community of the street chosen before
    months = data.months()
    return Selection(st.session_state.get("month") or (months[-1] if months else None), community,
                     None if grid == ALL or community is None else grid,
                     community[:STREET_DIGITS] if community else street)
