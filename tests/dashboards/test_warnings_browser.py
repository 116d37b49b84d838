"""A real browser signs in as the community user tongjiqiao and opens 预警: only its own community's warnings
(names and grid codes of the rows shown), none of another community's, no ID or phone number, every download
scoped. On the demo snapshot (demo_run, whose fct_warnings the pipeline built) when this week holds warnings of
tongjiqiao's community and of another one; otherwise on the hand-made warnings (warnings_snapshot.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.core.settings import ROOT
from tests.dashboards.server import dashboard_server
from tests.dashboards.test_browser import CHROMIUM, ID_RE, PHONE_RE, _check_downloads, _settle, signed_in
from tests.dashboards.warnings_snapshot import write_warnings_snapshot

ARTIFACTS = ROOT / "test-artifacts" / "browser"
OWN = "510116003001"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="make browser installs Debian's chromium")


def _week(data: Path) -> tuple[dict[str, str], list[tuple[str, str | None, str | None]]]:
    """The snapshot's community names, and this week's warnings as (community_code, grid_code, evidence)."""
    con = duckdb.connect(str(data / "serving.duckdb"), read_only=True)
    try:
        names = dict(con.execute("select community_code, community_name from marts.dim_communities").fetchall())
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        if "fct_warnings" not in tables:
            return names, []
        week = con.execute("""select community_code, grid_code, evidence from marts.fct_warnings
                              where as_of_date > (select max(as_of_date) from marts.fct_warnings) - 7""").fetchall()
        return names, week
    finally:
        con.close()


@pytest.fixture(scope="module")
def data(request, tmp_path_factory) -> Path:
    demo = request.getfixturevalue("demo_run").paths.data
    _, week = _week(demo)
    if {g for c, g, _ in week if c == OWN and g} and {c for c, _, _ in week if c != OWN}:
        return demo
    folder = tmp_path_factory.mktemp("warnings_browser")
    write_warnings_snapshot(folder)
    return folder


def test_community_user_sees_only_their_communitys_warnings(data):
    names, week = _week(data)
    own, others = names[OWN], {c: n for c, n in names.items() if c != OWN}
    own_grids = {g for c, g, _ in week if c == OWN and g}
    # a hot spot's evidence may name a neighbouring grid of another community: that grid code is allowed
    own_evidence = " ".join(e for c, _, e in week if c == OWN and e)
    other_grids = {g for c, g, _ in week if c != OWN and g and g not in own_evidence}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with dashboard_server(data) as server, signed_in(server, "tongjiqiao", "huayang-001") as page:
        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="预警").click()
        page.get_by_role("heading", name="预警").first.wait_for(timeout=60_000)
        _settle(page)
        texts = []
        for tab in ("今日预警", "本周预警"):
            page.get_by_role("tab", name=tab).click()
            _settle(page)
            texts.append(page.inner_text("body"))
            page.screenshot(path=str(ARTIFACTS / f"warnings_{tab}.png"), full_page=True)
        text = "\n".join(texts)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert own in text and "本周预警" in text
        assert own_grids and all(g in text for g in own_grids)  # its warnings are shown, by grid
        assert [n for n in others.values() if n in text] == []
        assert [g for g in other_grids if g in text] == []
        assert not ID_RE.search(text) and not PHONE_RE.search(text)
        assert _check_downloads(page, "预警", own, others) >= 1
