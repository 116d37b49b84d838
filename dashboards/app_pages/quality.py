"""数据质量 (data staff only): the file ledger and quarantined rows by reason."""

import streamlit as st

from dashboards import data, filters, ui
from dashboards.i18n import labels, t

user = st.session_state["user"]
if not user.sees_quality:
    st.stop()
st.title(t("quality"))
sel = filters.current(user)

st.subheader(t("files_received"))
ui.table(data.files_received(sel.community_code),
         labels("file_path", "source_name", "community_code", "report_month", "received_at", "file_status",
                "rows_read", "rows_landed", "rows_quarantined", "message"),
         filename="文件台账", key="files_table")

st.subheader(t("quarantine_by_reason"))
ui.table(data.quarantine_by_reason(sel.community_code), labels("source_name", "reason", "rows"),
         filename="隔离记录", key="quarantine_table")
