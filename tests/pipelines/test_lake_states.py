"""Every lake state runs: an empty raw/, a grid table alone, one register of one community, a source
whose files are all rejected, a source whose files are all of the wrong kind, and no grid table.

Each scenario starts from an empty data folder, puts hand-made files (tests/handmade.py, never the
demo generator) into raw/, runs the pipeline and ends with a published snapshot whose figures are
checked against what the files hold, or with a Chinese message that names what is missing. The
dashboard pages (AppTest) say 无数据 where a source has none, instead of zeros.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.auth import User
from pipelines.core.settings import ROOT, Paths
from pipelines.core.snapshot import open_snapshot
from pipelines.ingest.calendar import build_calendar, covered, data_years, fallback_year
from pipelines.ingest.lake import read_ledger
from tests import handmade as hm

A, B = "510116003001", "510116003004"  # 通济桥街社区, 菜蔬街社区
MARCH, APRIL = "2025-03", "2025-04"
DATA_STAFF = User("data", "数据专员", "data")
# What a Python failure looks like on a terminal: none of it may reach data staff.
ENGLISH_FAILURE = re.compile(r"Traceback|\b\w+(Error|Exception)\b|\bout of range\b|\bfailed\b", re.IGNORECASE)


@dataclass
class State:
    paths: Paths
    sent: hm.Submission
    summary: object = None
    output: str = ""  # the command line's output, when the state was run by it
    returncode: int | None = None

    def query(self, sql: str, *params) -> list[tuple]:
        con = open_snapshot(self.paths.serving)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


def _paths(tmp_path_factory, name: str) -> Paths:
    root = tmp_path_factory.mktemp(name)
    (root / "raw").mkdir()
    return Paths(raw=root / "raw", data=root / "data")


def _run(paths: Paths, sent: hm.Submission) -> State:
    from pipelines.defs.launch import launch

    return State(paths, sent, summary=launch(paths))


def _cli(paths: Paths, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "--raw", str(paths.raw), "--data", str(paths.data),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=os.environ | {"COLUMNS": "200"})


def _month(value) -> str:
    return value.strftime("%Y-%m")


# --- the states --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> State:
    """A new installation: nothing in raw/ at all."""
    return _run(_paths(tmp_path_factory, "empty"), hm.Submission())


@pytest.fixture(scope="module")
def grids_only(tmp_path_factory) -> State:
    paths = _paths(tmp_path_factory, "grids_only")
    sent = hm.Submission(grids=hm.grids_of([A, B]))
    hm.write_grid_table(paths.raw, sent.grids, MARCH)
    return _run(paths, sent)


@pytest.fixture(scope="module")
def one_register(tmp_path_factory) -> State:
    """The grid table and one community's register of one month; no case or patrol log yet."""
    paths = _paths(tmp_path_factory, "one_register")
    grids = hm.grids_of([A, B])
    sent = hm.Submission(grids=grids, registers={(A, MARCH): hm.people(grids[0], 30) + hm.people(grids[1], 20)})
    hm.write_grid_table(paths.raw, grids, MARCH)
    hm.write_register(paths.raw, A, MARCH, sent.registers[(A, MARCH)])
    return _run(paths, sent)


@pytest.fixture(scope="module")
def patrols_rejected(tmp_path_factory) -> State:
    """Two communities, two months of registers and a day of case log; both patrol logs come from
    terminals whose export lacks the 开始时间 column, so every patrol file is rejected."""
    paths = _paths(tmp_path_factory, "patrols_rejected")
    grids = hm.grids_of([A, B])
    sent = hm.Submission(grids=grids, registers={
        (A, MARCH): hm.people(grids[0], 30) + hm.people(grids[1], 20),
        (B, MARCH): hm.people(grids[2], 25),
        (A, APRIL): hm.people(grids[0], 32) + hm.people(grids[1], 20),  # two newcomers in grid 1
        (B, APRIL): hm.people(grids[2], 25) + hm.people(grids[3], 5),
    })
    hm.write_grid_table(paths.raw, grids, MARCH)
    for (community, month), persons in sent.registers.items():
        hm.write_register(paths.raw, community, month, persons, kind="csv" if community == B else "xlsx")
    days = [dt.date(2025, 3, d) for d in (3, 4, 5)]
    for community, grid in ((A, grids[0]), (B, grids[2])):
        hm.write_patrols(paths.raw, community, MARCH, hm.patrols_on(grid, days, "P"), drop=("开始时间",))
    closed = hm.case_flow("HY20250305001", grids[0].code, dt.datetime(2025, 3, 5, 9),
                          ("上报", "受理", "立案", "派遣", "处置", "结案"))
    still_open = hm.case_flow("HY20250305002", grids[2].code, dt.datetime(2025, 3, 5, 10), ("上报", "受理", "立案"),
                              channel="群众小程序", category="公共设施", subcategory="路灯损坏")
    sent.case_steps = closed + still_open
    hm.write_case_log(paths.raw, dt.date(2025, 3, 5), sent.case_steps)
    return _run(paths, sent)


