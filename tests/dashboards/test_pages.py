"""Every page's headline numbers equal the marts for a chosen filter (AppTest, one community, one month),
and the page-level lists agree with the marts' counts."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import User
from pipelines.core.settings import ROOT

LEADER = User("leader", "街道领导", "leader")
COUNT, RATE, NUMBER = "count", "rate", "number"


def _fmt(value, kind: str) -> str:
    if value is None or value != value:
        return "—"
    return {COUNT: f"{int(value):,}", RATE: f"{value:.1%}", NUMBER: f"{value:,.1f}"}[kind]


@pytest.fixture
def con(demo_run, monkeypatch):
    monkeypatch.setenv("GRIDPULSE_DATA", str(demo_run.paths.data))
    connection = duckdb.connect(str(demo_run.paths.serving), read_only=True)
    yield connection
    connection.close()


def _open(page: str, community: str | None, month: str, user: User = LEADER, grid: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    if community:
        at.sidebar.selectbox(key="community").set_value(community).run()
    if grid:
        at.sidebar.selectbox(key="grid").set_value(grid).run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _choice(con) -> tuple[str, str]:
    """A community and month with cases, patrols and a register: the second community, the last month."""
    code, month = con.execute("""select community_code, strftime(month_start, '%Y-%m') from marts.kpi_community_monthly
                                 where has_register and cases_accepted > 0 and grids_patrolled > 0
                                 order by month_start desc, community_code limit 1 offset 1""").fetchone()
    return code, month


def _kpis(con, code: str, month: str, columns: list[str]) -> dict:
    row = con.execute(f"select {', '.join(columns)} from marts.kpi_community_monthly "
                      "where community_code = ? and strftime(month_start, '%Y-%m') = ?", [code, month]).fetchone()
    return dict(zip(columns, row))


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


CASES = {"受理事件": ("cases_accepted", COUNT), "结案事件": ("cases_closed", COUNT), "月末未结案": ("open_cases_at_end", COUNT),
         "超期未结案": ("overdue_open_cases", COUNT), "结案用时中位数（工作日）": ("median_working_days_to_close", NUMBER),
         "结案率": ("closure_rate", RATE), "按期结案率": ("on_time_closure_rate", RATE),
         "按期处置率": ("on_time_handling_rate", RATE), "返工率": ("rework_rate", RATE), "满意率": ("satisfaction_rate", RATE),
         "网格内解决占比": ("share_closed_at_level_1", RATE), "社区内解决占比": ("share_closed_within_community", RATE)}
PATROLS = {"网格数": ("grids_active", COUNT), "已巡查网格": ("grids_patrolled", COUNT),
           "巡查达标网格": ("grids_patrolled_at_frequency", COUNT), "巡查达标率": ("patrol_compliance_rate", RATE),
           "入户走访覆盖率": ("household_visit_coverage", RATE), "重点人员走访覆盖率": ("key_person_visit_coverage", RATE)}
POPULATION = {"实有人口": ("residents", COUNT), "户数": ("households", COUNT), "户籍人口": ("residents_registered", COUNT),
              "流动人口": ("residents_floating", COUNT), "境外人员": ("residents_foreign", COUNT)}


@pytest.mark.parametrize("page, cards", [("cases", CASES), ("patrols", PATROLS), ("population", POPULATION)])
def test_page_headline_cards_equal_the_community_mart(con, page, cards):
    code, month = _choice(con)
    at = _open(page, code, month)
    marts = _kpis(con, code, month, [column for column, _ in cards.values()])
    shown = _shown(at)
    assert {label: shown[label] for label in cards} == {
        label: _fmt(marts[column], kind) for label, (column, kind) in cards.items()}
    assert any(v != "—" and v != "0" for v in shown.values())  # a real month, not an empty one


def test_overdue_list_holds_exactly_the_marts_overdue_cases(con):
    month = con.execute("""select strftime(month_start, '%Y-%m') from marts.kpi_street_monthly
                           where overdue_open_cases > 0 order by month_start limit 1""").fetchone()[0]
    at = _open("cases", None, month)
    expected = con.execute("select overdue_open_cases from marts.kpi_street_monthly "
                           "where strftime(month_start, '%Y-%m') = ?", [month]).fetchone()[0]
    overdue = next(d.value for d in at.dataframe if "已超期（工作日）" in d.value.columns)
    assert len(overdue) == expected > 0
    assert (overdue["已超期（工作日）"] >= 0).all()


def test_grid_case_list_is_the_grids_cases_with_masked_descriptions(con):
    code, month = _choice(con)
    grid, accepted = con.execute("""select grid_code, cases_accepted from marts.kpi_grid_monthly
                                    where community_code = ? and strftime(month_start, '%Y-%m') = ?
                                    order by cases_accepted desc, grid_code limit 1""", [code, month]).fetchone()
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = LEADER
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    at.sidebar.selectbox(key="community").set_value(code).run()
    at.sidebar.selectbox(key="grid").set_value(grid).run()
    at.switch_page("app_pages/cases.py").run()
    assert not at.exception
    listing = next(d.value for d in at.dataframe if "事件描述（已脱敏）" in d.value.columns)
    assert len(listing) == accepted > 0
    assert _shown(at)["受理事件"] == f"{accepted:,}"  # the cards follow the grid filter too


def test_patrol_page_lists_every_grid_and_the_stale_ones(con):
    code, month = _choice(con)
    at = _open("patrols", code, month)
    grids = con.execute("select count(*) from marts.kpi_grid_monthly where community_code = ? "
                        "and strftime(month_start, '%Y-%m') = ?", [code, month]).fetchone()[0]
    coverage = next(d.value for d in at.dataframe if "巡查达标率" in d.value.columns)
    assert len(coverage) == grids
    at.slider(key="stale_days").set_value(1).run()
    stale_text = " ".join(w.value for w in at.warning) + " ".join(s.value for s in at.success)
    assert "1 天" in stale_text


def test_special_groups_never_show_a_sensitive_count_under_five(con):
    code, month = _choice(con)
    at = _open("population", code, month)
    groups = next(d.value for d in at.dataframe if "人群" in d.value.columns)
    expected = con.execute("""select tag_name, persons, is_sensitive from marts.kpi_special_groups
                              where area_level = 'community' and area_code = ? and period_type = 'month'
                                and strftime(period_start, '%Y-%m') = ?""", [code, month]).fetchall()
    shown = dict(zip(groups["人群"], groups["人数"]))
    assert set(shown) == {name for name, _, _ in expected}
    for name, persons, _sensitive in expected:
        assert shown[name] == ("<5" if persons < 5 else f"{persons}"), name


def test_assessment_page_lists_the_communitys_workers_with_their_scores(con):
    code, month = _choice(con)
    at = _open("assessment", code, month)
    rows = con.execute("""select worker_name, score, pay_band, rank_in_street from marts.kpi_worker_assessment_monthly
                          where community_code = ? and strftime(month_start, '%Y-%m') = ?""", [code, month]).fetchall()
    table = next(d.value for d in at.dataframe if "考核得分" in d.value.columns)
    assert sorted(zip(table["网格员"], table["考核得分"].round(6), table["绩效档次"], table["街道排名"])) == sorted(
        (w, round(s, 6), b, r) for w, s, b, r in rows)
    assert _shown(at)["参评网格员"] == f"{len(rows):,}"


def test_grid_map_draws_every_grid_of_the_community_coloured_by_the_kpi(con):
    code, month = _choice(con)
    at = _open("grid_map", code, month)
    expected = dict(con.execute("""select grid_name, patrol_compliance_rate from marts.kpi_grid_monthly
                                   where community_code = ? and strftime(month_start, '%Y-%m') = ?""",
                                [code, month]).fetchall())
    table = next(d.value for d in at.dataframe if "巡查达标率" in d.value.columns)
    assert dict(zip(table["网格"], table["巡查达标率"])) == pytest.approx(expected, nan_ok=True)
    import json
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    polygons = [trace for trace in figure["data"] if trace.get("fill") == "toself"]
    assert len(polygons) == len(expected)


def test_quality_page_shows_the_gates_results_and_the_community_report(con):
    code, month = _choice(con)
    data_staff = User("data", "数据专员", "data")
    at = _open("quality", None, month, user=data_staff)
    at.toggle(key="failed_only").set_value(False).run()
    total = con.execute("select count(*) from marts.fct_check_results where report_month = ?", [month]).fetchone()[0]
    table = next(d.value for d in at.dataframe if "检查项" in d.value.columns)
    assert len(table) == total > 0
    assert at.get("download_button") == [] or all(b.proto.label != "下载质量反馈表" for b in at.get("download_button"))
    at.sidebar.selectbox(key="community").set_value(code).run()
    assert not at.exception
    assert "下载质量反馈表" in [b.proto.label for b in at.get("download_button")]


def test_leadership_builds_the_quarterly_report_on_the_overview_and_a_community_cannot(con):
    month = con.execute("select strftime(max(month_start), '%Y-%m') from marts.kpi_street_monthly").fetchone()[0]
    at = _open("overview", None, month)
    quarter = f"{month[:4]}Q{(int(month[5:]) - 1) // 3 + 1}"
    button = next(b for b in at.button if b.key == "build_report")
    assert quarter in button.label
    button.click().run(timeout=120)
    assert not at.exception and not at.error
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载 PDF" in labels
    community = User("tongjiqiao", "通济桥街社区", "community", "510116003001")
    at = _open("overview", None, month, user=community)
    assert [b for b in at.button if b.key == "build_report"] == []


@pytest.mark.parametrize("page", ["overview", "cases", "patrols", "population", "assessment", "grid_map"])
def test_a_community_that_sent_nothing_sees_notes_not_errors(con, page):
    code = con.execute("""select community_code from marts.kpi_community_monthly group by community_code
                          having not bool_or(has_register) and sum(cases_accepted) = 0 and sum(grids_active) = 0
                          order by community_code limit 1""").fetchone()[0]
    month = con.execute("select strftime(max(month_start), '%Y-%m') from marts.kpi_street_monthly").fetchone()[0]
    at = _open(page, None, month, user=User("someone", "某社区", "community", code))
    assert not at.exception and not at.error
    shown = _shown(at)
    assert "0" not in [shown.get("实有人口"), shown.get("户数")]  # no population: a dash or a note, never 0


def test_the_overview_follows_the_grid_filter(con):
    code, month = _choice(con)
    grid, accepted, patrolled = con.execute("""select grid_code, cases_accepted, grids_patrolled from marts.kpi_grid_monthly
                                               where community_code = ? and strftime(month_start, '%Y-%m') = ?
                                               order by cases_accepted desc, grid_code limit 1""",
                                            [code, month]).fetchone()
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = LEADER
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    at.sidebar.selectbox(key="community").set_value(code).run()
    at.sidebar.selectbox(key="grid").set_value(grid).run()
    assert not at.exception
    shown = _shown(at)
    assert shown["受理事件"] == f"{accepted:,}" and shown["已巡查网格"] == f"{patrolled:,}"


def test_the_population_trend_follows_the_grid_filter(con):
    code, month = _choice(con)
    grid, residents = con.execute("""select grid_code, residents from marts.kpi_grid_monthly
                                     where community_code = ? and strftime(month_start, '%Y-%m') = ?
                                       and residents is not null order by grid_code limit 1""", [code, month]).fetchone()
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = LEADER
    at.run()
    at.sidebar.selectbox(key="month").set_value(month).run()
    at.sidebar.selectbox(key="community").set_value(code).run()
    at.sidebar.selectbox(key="grid").set_value(grid).run()
    at.switch_page("app_pages/population.py").run()
    assert not at.exception
    flows = next(d.value for d in at.dataframe if "迁入" in d.value.columns)
    assert flows.loc[flows["月份"] == month, "实有人口"].iloc[0] == residents
    assert _shown(at)["实有人口"] == f"{residents:,}"
