"""The 预警 page and the 总览 card 本周预警 on the hand-made warnings (warnings_snapshot.py): today's and this week's
episodes of the scope, grouped by kind and strongest first, each with its evidence and chart; a community account
sees only its community; a snapshot without the mart, or without a warning this week, says so in Chinese."""

from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import User
from pipelines.core.settings import ROOT
from pipelines.core.texts import TEXT, WARNING_KINDS
from tests.dashboards.hotline_snapshot import COMMUNITIES, MONTHS
from tests.dashboards.test_pages import _open as open_page
from tests.dashboards.warnings_snapshot import EPISODES, TODAY, Episode, add_warnings_table, write_warnings_snapshot

LEADER = User("leader", "街道领导", "leader")
TONGJIQIAO = User("tongjiqiao", "通济桥街社区", "community", "510116003001")
MONTH = MONTHS[-1].strftime("%Y-%m")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warnings")
    write_warnings_snapshot(folder)
    return folder


@pytest.fixture
def env(snapshot, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_DATA", str(snapshot))


def _open(user: User = LEADER, community: str | None = None, grid: str | None = None) -> AppTest:
    at = open_page("warnings", community, MONTH, user, grid=grid)
    assert not at.error, [e.value for e in at.error]
    return at


def _overview(user: User) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _tables(at: AppTest):
    """(today's table, this week's table): the page's two 预警清单 tables."""
    frames = [d.value for d in at.dataframe if "预警类型" in d.value.columns]
    assert len(frames) == 2
    return frames


def _expected(days: int, community: str | None = None, grid: str | None = None) -> list[Episode]:
    return [e for e in EPISODES if e.active(days) and (community is None or e.community_code == community)
            and (grid is None or e.grid_code in (grid, None))]


def test_today_and_this_week_by_kind_strongest_first(env):
    at = _open()
    assert at.title[0].value == "预警" and [t.label for t in at.tabs] == ["今日预警", "本周预警"]
    assert any(TODAY.isoformat() in c.value for c in at.caption)
    today, week = _tables(at)
    for frame, days in ((today, 1), (week, 7)):
        expected = _expected(days)
        assert len(frame) == len(expected)
        order = list(WARNING_KINDS.values())
        kinds = list(frame["预警类型"])
        assert kinds == sorted(kinds, key=order.index)  # grouped by kind in the fixed order
        for kind in set(kinds):  # strongest first within a kind
            scores = list(frame.loc[frame["预警类型"] == kind, "预警强度"])
            assert scores == sorted(scores, reverse=True)
        assert set(frame["预警类型"]) == {WARNING_KINDS[e.kind] for e in expected}
        # every warning's small chart in the table: its evidence series as numbers (none for deadline risk here)
        for kind, observed, trend in zip(frame["预警类型"], frame["观测值"], frame["走势"]):
            assert list(trend) == ([] if kind == WARNING_KINDS["deadline_risk"]
                                   else [2.0, 3.0, 1.0, 2.0, 4.0, 3.0, 2.0, float(round(observed))])
    headings = [s.value for s in at.subheader]
    assert "上升问题（2）" in headings and "重复问题（1）" in headings  # this week's tab
    # the rising episode's latest day carries its evidence; its chart has the expected level and the limit
    assert "近7日11件，期望3件，预警线6.5件" in [m.value for m in at.markdown]
    charts = at.get("plotly_chart")
    assert len(charts) == sum(e.kind != "deadline_risk" for e in _expected(1)) + \
        sum(e.kind != "deadline_risk" for e in _expected(7))
    assert "预警线" in charts[0].proto.spec and "期望值" in charts[0].proto.spec
    assert "W-jump-004" not in " ".join(m.value for m in at.markdown)


def test_a_community_account_sees_only_its_community(env):
    from dashboards import ui

    at = _open(user=TONGJIQIAO)
    own = COMMUNITIES[TONGJIQIAO.community_code]
    others = [n for c, n in COMMUNITIES.items() if c != TONGJIQIAO.community_code]
    today, week = _tables(at)
    assert set(today["社区"]) == {own} and set(week["社区"]) == {own}
    assert len(today) == len(_expected(1, TONGJIQIAO.community_code))
    assert len(week) == len(_expected(7, TONGJIQIAO.community_code)) == 3
    shown = " ".join(m.value for m in at.markdown) + " ".join(str(v) for f in (today, week) for v in f.to_numpy().ravel())
    assert own in shown and not [n for n in others if n in shown]
    for frame in (today, week):  # the downloads hold exactly these rows
        book = openpyxl.load_workbook(io.BytesIO(ui.to_xlsx(frame)), read_only=True)
        cells = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None)
        assert not [n for n in others if n in cells]
    assert len(at.get("download_button")) == 2