@pytest.fixture(scope="module")
def cases_wrong_kind(tmp_path_factory) -> State:
    """Registers and one patrol log, and only a Word document and a text file in raw/cases/; run by
    the command line (`python -m pipelines.cli.commands run`)."""
    paths = _paths(tmp_path_factory, "cases_wrong_kind")
    grids = hm.grids_of([A, B])
    days = [dt.date(2025, 3, d) for d in (3, 4, 5, 6, 7)]
    sent = hm.Submission(
        grids=grids,
        registers={(A, MARCH): hm.people(grids[0], 30) + hm.people(grids[1], 20), (B, MARCH): hm.people(grids[2], 25)},
        patrols={(A, MARCH): hm.patrols_on(grids[0], days, "P") + hm.patrols_on(grids[1], days[:2], "Q")})
    hm.write_grid_table(paths.raw, grids, MARCH)
    for (community, month), persons in sent.registers.items():
        hm.write_register(paths.raw, community, month, persons)
    hm.write_patrols(paths.raw, A, MARCH, sent.patrols[(A, MARCH)])
    hm.write_docx(paths.raw / "cases" / "事件流转情况说明_20250305.docx", "三月事件流转情况说明")
    (paths.raw / "cases" / "事件流转_20250306.txt").write_text(
        "事件编号\t时间\t环节\nHY1\t2025-03-06 09:00\t上报\n", encoding="utf-8")
    done = _cli(paths, "run")
    return State(paths, sent, output=done.stdout + done.stderr, returncode=done.returncode)


# --- the dashboard -----------------------------------------------------------------------------------

def _page(state: State, monkeypatch, page: str, month: str | None = None, community: str | None = None) -> AppTest:
    monkeypatch.setenv("GRIDPULSE_DATA", str(state.paths.data))
    at = AppTest.from_file(str(ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60)
    at.session_state["user"] = DATA_STAFF
    at.run()
    if month:
        at.sidebar.selectbox(key="month").set_value(month).run()
    if community:
        at.sidebar.selectbox(key="community").set_value(community).run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _notes(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.info, *at.warning, *at.success])


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- the calendar ------------------------------------------------------------------------------------

def test_calendar_years_come_from_landed_parts_never_from_the_anchor(tmp_path):
    lake = tmp_path / "lake"
    for source in ("grids", "population", "cases", "patrols"):  # what ingest leaves for sources without data
        (lake / source / "month=0000-00").mkdir(parents=True)
        pl.DataFrame({"x": [1]}).clear().write_parquet(lake / source / "month=0000-00" / "_empty.parquet")
    assert data_years(lake) == [fallback_year()] == [dt.date.today().year if covered(dt.date.today().year)
                                                     else fallback_year()]
    (lake / "grids" / "month=2024-11").mkdir()
    pl.DataFrame({"x": [1]}).write_parquet(lake / "grids" / "month=2024-11" / "part-1.parquet")
    assert data_years(lake) == [2024, 2025]  # a grid table alone: its year (and the next, for deadlines)
    (lake / "patrols" / "month=2025-03").mkdir()
    pl.DataFrame({"x": [1]}).write_parquet(lake / "patrols" / "month=2025-03" / "part-2.parquet")
    assert data_years(lake) == [2025, 2026]  # registers and logs decide once there are any
    (lake / "cases" / "month=2025-12").mkdir()  # a folder whose part was dropped is no month of data
    assert data_years(lake) == [2025, 2026]


def test_the_fallback_year_is_one_the_calendar_covers_and_an_uncovered_year_fails_in_chinese():
    from pipelines.ingest.calendar import CalendarNotCovered

    last = max(y for y in range(2004, 2100) if covered(y))
    assert fallback_year(dt.date(last + 3, 6, 1)) == last
    assert fallback_year(dt.date(2025, 6, 1)) == 2025
    with pytest.raises(CalendarNotCovered, match="没有 .*年的法定节假日") as failure:
        build_calendar([last + 1])
    assert not ENGLISH_FAILURE.search(str(failure.value))


