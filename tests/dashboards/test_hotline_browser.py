"""A real browser signs in as the community user tongjiqiao and opens 12345热线 on the hand-made hotline
snapshot (hotline_snapshot.py): no other community, no ID or phone number, every download scoped."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.settings import ROOT
from tests.dashboards.hotline_snapshot import COMMUNITIES, write_snapshot
from tests.dashboards.server import dashboard_server
from tests.dashboards.test_browser import CHROMIUM, ID_RE, PHONE_RE, _check_downloads, _settle, signed_in

ARTIFACTS = ROOT / "test-artifacts" / "browser"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="make browser installs Debian's chromium")


def test_community_user_sees_only_their_community_on_the_hotline_page(tmp_path):
    write_snapshot(tmp_path)
    others = {code: name for code, name in COMMUNITIES.items() if code != "510116003001"}
    own = COMMUNITIES["510116003001"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with dashboard_server(tmp_path) as server, signed_in(server, "tongjiqiao", "huayang-001") as page:
        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="12345热线").click()
        page.get_by_role("heading", name="12345热线").first.wait_for(timeout=60_000)
        _settle(page)
        text = page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "hotline_community.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert own in text and "响应率" in text
        assert [n for n in others.values() if n in text] == []
        assert not ID_RE.search(text) and not PHONE_RE.search(text)
        assert "未定位到社区的工单" not in text  # data staff only
        assert _check_downloads(page, "12345热线", own, others) >= 3
