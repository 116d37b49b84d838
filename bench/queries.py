"""Time of the SQL queries each dashboard page issues against the serving snapshot.

Every dashboard query goes through `dashboards.data.query` (st.cache_data; `q()` and every page helper call
it). For the measurement, the bench replaces it — in this process only, dashboards/ is not changed — by the
same undecorated function with a timer around it, cached the same way: the timer runs on cache misses, i.e.
on the queries that really reach DuckDB (a helper called twice with the same arguments in one render is one
query, as in production). Each page is rendered with AppTest as the data-staff user (the whole street, the
latest month, as the sidebar opens), once to warm up (connection, imports), then `repeats` times with the
query caches cleared before each render. The sidebar's own queries (months, communities) are part of every
page's render and are counted with it. The figure is the query time: execute and fetch into pandas,
cursor included; the cached connection is opened during the warm-up.
"""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from contextlib import contextmanager

import numpy as np

from pipelines.core.settings import ROOT, Paths

PAGES = sorted(p.stem for p in (ROOT / "dashboards" / "app_pages").glob("*.py"))


@contextmanager
def timed_queries(log: list[tuple[str, float]]):
    """Within the block, every query the dashboard runs appends (sql, seconds) to `log`."""
    import streamlit as st

    from dashboards import data

    cached = data.query
    body = cached.__wrapped__  # the function st.cache_data wraps (functools.update_wrapper)
    lock = threading.Lock()

    def query(sql: str, params: tuple = (), version: float | None = None):
        start = time.perf_counter()
        try:
            return body(sql, params, version)
        finally:
            with lock:
                log.append((sql, time.perf_counter() - start))

    data.query = st.cache_data(ttl=300, show_spinner=False)(query)
    try:
        yield log
    finally:
        data.query = cached


@contextmanager
def _data_dir(paths: Paths):
    before = os.environ.get("GRIDPULSE_DATA")
    os.environ["GRIDPULSE_DATA"] = str(paths.data)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GRIDPULSE_DATA", None)
        else:
            os.environ["GRIDPULSE_DATA"] = before


def _short(sql: str, width: int = 120) -> str:
    text = re.sub(r"\s+", " ", sql).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def measure_page_queries(paths: Paths, repeats: int = 5, pages: list[str] | None = None,
                         community: str | None = None) -> list[dict]:
    """Per page: {"page", "queries" (per render), "p50_ms", "p95_ms", "max_ms" (over every query of every
    repeat), "total_ms" (median over repeats of a render's summed query time), "renders", "errors",
    "slowest_sql"}. `community` picks a community in the sidebar instead of the whole street."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboards.auth import User

    user = User("data", "数据专员", "data")
    app = str(ROOT / "dashboards" / "streamlit_app.py")
    results = []
    log: list[tuple[str, float]] = []
    with _data_dir(paths), timed_queries(log):
        for page in pages or PAGES:
            at = AppTest.from_file(app, default_timeout=120)
            at.session_state["user"] = user
            at.run()
            if community:
                at.sidebar.selectbox(key="community").set_value(community).run()
            at.switch_page(f"app_pages/{page}.py").run()  # warm-up: connection, imports
            durations, counts, totals, slowest = [], [], [], ("", 0.0)
            for _ in range(repeats):
                at.session_state["month"] = at.session_state["month"]  # keep the sidebar's selection
                st.cache_data.clear()
                log.clear()
                at.run()
                times = [seconds for _, seconds in log]
                durations += times
                counts.append(len(times))
                totals.append(sum(times))
                slowest = max([slowest, *log], key=lambda item: item[1])
                at.query_params.clear()
            ms = np.array(durations) * 1000 if durations else np.array([np.nan])
            results.append({
                "page": page, "queries": int(statistics.median(counts)), "renders": repeats,
                "p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2),
                "max_ms": round(float(ms.max()), 2), "total_ms": round(statistics.median(totals) * 1000, 1),
                "errors": len(at.exception), "slowest_sql": _short(slowest[0]),
            })
    st.cache_data.clear()  # leave no entries of the timed function behind
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(measure_page_queries(Paths.from_env()), ensure_ascii=False, indent=2))