# --- an empty raw/ -----------------------------------------------------------------------------------

def test_an_empty_raw_folder_publishes_an_empty_snapshot(empty):
    assert empty.summary.status == "success"
    assert empty.summary.sources_without_data == ["grids", "population", "cases", "patrols", "hotline"]
    assert empty.paths.serving.exists()
    assert empty.query("select count(*) from marts.kpi_street_monthly") == [(0,)]
    assert empty.query("select count(*) from marts.fct_files_received") == [(0,)]
    calendar = pl.read_parquet(empty.paths.lake / "_reference" / "calendar.parquet")
    assert sorted(calendar["calendar_date"].dt.year().unique().to_list()) == [fallback_year()]


def test_status_of_an_empty_installation_says_what_has_not_arrived(empty, capsys):
    from pipelines.cli.commands import main

    main(["--raw", str(empty.paths.raw), "--data", str(empty.paths.data), "status"])
    out = capsys.readouterr().out
    assert "尚无入库数据：网格台账、实有人口台账、事件流转日志、巡查走访日志" in out and "成功" in out
    assert not ENGLISH_FAILURE.search(out), out


@pytest.mark.parametrize("page", ["overview", "cases", "patrols", "population", "assessment", "grid_map"])
def test_an_empty_snapshot_says_no_data_and_that_the_grid_table_is_missing(empty, monkeypatch, page):
    at = _page(empty, monkeypatch, page)
    assert "无数据" in _notes(at) and "尚未收到网格台账" in _notes(at)
    assert _cards(at) == {}


def test_the_quality_page_opens_on_an_empty_snapshot(empty, monkeypatch):
    at = _page(empty, monkeypatch, "quality")
    files = next(d.value for d in at.dataframe if "文件" in d.value.columns)
    assert len(files) == 0


# --- a grid table alone ------------------------------------------------------------------------------

def test_a_grid_table_alone_publishes_its_grids_and_nothing_else(grids_only):
    assert grids_only.summary.status == "success"
    assert grids_only.summary.sources_without_data == ["population", "cases", "patrols", "hotline"]
    rows = grids_only.query("""select community_code, strftime(month_start, '%Y-%m'), grids_active, has_register,
                                      residents, cases_accepted, grids_patrolled
                               from marts.kpi_community_monthly where grids_active > 0 order by 1""")
    assert rows == [(A, MARCH, 2, False, None, 0, 0), (B, MARCH, 2, False, None, 0, 0)]
    assert grids_only.query("select count(*), count(boundary_wkt) from marts.dim_grids") == [(4, 4)]
    assert grids_only.query("select count(*) from marts.fct_patrols") == [(0,)]


@pytest.mark.parametrize("page, source", [("cases", "事件流转日志"), ("patrols", "巡查走访日志"),
                                          ("assessment", "巡查走访日志")])
def test_pages_of_a_source_without_data_say_no_data_instead_of_zeros(grids_only, monkeypatch, page, source):
    at = _page(grids_only, monkeypatch, page, month=MARCH)
    assert f"无数据：{MARCH} 没有{source}入库" in _notes(at)
    assert _cards(at) == {}  # no card at all: a 0 would read as "nothing happened"


def test_the_overview_shows_the_grids_and_no_data_for_the_rest(grids_only, monkeypatch):
    at = _page(grids_only, monkeypatch, "overview", month=MARCH)
    cards = _cards(at)
    assert cards["实有人口"] == cards["已巡查网格"] == cards["受理事件"] == cards["按期结案率"] == "无数据"
    assert "本月无数据：实有人口台账、事件流转日志、巡查走访日志" in _notes(at)
    assert "共 4 个网格" in " ".join(c.value for c in at.caption)


def test_the_grid_map_draws_the_grids_uncoloured_without_data(grids_only, monkeypatch):
    import json

    at = _page(grids_only, monkeypatch, "grid_map", month=MARCH)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    polygons = [trace for trace in figure["data"] if trace.get("fill") == "toself"]
    assert len(polygons) == 4 and all(p["fillcolor"] == "#dddddd" for p in polygons)
    assert "网格不着色（无数据）" in _notes(at)


# --- one register of one community -------------------------------------------------------------------

