"""Acceptance 3: an incremental run after new and late-changed case logs gives the same case facts as a
full refresh.

After a first build of the fixture, the event system exports a new day (a new case, and late steps of
old cases: K5 and K6 are finally closed, K12 evaluated), re-exports two old days (16 Sep without
K9's 结案, so K9 is open again; 22 Oct with an extra 回退 for K5) and the 11 Aug export vanishes (K7,
voided, leaves the lake). The incremental build must then equal a full refresh of the same lake.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from tests.dbt_project.fixture import STEPS, case_frame, new_warehouse, write_case_day

T = dt.datetime
FACTS = {"fct_cases": "case_id", "fct_case_transitions": "case_id, step_number"}
# the case facts and their parents (seeds included), with only the tests whose parents are all built
BUILD_CASE_FACTS = ("build", "--select", "+fct_cases", "+fct_case_transitions", "--indirect-selection", "cautious")


def _change_the_logs(lake) -> None:
    new_day = [("K5", T(2025, 11, 3, 10, 0), "结案", 2, None), ("K6", T(2025, 11, 3, 11, 0), "处置", 3, None),
               ("K6", T(2025, 11, 3, 16, 0), "结案", 3, None), ("K12", T(2025, 11, 3, 9, 0), "评价", 5, "满意"),
               ("K10", T(2025, 11, 3, 8, 0), "评价", 1, "基本满意")]  # a second evaluation of K10 (the latest counts)
    write_case_day(lake, dt.date(2025, 11, 3), case_frame(new_day))
    sep_16 = [s for s in STEPS if s[1].date() == dt.date(2025, 9, 16) and not (s[0] == "K9" and s[2] == "结案")]
    write_case_day(lake, dt.date(2025, 9, 16), case_frame(sep_16), version="_重新导出")
    oct_22 = [s for s in STEPS if s[1].date() == dt.date(2025, 10, 22)] + [("K5", T(2025, 10, 22, 15, 0), "回退", 2, None)]
    write_case_day(lake, dt.date(2025, 10, 22), case_frame(oct_22), version="_重新导出")
    (lake / "cases" / "month=2025-08" / "2025-08-11.parquet").unlink()


def _rows(warehouse, table: str) -> list[tuple]:
    """Every row with every column (by name, so that column order does not matter)."""
    rows = warehouse.query(f"select * from marts.{table} order by {FACTS[table]}")
    return [tuple(sorted(r.items())) for r in rows]


def test_incremental_run_after_new_and_late_logs_equals_a_full_refresh(tmp_path):
    incremental = new_warehouse(tmp_path / "incremental")
    incremental.build(*BUILD_CASE_FACTS)
    before = {table: _rows(incremental, table) for table in FACTS}
    _change_the_logs(incremental.paths.lake)

    incremental.build(*BUILD_CASE_FACTS)
    compiled = (incremental.target() / "compiled" / "gridpulse" / "models" / "marts" / "cases" / "fct_cases.sql").read_text(encoding="utf-8")
    assert "to_refresh" in compiled, "the second build took the incremental path"

    fresh = new_warehouse(tmp_path / "full", lake_from=incremental.paths.lake)
    fresh.build(*BUILD_CASE_FACTS, "--full-refresh")
    for table in FACTS:
        assert _rows(incremental, table) == _rows(fresh, table), table
        assert _rows(incremental, table) != before[table], table

    cases = {r["case_id"]: r for r in incremental.query("select * from marts.fct_cases")}
    assert "K7" not in cases  # its only day file vanished
    assert cases["K9"]["closed_at"] is None and not cases["K9"]["is_closed_on_time"]  # re-export dropped 结案
    assert cases["K5"]["rework_count"] == 1 and cases["K5"]["closed_at"] == T(2025, 11, 3, 10, 0)
    assert cases["K6"]["is_closed"] and not cases["K6"]["is_closed_on_time"]  # due 31 Oct, closed 3 Nov
    assert cases["K12"]["satisfaction"] == "满意" and cases["K10"]["satisfaction"] == "基本满意"

    # A table left by an older version of the model (a column missing) is rebuilt whole, not half-updated.
    con = duckdb.connect(str(incremental.paths.warehouse))
    con.execute("alter table marts.fct_cases drop column source_fingerprint")
    con.execute("update marts.fct_cases set due_date = null")
    con.close()
    incremental.build("run", "--select", "fct_cases")
    assert _rows(incremental, "fct_cases") == _rows(fresh, "fct_cases")
