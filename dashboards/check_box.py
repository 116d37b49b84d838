"""The upload box of 数据质量: files a clerk is about to send, checked by `gridpulse check` (in a process
of its own, dashboards/commands.py) — what ingest would make of each, nothing written."""

from __future__ import annotations

import streamlit as st

from dashboards.commands import CommandFailed, check_files
from dashboards.i18n import t

STATUS = ("landed", "rejected", "duplicate", "superseded")


def check_box() -> None:
    st.subheader(t("check_files"))
    st.caption(t("check_help"))
    uploads = st.file_uploader(t("check_upload"), accept_multiple_files=True, key="check_upload")
    if not uploads or not st.button(t("check_run"), key="check_run"):
        return
    with st.spinner(t("check_running")):
        try:
            results = check_files([(u.name, u.getvalue()) for u in uploads])
        except CommandFailed as exc:
            st.error(t("check_failed", error=exc))
            return
    for r in results:
        show(r)


def show(r: dict) -> None:
    source = t(f"source_{r['source']}") if r.get("source") else t("source_unknown")
    st.markdown(f"**{r['file']}**（{source}）")
    if r["status"] in ("landed", "superseded"):
        where = t("whole_street") if r["source"] == "grids" else "、".join(r["communities"]) or t("check_by_grid")
        st.success(t("check_ok", where=where, months="、".join(r["months"]), read=r["rows_read"],
                     landed=r["rows_landed"], quarantined=r["rows_quarantined"]))
        if r["rows_already_landed"]:
            st.info(t("check_already", n=r["rows_already_landed"]))
        for q in r["quarantined"].values():
            examples = "；".join(t("check_example", row=e["row"], field=e["field"],
                                  value=e["value"] or t("check_empty_value")) for e in q["examples"])
            st.warning(t("check_reason", rows=q["rows"], reason=q["reason"]) + f"（{examples}）")
    else:
        status = t(f"status_{r['status']}") if r["status"] in STATUS else t("status_rejected")
        st.error(t("check_not_ok", status=status, message=r["message"]))
    for h in r.get("hints", []):
        st.info(f"{h['message']}\n\n`{h['contract_line']}`")
