"""Router only: pages live in app_pages/, data access in data.py."""

import streamlit as st

from dashboards.i18n import t

st.set_page_config(page_title=t("app_title"), layout="wide")
pages = [st.Page("app_pages/overview.py", title=t("overview"), icon="📊", default=True)]
st.navigation(pages).run()
