"""Every share (a fraction 0–1: a rate, a coverage, a share) is shown as a percentage, in every table and
KPI card of every page. One rule decides which columns are shares (dashboards.ui.is_share); the tests
check it against the Chinese headers, which name a share 率, 占比 or 比例."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import ui
from dashboards.auth import User
from pipelines.core.texts import TEXT
from tests.dashboards.test_pages import LEADER, _choice, _open, con  # noqa: F401 (con is a fixture)

SHARE_LABEL = re.compile(r"(率|占比|比例)(（[^）]*）)?$")
HEADER = re.compile(r"^[\w（）]{1,12}$")  # a column header or card label, not a sentence
PAGES = ("overview", "cases", "patrols", "population", "assessment", "grid_map", "quality")


def test_the_share_rule_agrees_with_every_header_the_dashboard_can_show():
    """Every header comes from the text table (i18n.labels): a column is a share by the rule exactly when
    its header says 率, 占比 or 比例."""
    headers = {key: text for key, text in TEXT.items() if HEADER.match(text)}
    assert len(headers) > 100
    wrong = {key: text for key, text in headers.items() if ui.is_share(key) != bool(SHARE_LABEL.search(text))}
    assert wrong == {}
    assert {"share_closed_at_level_1", "household_visit_coverage", "key_person_visit_coverage", "pay_share",
            "share_of_cases", "rework_rate"} <= {key for key in headers if ui.is_share(key)}


def _percent_columns(frame_proto) -> set[str]:
    config = json.loads(frame_proto.columns or "{}")
    return {name for name, column in config.items()
            if (column.get("type_config") or {}).get("format") == "percent"}


def _check_page(at: AppTest, where: str) -> int:
    """Every table's share columns are percent columns (and hold fractions); every share card shows a
    percentage. Returns how many share columns were seen."""
    assert not at.exception, [e.message for e in at.exception]
    seen = 0
    for element in at.dataframe:
        frame = element.value
        shares = {c for c in frame.columns if SHARE_LABEL.search(str(c))}
        assert _percent_columns(element.proto) == shares, (where, list(frame.columns))
        for column in shares:
            values = frame[column].dropna().astype(float)
            assert values.between(0, 1).all(), (where, column, values.max())
        seen += len(shares)
    for card in at.metric:
        if SHARE_LABEL.search(card.label):
            assert card.value.endswith("%") or card.value in ("—", TEXT["no_data"]), (where, card.label, card.value)
        else:
            assert not card.value.endswith("%"), (where, card.label, card.value)
    return seen



@pytest.mark.parametrize("page", PAGES)
def test_every_share_on_every_page_is_shown_as_a_percentage(con, page):  # noqa: F811 (the fixture)
    code, month = _choice(con)
    grid = con.execute("""select grid_code from marts.kpi_grid_monthly where community_code = ?
                          and strftime(month_start, '%Y-%m') = ? order by cases_accepted desc, grid_code limit 1""",
                       [code, month]).fetchone()[0]
    user = User("data", "数据专员", "data") if page == "quality" else LEADER
    seen = 0
    for scope in ({}, {"community": code}, {"community": code, "grid": grid}):  # street, community, grid
        at = _open(page, scope.get("community"), month, user, grid=scope.get("grid"))
        seen += _check_page(at, f"{page} {scope}")
        if page == "grid_map":  # every KPI the map can be coloured by
            for i, kpi in list(enumerate(at.selectbox(key="map_kpi").options))[1:]:
                at.selectbox(key="map_kpi").select_index(i).run()
                seen += _check_page(at, f"{page} {scope} {kpi}")
        if page == "quality":
            at.toggle(key="failed_only").set_value(False).run()
            seen += _check_page(at, f"{page} {scope} all checks")
    if page in ("overview", "cases", "patrols", "assessment", "grid_map"):
        assert seen > 0, page  # the page has share columns: the check did look at some
