"""The dashboard's entries in the access audit log (pipelines/core/audit.py): page views with their
filters, downloads with their table and row count, and who the client is (as a digest)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboards import data
from dashboards.auth import User
from pipelines.core.audit import AuditLog

VIEW = "_audit_view"  # session key: the last page view logged, so reruns of one view log it once
CLIENT = "_audit_client"  # session key: the client's digest


def log() -> AuditLog:
    return AuditLog(data.data_folder())


def client() -> str:
    """The client as a digest of its address; 'local' for a browser on the dashboard's own machine.
    Worked out once per session: every download button drawn asks for it."""
    if CLIENT not in st.session_state:
        address = st.context.ip_address
        st.session_state[CLIENT] = log().digest(address) if isinstance(address, str) and address else "local"
    return st.session_state[CLIENT]


def record_view(user: User, page: str, month: str | None, street: str | None, community: str | None,
                grid: str | None) -> None:
    """Log a page view when the page or one of its filters differs from the last view logged."""
    view = {"page": page, "month": month, "street": street, "community": community, "grid": grid}
    if st.session_state.get(VIEW) == view:
        return
    st.session_state[VIEW] = view
    log().append("page_view", user=user.username, role=user.role, client=client(), **view)


def download(make: Callable[[], bytes], table: str, rows: int | None) -> Callable[[], bytes]:
    """A download button's deferred data: it logs the download when the user clicks, then makes the
    file. The context (user, page, filters) is taken when the button is drawn, since the callable
    runs outside the page script."""
    user: User | None = st.session_state.get("user")
    view = dict(st.session_state.get(VIEW) or {})
    where = client()

    def logged() -> bytes:
        if user is not None:
            log().append("download", user=user.username, role=user.role, client=where, table=table, rows=rows,
                         **view)
        return make()

    return logged
