"""A real browser (Debian's Chromium driven by Playwright) signs in as a community user and opens
every page: no error box, no other community's name, no ID or phone number; screenshots saved."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.core.settings import ROOT
from tests.dashboards.server import dashboard_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
ID_RE = re.compile(r"(?<![0-9A-Za-z.])\d{17}[0-9Xx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<![0-9A-Za-z.])1[3-9]\d{9}(?![0-9A-Za-z])")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="make browser installs Debian's chromium")


@pytest.fixture(scope="module")
def server(demo_run):
    with dashboard_server(demo_run.paths.data) as url:
        yield url


@contextlib.contextmanager
def signed_in(server: str, username: str, password: str):
    """A Chromium page signed in to the dashboard as `username`, on its first page once it has run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        _settle(page)
        yield page
        browser.close()


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(800)


def test_community_user_sees_only_their_community_on_every_page(server, demo_run):
    visit_every_page_as_community_user(server, demo_run.paths.serving, ARTIFACTS)


def visit_every_page_as_community_user(server: str, serving: Path, artifacts: Path) -> None:
    """Every page as the user of community 510116003001: no error box, its name, no other community's, no
    ID or phone number, every table's download only the community's; screenshots in `artifacts`."""
    con = duckdb.connect(str(serving), read_only=True)
    names = dict(con.execute("select community_code, community_name from marts.dim_communities").fetchall())
    con.close()
    own = names.pop("510116003001")
    artifacts.mkdir(parents=True, exist_ok=True)
    with signed_in(server, "tongjiqiao", "huayang-001") as page:
        links = page.locator('[data-testid="stSidebarNavLink"]')
        titles = [links.nth(i).inner_text().split()[-1] for i in range(links.count())] or ["总览"]
        downloads = 0
        for i, title in enumerate(titles):
            if links.count():
                links.nth(i).click()
            if title != "总览":  # the detail pages are titled by their name: wait for it, then for the run
                page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
            _settle(page)
            text = page.inner_text("body")
            page.screenshot(path=str(artifacts / f"{i:02d}_{title}.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0, title
            assert own in text, title
            leaked = [n for n in names.values() if n in text]
            assert leaked == [], (title, leaked)
            assert not ID_RE.search(text) and not PHONE_RE.search(text), title
            downloads += _check_downloads(page, title, own, names)
        assert "数据质量" not in titles  # data-staff page is not offered to a community user
        assert {"总览", "事件处置", "巡查走访", "人口", "考核", "网格地图"} <= set(titles)
        assert downloads >= 5  # the tables of every page were downloaded and checked


def _check_downloads(page, title: str, own: str, others: dict) -> int:
    """Download every table of the page as xlsx: only the user's community, no ID or phone number."""
    import openpyxl

    buttons = page.get_by_role("button", name="下载 Excel")
    for i in range(buttons.count()):
        with page.expect_download(timeout=60_000) as info:
            buttons.nth(i).click()
        book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        header = [str(c) for c in next(book.worksheets[0].iter_rows(values_only=True), ())]
        if "社区" in header:
            column = header.index("社区")
            values = {row[column] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
            assert values <= {own}, (title, values)
        text = " ".join(cells)
        assert [n for n in others.values() if n in text] == [], title
        assert not ID_RE.search(text) and not PHONE_RE.search(text), title
        book.close()
    return buttons.count()


def test_what_a_leader_opens_and_downloads_is_exactly_what_the_audit_log_holds(server, demo_run):
    """Sign in, choose a community, open two pages, download one table: the audit log then holds
    exactly the sign-in, the page views with their filters, and the download with its row count."""
    import datetime as dt

    import openpyxl

    from pipelines.core.audit import AuditLog

    started = dt.datetime.now().replace(microsecond=0)
    with signed_in(server, "leader", "huayang-leader") as page:
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="社区").click()
        page.get_by_role("option", name="通济桥街社区").click()
        _settle(page)
        for title in ("事件处置", "巡查走访"):
            page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).click()
            page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
            _settle(page)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="下载 Excel").first.click()
        book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
        rows = sum(1 for _ in book.worksheets[0].iter_rows(min_row=2))
        file_name = info.value.suggested_filename
        page.wait_for_timeout(500)
    events = AuditLog(demo_run.paths.data).read(started, user="leader")
    month = events["month"].drop_nulls()[0]
    seen = [(e["event"], e["page"], e["community"], e["table"], e["rows"]) for e in events.iter_rows(named=True)]
    assert seen == [("sign_in", None, None, None, None),
                    ("page_view", "总览", None, None, None),
                    ("page_view", "总览", "510116003001", None, None),
                    ("page_view", "事件处置", "510116003001", None, None),
                    ("page_view", "巡查走访", "510116003001", None, None),
                    ("download", "巡查走访", "510116003001", file_name, rows)]
    assert set(events["month"].drop_nulls()) == {month} and rows > 0
