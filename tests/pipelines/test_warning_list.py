"""The daily Dagster asset published/warning_list: after publish it writes data/published/预警_<today>.xlsx with
today's warnings (today = the mart's latest as_of_date) under Chinese headers and without personal data, leaves
the file alone when nothing changed, writes nothing without the mart, and runs in the daily schedule's job."""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import openpyxl
import pytest

from pipelines.core.settings import Paths
from pipelines.core.texts import WARNING_COLUMNS, WARNING_KINDS
from pipelines.defs import defs
from pipelines.defs.publish import warning_list
from pipelines.defs.resources import GridPulsePaths
from tests.dashboards.hotline_snapshot import COMMUNITIES
from tests.dashboards.warnings_snapshot import EPISODES, TODAY, add_warnings_table, write_warnings_snapshot
from tests.pii_scan import ID_RE, PHONE_RE


def _materialize(paths: Paths) -> dict:
    result = dg.materialize([warning_list], resources={"gridpulse": GridPulsePaths(raw=str(paths.raw), data=str(paths.data))})
    assert result.success
    event = result.get_asset_materialization_events()[0]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _rows(path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


@pytest.fixture
def paths(tmp_path) -> Paths:
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    write_warnings_snapshot(paths.data)
    return paths


def test_todays_warnings_with_chinese_headers_and_no_personal_data(paths):
    done = _materialize(paths)
    out = paths.published / f"预警_{TODAY:%Y-%m-%d}.xlsx"
    assert done == {"day": f"{TODAY:%Y-%m-%d}", "rows": 4, "written": True, "path": str(out)}
    header, *rows = _rows(out)
    assert list(header) == list(WARNING_COLUMNS.values())
    shown = [dict(zip(header, row)) for row in rows]
    today = sorted((e for e in EPISODES if e.active(1)), key=lambda e: (list(WARNING_KINDS).index(e.kind), -e.score))
    assert [(r["预警类型"], r["社区"], r["网格编码"], r["预警强度"]) for r in shown] == \
        [(WARNING_KINDS[e.kind], COMMUNITIES[e.community_code], e.grid_code, pytest.approx(e.score)) for e in today]
    assert {r["预警日期"] for r in shown} == {f"{TODAY:%Y-%m-%d}"} and {r["街道"] for r in shown} == {"华阳街道"}
    assert all(r["依据"] for r in shown)
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert not re.search(ID_RE, text) and not re.search(PHONE_RE, text)


def test_an_unchanged_list_is_not_written_again_and_a_changed_one_is(paths):
    _materialize(paths)
    out = paths.published / f"预警_{TODAY:%Y-%m-%d}.xlsx"
    stamp = out.stat().st_mtime_ns
    assert _materialize(paths)["written"] is False and out.stat().st_mtime_ns == stamp
    con = duckdb.connect(str(paths.serving))
    con.execute("update marts.fct_warnings set score = score + 1 where as_of_date = ?", [TODAY])
    con.close()
    assert _materialize(paths)["written"] is True and len(_rows(out)) == 5
    assert [p.name for p in paths.published.iterdir()] == [out.name]  # no temporary file left


def test_no_list_without_the_mart_or_without_a_warning(tmp_path):
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    write_warnings_snapshot(paths.data, warnings=False)
    assert _materialize(paths) == {"day": "", "rows": 0, "written": False, "path": ""}
    con = duckdb.connect(str(paths.serving))
    add_warnings_table(con, [])
    con.close()
    assert _materialize(paths)["rows"] == 0 and not paths.published.exists()


def test_the_list_runs_after_publish_in_the_daily_schedules_job():
    key = dg.AssetKey(["published", "warning_list"])
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("serving_snapshot") in graph.get(key).parent_keys
    daily = next(s for s in defs.schedules if s.name == "daily_current_month")
    assert daily.job_name == "refresh_months"
    assert key in defs.resolve_job_def("refresh_months").asset_layer.executable_asset_keys