def test_one_register_of_one_community_gives_its_residents_exactly(one_register):
    sent = one_register.sent
    assert one_register.summary.status == "success"
    assert one_register.summary.sources_without_data == ["cases", "patrols", "hotline"]
    assert one_register.query("""select community_code, residents, households, has_register
                                 from marts.kpi_community_monthly
                                 where strftime(month_start, '%Y-%m') = ? and grids_active > 0 order by 1""", MARCH) == [
        (A, sent.residents(A, MARCH), sent.households(A, MARCH), True), (B, None, None, False)]
    assert sent.residents(A, MARCH) == 40  # 24 + 16: 在住 and 外出 count, 迁出 and 死亡 do not
    by_grid = {g: sum(p.is_resident for p in sent.registers[(A, MARCH)] if p.grid_code == g)
               for g in (sent.grids[0].code, sent.grids[1].code)}
    assert dict(one_register.query("""select grid_code, residents from marts.fct_population_grid_monthly
                                      where strftime(month_start, '%Y-%m') = ?""", MARCH)) == by_grid
    assert one_register.query("""select residents, communities_with_register from marts.kpi_street_monthly
                                 where strftime(month_start, '%Y-%m') = ?""", MARCH) == [(40, 1)]
    assert one_register.query("select count(*) from marts.fct_cases") == [(0,)]


def test_the_population_page_shows_the_register_and_the_log_pages_no_data(one_register, monkeypatch):
    at = _page(one_register, monkeypatch, "population", month=MARCH, community=A)
    assert _cards(at)["实有人口"] == "40"
    for page, source in (("cases", "事件流转日志"), ("patrols", "巡查走访日志")):
        at = _page(one_register, monkeypatch, page, month=MARCH, community=A)
        assert f"无数据：通济桥街社区 {MARCH} 没有{source}入库" in _notes(at)


# --- every patrol file rejected ----------------------------------------------------------------------

def test_rejected_patrol_files_leave_the_other_sources_published_exactly(patrols_rejected):
    state, sent = patrols_rejected, patrols_rejected.sent
    assert state.summary.status == "success"
    assert state.summary.sources_without_data == ["patrols", "hotline"]
    ledger = read_ledger(state.paths.ledger).filter(pl.col("source") == "patrols")
    assert ledger["status"].to_list() == ["rejected", "rejected"]
    assert ledger["reject_code"].to_list() == ["missing_column", "missing_column"]
    assert all("开始时间" in m for m in ledger["message"].to_list())
    # every register month is published, also April, after the last case step (5 March)
    residents = {(c, m): r for c, m, r in state.query(
        """select community_code, strftime(month_start, '%Y-%m'), residents from marts.kpi_community_monthly
           where has_register""")}
    assert residents == {key: sent.residents(*key) for key in sent.registers}
    assert residents == {(A, MARCH): 40, (B, MARCH): 21, (A, APRIL): 42, (B, APRIL): 26}
    cases = state.query("""select community_code, cases_accepted, cases_closed from marts.kpi_community_monthly
                           where strftime(month_start, '%Y-%m') = ? and grids_active > 0 order by 1""", MARCH)
    assert cases == [(A, 1, 1), (B, 1, 0)]
    assert state.query("select count(*), count(closed_at) from marts.fct_cases") == [(2, 1)]
    assert state.query("select count(*) from marts.fct_case_transitions") == [(len(sent.case_steps),)]
    assert state.query("select count(*) from marts.fct_patrols") == [(0,)]


def test_the_patrol_page_says_no_data_and_the_quality_page_shows_why(patrols_rejected, monkeypatch):
    at = _page(patrols_rejected, monkeypatch, "patrols", month=MARCH, community=B)
    assert f"无数据：菜蔬街社区 {MARCH} 没有巡查走访日志入库" in _notes(at)
    at = _page(patrols_rejected, monkeypatch, "cases", month=MARCH)
    assert _cards(at)["受理事件"] == "2"
    at = _page(patrols_rejected, monkeypatch, "quality", month=MARCH)
    files = next(d.value for d in at.dataframe if "文件" in d.value.columns)
    rejected = files[files["状态"] == "拒收"]
    assert len(rejected) == 2 and rejected["说明"].str.contains("缺少必填列：开始时间").all()


# --- every case file of the wrong kind, run by the command line --------------------------------------