def test_a_grid_sees_its_warnings_and_its_communitys_community_level_ones(env):
    community, grid = "510116003005", "510116003005001"
    _, week = _tables(_open(community=community, grid=grid))
    expected = _expected(7, community, grid)
    assert len(week) == len(expected) and set(week["网格编码"].fillna("")) <= {grid, ""}


def test_overview_card_counts_this_weeks_episodes_by_kind(env):
    for user, community in ((LEADER, None), (TONGJIQIAO, TONGJIQIAO.community_code)):
        at = _overview(user)
        cards = {m.label: m.value for m in at.metric}
        expected = _expected(7, community)
        assert cards["本周预警"] == str(len(expected))
        counts = {WARNING_KINDS[k]: sum(e.kind == k for e in expected) for k in WARNING_KINDS}
        breakdown = "，".join(f"{name} {n}" for name, n in counts.items() if n)
        assert TEXT["warnings_breakdown"].format(parts=breakdown) in [c.value for c in at.caption]


def test_without_the_mart_or_without_warnings_the_page_says_so(tmp_path, monkeypatch):
    import duckdb

    write_warnings_snapshot(tmp_path, warnings=False)
    monkeypatch.setenv("GRIDPULSE_DATA", str(tmp_path))
    at = _open()
    assert [i.value for i in at.info] == [TEXT["warnings_no_mart"]]
    overview = _overview(LEADER)
    assert {m.label: m.value for m in overview.metric}["本周预警"] == "无数据"
    other = tmp_path / "other"  # a second snapshot: the app keeps the first one open
    write_warnings_snapshot(other, warnings=False)
    con = duckdb.connect(str(other / "serving.duckdb"))
    add_warnings_table(con, [e for e in EPISODES if e.community_code != "510116003001"])
    con.close()
    monkeypatch.setenv("GRIDPULSE_DATA", str(other))
    at = _open(user=TONGJIQIAO)  # the mart has warnings, none of this community
    assert {s.value for s in at.success} == {TEXT["warnings_none_today"], TEXT["warnings_none_week"]}


def test_on_the_demo_snapshot_the_page_holds_the_marts_warnings(demo_run, monkeypatch):
    """The pipeline's own fct_warnings (demo_run): today's table has the mart's rows of its latest day, this
    week's one row per episode of the 7 days ending then, for the street and for one community."""
    import duckdb

    monkeypatch.setenv("GRIDPULSE_DATA", str(demo_run.paths.data))
    con = duckdb.connect(str(demo_run.paths.serving), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    if "fct_warnings" not in tables:
        con.close()
        pytest.skip("the demo snapshot has no fct_warnings")
    counts = con.execute("""with today as (select max(as_of_date) as day from marts.fct_warnings)
                            select community_code, count(*) filter (where as_of_date = day) as today,
                                   count(distinct warning_id) as week
                            from marts.fct_warnings, today where as_of_date > day - 7
                            group by community_code order by week desc, community_code""").fetchall()
    month = con.execute("select strftime(max(month_start), '%Y-%m') from marts.kpi_street_monthly").fetchone()[0]
    con.close()
    assert counts, "the demo week has warnings"
    for community in (None, counts[0][0]):
        at = open_page("warnings", community, month, LEADER)
        frames = [d.value for d in at.dataframe if "预警类型" in d.value.columns]
        expected_today = sum(r[1] for r in counts if community in (None, r[0]))
        expected_week = sum(r[2] for r in counts if community in (None, r[0]))
        shown_today = len(frames[0]) if expected_today else 0
        assert (shown_today, len(frames[-1])) == (expected_today, expected_week), community
