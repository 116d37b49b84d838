"""Router only: sign-in, the sidebar filters every page honours, and the pages a role may open."""

import streamlit as st

from dashboards import filters
from dashboards.auth import authenticate
from dashboards.i18n import t

st.set_page_config(page_title=t("app_title"), layout="wide")


def sign_in() -> None:
    st.title(t("app_title"))
    with st.form("sign_in"):
        username = st.text_input(t("username"))
        password = st.text_input(t("password"), type="password")
        if st.form_submit_button(t("sign_in")):
            user = authenticate(username, password)
            if user is None:
                st.error(t("bad_login"))
            else:
                st.session_state["user"] = user
                st.rerun()


user = st.session_state.get("user")
if user is None:
    st.navigation([st.Page(sign_in, title=t("sign_in"), icon=":material/login:")]).run()
    st.stop()

pages = [st.Page("app_pages/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
         st.Page("app_pages/cases.py", title=t("cases"), icon=":material/assignment:"),
         st.Page("app_pages/patrols.py", title=t("patrols"), icon=":material/directions_walk:"),
         st.Page("app_pages/population.py", title=t("population"), icon=":material/groups:"),
         st.Page("app_pages/assessment.py", title=t("assessment"), icon=":material/military_tech:"),
         st.Page("app_pages/grid_map.py", title=t("grid_map"), icon=":material/map:")]
if user.sees_quality:
    pages.append(st.Page("app_pages/quality.py", title=t("quality"), icon=":material/fact_check:"))
navigation = st.navigation(pages)
filters.sidebar(user)
with st.sidebar:
    st.caption(t("signed_in_as", name=user.name))
    if st.button(t("sign_out")):
        st.session_state.clear()
        st.rerun()
navigation.run()
