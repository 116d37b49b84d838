"""网格地图 at street level in a real browser (Debian's Chromium driven by Playwright, as test_browser.py):
the grids' names are not printed on the map (at street level they overlap into an unreadable block), and
hovering a grid still shows its name and figure. Screenshot saved under test-artifacts/browser/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.core.settings import ROOT
from tests.dashboards.test_browser import ARTIFACTS, CHROMIUM, _settle, server, signed_in  # noqa: F401 (server is a fixture)
from tests.dashboards.test_pages import LEADER, _choice, con  # noqa: F401 (con is a fixture)

TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(gd => gd.data.map(t => ({
    mode: t.mode, fill: t.fill || null, name: t.name || null, text: t.text || null, hoveron: t.hoveron || null,
    x: t.x ? Array.from(t.x) : [], y: t.y ? Array.from(t.y) : []})))"""
# the page position of the point (x, y) of the map's axes
TO_PAGE = """([x, y]) => { const gd = document.querySelector('.js-plotly-plot'); const box = gd.getBoundingClientRect();
    const l = gd._fullLayout; return [box.left + l._size.l + l.xaxis.l2p(x), box.top + l._size.t + l.yaxis.l2p(y)]; }"""


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="make browser installs Debian's chromium")
def test_street_map_names_grids_on_hover_only(server, demo_run):  # noqa: F811 (the fixture)
    import duckdb

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with signed_in(server, "leader", "huayang-leader") as page:
        page.locator('[data-testid="stSidebarNavLink"]', has_text="网格地图").click()
        page.get_by_role("heading", name="网格地图").first.wait_for(timeout=60_000)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        _settle(page)
        page.screenshot(path=str(ARTIFACTS / "grid_map_street.png"), full_page=True)
        body = page.inner_text("body")
        assert page.locator('[data-testid="stException"]').count() == 0
        month = re.search(r"(\d{4}-\d{2}) · 全街道", body).group(1)  # the scope line: street level

        traces = page.evaluate(TRACES)
        grids = [t for t in traces if t["fill"] == "toself"]
        assert [t["mode"] for t in traces if "text" in (t["mode"] or "")] == []  # no name printed on the map
        assert page.locator(".js-plotly-plot .textpoint").count() == 0

        con = duckdb.connect(str(demo_run.paths.serving), read_only=True)
        expected = {name for (name,) in con.execute(
            """select g.grid_name from marts.kpi_grid_monthly k join marts.dim_grids g using (grid_version_id)
               where strftime(k.month_start, '%Y-%m') = ? and g.boundary_wkt is not null""", [month]).fetchall()}
        con.close()
        assert {t["name"] for t in grids} == expected and len(expected) > 10
        for trace in grids:  # the hover text of each grid: its name, its community and the KPI's value
            assert trace["hoveron"] == "fills" and trace["text"].startswith(f"{trace['name']}（")
            assert "巡查达标率：" in trace["text"]

        hovered = []
        for trace in grids[:3]:  # hover the middle of a grid: the label names that grid
            ring = list(zip(trace["x"], trace["y"]))[:-1]
            centre = (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
            x, y = page.evaluate(TO_PAGE, list(centre))
            page.mouse.move(x, y)
            page.wait_for_timeout(400)
            label = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot .hoverlayer .hovertext'))
                                     .map(e => e.textContent).join(' ')""")
            hovered.append((trace["name"], label))
        page.screenshot(path=str(ARTIFACTS / "grid_map_street_hover.png"), full_page=True)
    for name, label in hovered:
        assert name in label and "巡查达标率" in label, (name, label)


def test_a_communitys_few_grids_carry_their_names(con):  # noqa: F811 (the fixture)
    """With one community chosen its few grids are named on the map as well as on hover."""
    code, month = _choice(con)
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = LEADER
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    at.switch_page("app_pages/grid_map.py").run()
    street = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert not [t for t in street if "text" in t.get("mode", "")]
    at.sidebar.selectbox(key="community").set_value(code).run()
    assert not at.exception
    data = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    names = [t for t in data if t.get("mode") == "text"]
    polygons = [t for t in data if t.get("fill") == "toself"]
    assert len(names) == 1 and sorted(names[0]["text"]) == sorted(t["name"] for t in polygons)
