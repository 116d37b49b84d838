"""Server-side render time of every dashboard page on a published snapshot (AppTest).

Each page is run `repeat` times for the data-staff user (who may open every page) after one
warm-up run; the figure is the script run time, queries and charts included, browser paint not.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from pipelines.core.settings import ROOT, Paths

PAGES = sorted(p.name for p in (ROOT / "dashboards" / "app_pages").glob("*.py"))


def measure(paths: Paths, repeat: int = 5) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from dashboards.auth import User

    os.environ["GRIDPULSE_DATA"] = str(paths.data)
    user = User("data", "数据专员", "data")
    results = []
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=120)
        at.session_state["user"] = user
        at.run()
        at.switch_page(f"app_pages/{page}").run()  # warm-up: connection and query caches
        times = []
        for _ in range(repeat):
            at.session_state["month"] = at.session_state["month"]
            t = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t)
            at.query_params.clear()
        cold = _cold(page, user, paths)
        results.append({"page": page, "errors": len(at.exception), "cold_s": round(cold, 3),
                        "warm_p50_s": round(statistics.median(times), 3), "warm_max_s": round(max(times), 3)})
    return results


def _cold(page: str, user, paths: Paths) -> float:
    """A first visit with empty caches: a new app session, the page opened directly."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=120)
    at.session_state["user"] = user
    at.run()
    t = time.perf_counter()
    at.switch_page(f"app_pages/{page}").run()
    return time.perf_counter() - t


def street_snapshot(street: Path) -> Paths:
    return Paths(raw=street / "raw", data=street / "data")
