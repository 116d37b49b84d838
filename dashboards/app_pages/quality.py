"""数据质量 (data staff only): the file ledger, quarantined rows by reason, the quality gate's check
results, the per-community feedback workbook and the check of files before they are sent."""

import streamlit as st

from dashboards import data, filters, ui
from dashboards.check_box import check_box
from dashboards.i18n import labels, t

user = st.session_state["user"]
if not user.sees_quality:
    st.stop()
st.title(t("quality"))
sel = filters.current(user)

# the ledger's codes (patrols, rejected, blocking) as data staff say them
CODES = {"source_name": {s: t(f"source_{s}") for s in ("grids", "population", "cases", "patrols")},
         "file_status": {s: t(f"status_{s}") for s in ("landed", "rejected", "duplicate", "superseded")},
         "severity": {"blocking": t("severity_blocking"), "warning": t("severity_warning")}}


def in_words(frame):
    return frame.replace({c: m for c, m in CODES.items() if c in frame.columns})


st.subheader(t("files_received"))
ui.table(in_words(data.files_received(sel.community_code)),
         labels("file_path", "source_name", "community_code", "report_month", "months", "received_at", "file_status",
                "rows_read", "rows_landed", "rows_quarantined", "rows_already_landed", "message"),
         filename="文件台账", key="files_table")

st.subheader(t("quarantine_by_reason"))
ui.table(in_words(data.quarantine_by_reason(sel.community_code)), labels("source_name", "reason", "rows"),
         filename="隔离记录", key="quarantine_table")

st.subheader(t("check_results"))
failed_only = st.toggle(t("failed_only"), value=True, key="failed_only")
checks = data.check_results(sel.month, sel.community_code, failed_only)
if sel.month is None:  # nothing modelled yet (no grid table): the files above say why
    st.info(t("no_checks"))
elif checks.empty:
    st.success(t("no_failed_checks") if failed_only else t("no_checks"))
else:
    ui.table(in_words(checks), labels(*checks.columns), filename=f"质量检查结果_{sel.month}", key="checks_table")

st.subheader(t("community_report"))
if sel.community_code is None:
    st.caption(t("pick_community_for_report"))
else:
    workbook = data.feedback_workbook(sel.community_code, sel.month)
    if workbook is None:
        st.info(t("no_quality_report"))
    else:
        ui.download(st, t("download_quality_report"), workbook.read_bytes, workbook.name, ui.XLSX, "quality_report")

check_box()