def test_the_command_line_runs_a_source_of_wrong_files_to_a_published_snapshot(cases_wrong_kind):
    state, sent = cases_wrong_kind, cases_wrong_kind.sent
    assert state.returncode == 0, state.output
    assert not ENGLISH_FAILURE.search(state.output), state.output
    assert "完成" in state.output and "尚无入库数据：事件流转日志" in state.output
    ledger = read_ledger(state.paths.ledger).filter(pl.col("source") == "cases")
    assert sorted(ledger["reject_code"].to_list()) == ["wrong_kind", "wrong_kind"]
    patrols = sent.patrols[(A, MARCH)]
    assert state.query("select patrol_type, count(*), sum(households_visited) from marts.fct_patrols group by 1 "
                       "order by 1") == sorted(
        (kind, sum(p.kind == kind for p in patrols), sum(p.households_visited for p in patrols if p.kind == kind))
        for kind in {p.kind for p in patrols})
    assert state.query("""select community_code, grids_patrolled, residents from marts.kpi_community_monthly
                          where strftime(month_start, '%Y-%m') = ? and grids_active > 0 order by 1""", MARCH) == [
        (A, 2, sent.residents(A, MARCH)), (B, 0, sent.residents(B, MARCH))]
    assert state.query("select count(*) from marts.fct_cases") == [(0,)]


def test_status_of_that_state_names_the_rejected_files_in_chinese(cases_wrong_kind):
    done = _cli(cases_wrong_kind.paths, "status", "--month", MARCH)
    assert done.returncode == 0 and not ENGLISH_FAILURE.search(done.stdout + done.stderr), done.stdout + done.stderr
    for name in ("事件流转情况说明_20250305.docx", "事件流转_20250306.txt"):
        assert f"拒收 cases/{name}：文件“{name}”不是可识别的数据文件" in done.stdout
    assert "尚无入库数据：事件流转日志" in done.stdout


def test_the_cases_page_says_no_data_when_every_case_file_was_of_the_wrong_kind(cases_wrong_kind, monkeypatch):
    at = _page(cases_wrong_kind, monkeypatch, "cases", month=MARCH)
    assert f"无数据：{MARCH} 没有事件流转日志入库" in _notes(at)
    at = _page(cases_wrong_kind, monkeypatch, "patrols", month=MARCH, community=A)
    assert _cards(at)["已巡查网格"] == "2"


# --- no grid table: the run stops and says so --------------------------------------------------------

def test_registers_without_a_grid_table_stop_with_a_message_naming_the_grid_table(tmp_path):
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    grid = hm.grids_of([A])[0]
    hm.write_register(paths.raw, A, MARCH, hm.people(grid, 12))
    done = _cli(paths, "run")
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "尚未收到网格台账" in output and "raw/grids/" in output and "网格台账入库后再次运行" in output
    assert not ENGLISH_FAILURE.search(output), output
    assert not paths.serving.exists()


# --- a failure nobody foresaw ------------------------------------------------------------------------

def test_a_failure_prints_chinese_and_keeps_the_detail_in_the_log(tmp_path, monkeypatch, capsys):
    import pipelines.defs.ingest
    from pipelines.cli.commands import main

    def broken(lake):
        raise ValueError("year 0 is out of range")

    monkeypatch.setattr(pipelines.defs.ingest, "write_calendar", broken)
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    paths.raw.mkdir()
    with pytest.raises(SystemExit) as stop:
        main(["--raw", str(paths.raw), "--data", str(paths.data), "run"])
    out = capsys.readouterr().out
    assert stop.value.code == 1
    assert "运行失败：工作日历失败：程序内部错误" in out and "gridpulse.log" in out
    assert not ENGLISH_FAILURE.search(out), out
    log = (paths.logs / "gridpulse.log").read_text(encoding="utf-8")
    assert "ValueError: year 0 is out of range" in log and "Traceback" in log
    # the run log and `gridpulse status` carry the Chinese sentence, not the exception text
    (paths.data / "lake" / "_meta").mkdir(parents=True, exist_ok=True)
    main(["--raw", str(paths.raw), "--data", str(paths.data), "status"])
    out = capsys.readouterr().out
    assert "失败" in out and "工作日历失败" in out and not ENGLISH_FAILURE.search(out), out

    # any other command: a damaged ledger
    paths.ledger.parent.mkdir(parents=True, exist_ok=True)
    paths.ledger.write_bytes(b"not a parquet file")
    with pytest.raises(SystemExit) as stop:
        main(["--raw", str(paths.raw), "--data", str(paths.data), "status"])
    out = capsys.readouterr().out
    assert stop.value.code == 1 and "“gridpulse status”未能完成" in out and not ENGLISH_FAILURE.search(out), out
