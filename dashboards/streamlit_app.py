"""Router only: sign-in (throttled, audited), idle sign-out, the sidebar filters every page honours,
and the pages a role may open. Every page view with its filters goes to the audit log."""

import time

import streamlit as st

from dashboards import audit, data, filters
from dashboards.auth import Refusal, load_security, sign_in
from dashboards.i18n import t

st.set_page_config(page_title=t("app_title"), layout="wide")
security = load_security()


def sign_in_page() -> None:
    st.title(t("app_title"))
    if st.session_state.get("expired"):
        st.info(t("session_expired", minutes=f"{security.idle_minutes:g}"))
    with st.form("sign_in"):
        username = st.text_input(t("username"))
        password = st.text_input(t("password"), type="password")
        if st.form_submit_button(t("sign_in")):
            outcome = sign_in(username, password, audit.client(), audit.log(), security=security)
            if isinstance(outcome, Refusal):
                minutes = -(-outcome.wait_seconds // 60)
                st.error(t("sign_in_locked", minutes=minutes) if outcome.locked
                         else t("sign_in_too_soon", seconds=outcome.wait_seconds))
            elif outcome is None:
                st.error(t("bad_login"))
            else:
                st.session_state.clear()
                st.session_state["user"] = outcome
                st.rerun()


user = st.session_state.get("user")
now = time.monotonic()
if user is not None and now - st.session_state.get("last_action", now) > security.idle_minutes * 60:
    audit.log().append("session_expired", user=user.username, role=user.role, client=audit.client())
    st.session_state.clear()
    st.session_state["expired"] = True
    user = None
st.session_state["last_action"] = now
if user is None:
    st.navigation([st.Page(sign_in_page, title=t("sign_in"), icon=":material/login:")]).run()
    st.stop()

pages = [st.Page("app_pages/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
         st.Page("app_pages/cases.py", title=t("cases"), icon=":material/assignment:"),
         st.Page("app_pages/patrols.py", title=t("patrols"), icon=":material/directions_walk:"),
         st.Page("app_pages/population.py", title=t("population"), icon=":material/groups:"),
         st.Page("app_pages/assessment.py", title=t("assessment"), icon=":material/military_tech:"),
         st.Page("app_pages/grid_map.py", title=t("grid_map"), icon=":material/map:"),
         st.Page("app_pages/hotline.py", title=t("hotline"), icon=":material/support_agent:"),
         st.Page("app_pages/warnings.py", title=t("warnings"), icon=":material/notifications_active:")]
if user.sees_quality:
    pages.append(st.Page("app_pages/quality.py", title=t("quality"), icon=":material/fact_check:"))
    pages.append(st.Page("app_pages/audit_log.py", title=t("audit_log"), icon=":material/policy:"))
navigation = st.navigation(pages)
filters.sidebar(user)
if data.snapshot_version() is None:  # nothing published yet: the page says so, there are no filters
    audit.record_view(user, navigation.title, None, None, None, None)
else:
    selection = filters.current(user)
    audit.record_view(user, navigation.title, selection.month, selection.street_code, selection.community_code,
                      selection.grid_code)
with st.sidebar:
    st.caption(t("signed_in_as", name=user.name))
    if st.button(t("sign_out")):
        audit.log().append("sign_out", user=user.username, role=user.role, client=audit.client())
        st.session_state.clear()
        st.rerun()
navigation.run()
