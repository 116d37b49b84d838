"""The 12345热线 page on a hand-made snapshot (hotline_snapshot.py): it renders at street, community and grid
level, its KPI cards are the marts' values, a community account sees only its community (tables and
downloads), and only data staff see the unplaced orders and the form that runs `gridpulse place`."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import User
from tests.dashboards.hotline_snapshot import COMMUNITIES, HOTLINE_MONTHS, MONTHS, grid_codes, write_snapshot
from tests.dashboards.test_pages import _open as open_page

LEADER = User("leader", "街道领导", "leader")
DATA = User("data", "数据专员", "data")
TONGJIQIAO = User("tongjiqiao", "通济桥街社区", "community", "510116003001")
MONTH = HOTLINE_MONTHS[-1].strftime("%Y-%m")
RATES = {"响应率": "response_rate", "解决率": "resolution_rate", "满意率": "satisfaction_rate"}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hotline")
    return folder, write_snapshot(folder)


@pytest.fixture
def rows(snapshot, monkeypatch):
    folder, written = snapshot
    monkeypatch.setenv("GRIDPULSE_DATA", str(folder))
    return written


def _open(user: User = LEADER, community: str | None = None, grid: str | None = None, month: str = MONTH) -> AppTest:
    at = open_page("hotline", community, month, user, grid=grid)
    assert not at.error, [e.value for e in at.error]
    return at


def _cards(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_page_renders_at_street_community_and_grid_level(rows):
    street = _open()
    assert street.title[0].value == "12345热线"
    community = _open(community="510116003004")
    grid = _open(community="510116003004", grid=grid_codes("510116003004")[0])
    assert "按社区统计" in " ".join(c.value for c in grid.caption)
    for at in (street, community, grid):
        assert set(RATES) <= set(_cards(at))


def test_street_cards_are_the_street_mart_with_their_change(rows):
    at = _open()
    now, before = rows.street[HOTLINE_MONTHS[-1]], rows.street[HOTLINE_MONTHS[-2]]
    cards = _cards(at)
    for label, column in RATES.items():
        assert cards[label] == (f"{now[column]:.1%}", f"{now[column] - before[column]:+.1%}"), label
    assert cards["工单数"][0] == f"{now['orders']:,}"
    assert cards["每万人工单数"][0] == f"{now['orders_per_10k_residents']:,.1f}"
    assert cards["未定位工单"][0] == "2" and cards["定位率"][0] == f"{now['placement_rate']:.1%}"


def test_community_cards_and_tables_are_the_community_marts(rows):
    code = "510116003004"
    at = _open(community=code)
    now = rows.community[(code, HOTLINE_MONTHS[-1])]
    cards = _cards(at)
    assert {label: cards[label][0] for label in RATES} == {label: f"{now[c]:.1%}" for label, c in RATES.items()}
    assert "定位率" not in cards  # placement is a street figure
    table = _table(at, "每万人工单数")
    assert list(table["社区"]) == [COMMUNITIES[code]] and list(table["工单数"]) == [now["orders"]]
    topics = _table(at, "主题")
    expected = sorted(((t, n) for c, m, t, n in rows.topics if c == code and m == HOTLINE_MONTHS[-1]),
                      key=lambda x: (-x[1], x[0]))
    assert list(zip(topics["主题"], topics["工单数"])) == expected


def test_street_topics_add_up_the_communities_and_keep_the_top_n(rows):
    at = _open()
    at.slider(key="hotline_top_n").set_value(5).run()
    totals: dict[str, int] = {}
    for _, month, topic, n in rows.topics:
        if month == HOTLINE_MONTHS[-1]:
            totals[topic] = totals.get(topic, 0) + n
    expected = sorted(totals.items(), key=lambda x: (-x[1], x[0]))[:5]
    topics = _table(at, "主题")
    assert list(zip(topics["主题"], topics["工单数"])) == expected
    assert "未能按主题分类的工单占 4.0%" in " ".join(c.value for c in at.caption)  # the street mart's share


def test_a_month_without_hotline_data_says_so(rows):
    at = _open(month=MONTHS[0].strftime("%Y-%m"))
    assert any("无数据" in i.value and "12345工单" in i.value for i in at.info)
    assert not at.metric or all(m.label not in RATES for m in at.metric)


def test_a_snapshot_without_the_hotline_marts_says_no_data(tmp_path, monkeypatch):
    write_snapshot(tmp_path, hotline=False)
    monkeypatch.setenv("GRIDPULSE_DATA", str(tmp_path))
    at = _open()
    assert any("无数据" in i.value for i in at.info)


def test_a_community_account_sees_only_its_community(rows):
    at = _open(user=TONGJIQIAO)
    own = COMMUNITIES[TONGJIQIAO.community_code]
    others = [name for code, name in COMMUNITIES.items() if code != TONGJIQIAO.community_code]
    now = rows.community[(TONGJIQIAO.community_code, HOTLINE_MONTHS[-1])]
    assert _cards(at)["工单数"][0] == f"{now['orders']:,}"
    shown = " ".join(str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel())
    shown += " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert own in shown and not [n for n in others if n in shown]
    repeats = _table(at, "标题（已脱敏）")
    expected = {o["order_id"] for o in rows.orders if o["is_repeat"] and o["community_code"] == TONGJIQIAO.community_code}
    assert set(repeats["工单编号"]) == expected
    assert "未定位到社区" not in " ".join(s.value for s in at.subheader)
    assert [b for b in at.button if b.key == "place_run"] == []


def test_a_community_accounts_downloads_hold_only_its_community(rows):
    """ui.table offers exactly the frame it shows as xlsx: each one, written, names no other community."""
    from dashboards import ui

    at = _open(user=TONGJIQIAO)
    for frame in (d.value for d in at.dataframe):
        book = openpyxl.load_workbook(io.BytesIO(ui.to_xlsx(frame)), read_only=True)
        cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
        assert not [n for code, n in COMMUNITIES.items() if code != TONGJIQIAO.community_code and n in " ".join(cells)]
    assert len(at.get("download_button")) == len(at.dataframe) >= 3


def test_data_staff_see_the_unplaced_orders_and_place_one_by_running_the_command(rows, monkeypatch):
    from dashboards import commands

    calls = []
    monkeypatch.setattr(commands, "place_order", lambda *args: calls.append(args) or "已记录 240001 → 菜蔬街社区")
    at = _open(user=DATA)
    unplaced = _table(at, "定位置信度")
    assert set(unplaced["工单编号"]) == {o["order_id"] for o in rows.orders if o["community_code"] is None}
    at.selectbox(key="place_order").set_value("240001").run()
    at.selectbox(key="place_community").set_value("510116003004").run()
    at.selectbox(key="place_grid").set_value(grid_codes("510116003004")[1]).run()
    at.button(key="place_run").click().run()
    assert not at.exception and not at.error
    assert calls == [("240001", "510116003004", grid_codes("510116003004")[1])]
    assert any("240001" in s.value for s in at.success)


@pytest.mark.parametrize("user", [LEADER, TONGJIQIAO])
def test_other_roles_see_neither_the_unplaced_orders_nor_the_form(rows, user):
    at = _open(user=user)
    assert not any("定位置信度" in d.value.columns for d in at.dataframe)
    assert [b for b in at.button if b.key == "place_run"] == []


def test_place_order_runs_gridpulse_place(monkeypatch):
    from dashboards import commands

    seen = {}

    def run(cmd, **kwargs):
        seen["cmd"] = cmd
        return subprocess.CompletedProcess(cmd, 0, stdout="已记录：240001 → 510116003004\n", stderr="")

    monkeypatch.setattr(commands.subprocess, "run", run)
    assert commands.place_order("240001", "510116003004", "510116003004002") == "已记录：240001 → 510116003004"
    assert seen["cmd"] == [sys.executable, "-m", "pipelines.cli", "place", "240001", "510116003004",
                           "--grid", "510116003004002"]
    monkeypatch.setattr(commands.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 2, stdout="", stderr="没有工单 999\n"))
    with pytest.raises(commands.CommandFailed, match="没有工单 999"):
        commands.place_order("999", "510116003004")
