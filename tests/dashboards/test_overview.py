"""The overview page shows the marts' numbers, and the served app answers HTTP 200."""

from __future__ import annotations

import urllib.request

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import User
from pipelines.core.settings import ROOT
from tests.dashboards.server import dashboard_server

LEADER = User("leader", "街道领导", "leader")


def _app(user: User = LEADER) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = user
    return at.run()


@pytest.fixture
def app_env(demo_run, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_DATA", str(demo_run.paths.data))
    return demo_run


def _street_month(paths, month):
    con = duckdb.connect(str(paths.serving), read_only=True)
    row = con.execute("select residents, grids_patrolled, cases_accepted, cases_closed, on_time_closure_rate "
                      "from marts.kpi_street_monthly where strftime(month_start, '%Y-%m') = ?", [month]).fetchone()
    con.close()
    return row


def test_overview_metrics_equal_the_marts_for_a_chosen_month(app_env):
    at = _app()
    assert not at.exception
    months = at.sidebar.selectbox(key="month").options
    month = months[0]
    at.sidebar.selectbox(key="month").set_value(month).run()
    shown = {m.label: m.value for m in at.metric}
    residents, patrolled, accepted, closed, rate = _street_month(app_env.paths, month)
    assert shown["实有人口"] == f"{residents:,}"
    assert shown["已巡查网格"] == f"{patrolled:,}"
    assert shown["受理事件"] == f"{accepted:,}"
    assert shown["结案事件"] == f"{closed:,}"
    assert shown["按期结案率"] == f"{rate:.1%}"


def test_served_dashboard_answers_http_200(app_env):
    with dashboard_server(app_env.paths.data) as url:
        assert urllib.request.urlopen(url, timeout=5).status == 200
        assert urllib.request.urlopen(f"{url}_stcore/health", timeout=5).read() == b"ok"


def test_overview_numbers_agree_with_a_recount_of_the_raw_files(app_env):
    from tests.raw_truth import RawTruth

    truth = RawTruth(app_env.paths.raw, app_env.truth)
    at = _app()
    for month in at.sidebar.selectbox(key="month").options:
        at.sidebar.selectbox(key="month").set_value(month).run()
        shown = {m.label: m.value for m in at.metric}
        accepted, closed, rate = truth.case_numbers(month)
        assert shown["实有人口"] == f"{truth.residents(month):,}", month
        assert shown["已巡查网格"] == f"{truth.grids_patrolled(month):,}", month
        assert shown["受理事件"] == f"{accepted:,}", month
        assert shown["结案事件"] == f"{closed:,}", month
        assert shown["按期结案率"] == f"{rate:.1%}", month
