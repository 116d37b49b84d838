"""A small street's submission in the shapes other systems export, from an empty data folder to a
published snapshot (DESIGN.md §3): a case export over two months, a street-wide patrol export, a
register without a 居住状态 column and school grids typed `专属(学校)`. Each used to fail: steps of the
second month quarantined as future, the patrol export rejected, the register rejected, the school
grids quarantined and every row on them with them, and the gate then blocking publication.

The files are written by hand (tests/handmade.py), never by the demo generator; the figures checked
are the ones put in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import polars as pl
import pytest

from pipelines.core.settings import Paths
from pipelines.core.snapshot import open_snapshot
from pipelines.ingest.lake import read_ledger
from tests import handmade as hm

A, B = "510116003001", "510116003004"
MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def _snapshot(paths: Paths, sql: str) -> pl.DataFrame:
    con = open_snapshot(paths.serving)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def _steps() -> list[hm.CaseStep]:
    """Three cases: one closed inside March, one reported on 31 March and closed in April, one in April
    on a school grid of community B."""
    flow = ("上报", "受理", "立案", "派遣", "处置", "结案")
    return (hm.case_flow("HY-A-01", f"{A}001", dt.datetime(2025, 3, 10, 9), flow)
            + hm.case_flow("HY-A-02", f"{A}002", dt.datetime(2025, 3, 31, 20), flow)
            + hm.case_flow("HY-B-01", f"{B}002", dt.datetime(2025, 4, 8, 9), flow))


def _write_case_export(raw, steps: list[hm.CaseStep]) -> None:
    """One export over March and April, named after its first month only."""
    path = raw / "cases" / "事件流转导出_2025年3月.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps({"事件编号": s.case_id, "时间": f"{s.at:%Y/%m/%d %H:%M:%S}", "环节": s.action,
                                          "处置层级": s.level, "大类": s.category, "小类": s.subcategory,
                                          "来源渠道": s.channel, "网格编码": s.grid_code}, ensure_ascii=False)
                              for s in steps) + "\n", encoding="utf-8")


def _write_register_without_status(raw, persons: list[hm.Person]) -> None:
    header = tuple(h for h in hm.REGISTER_HEADER if h != "居住状态")
    rows = [tuple(v for h, v in zip(hm.REGISTER_HEADER, row) if h != "居住状态") for row in hm._register_rows(persons)]
    hm._xlsx(raw / "population" / "菜蔬街社区实有人口台账_2025年3月.xlsx", "华阳街道菜蔬街社区实有人口台账（2025年3月）",
             header, rows)


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    paths = Paths(raw=root / "raw", data=root / "data")
    grids = hm.grids_of([A, B])
    grids[1] = dataclasses.replace(grids[1], grid_type="专属(学校)")  # a school grid in each community
    grids[3] = dataclasses.replace(grids[3], grid_type="学校专属网格")
    hm.write_grid_table(paths.raw, grids, "2025-03")
    register_a = hm.people(grids[0], 12) + hm.people(grids[1], 8)
    hm.write_register(paths.raw, A, "2025-03", register_a)
    register_b = hm.people(grids[2], 10) + hm.people(grids[3], 6)
    _write_register_without_status(paths.raw, register_b)
    patrols = [p for g in grids for p in hm.patrols_on(g, [MARCH + dt.timedelta(days=d) for d in (2, 9, 16)], "XC")]
    hm._csv(paths.raw / "patrols" / "华阳街道巡查走访导出_2025-03.csv", hm.PATROL_HEADER,
            [(r.record_id, r.worker_id, r.grid_code, f"{r.started_at:%Y-%m-%d %H:%M}",
              f"{r.started_at + dt.timedelta(minutes=r.minutes):%Y-%m-%d %H:%M}", r.kind, r.households_visited,
              r.key_persons_visited, "", r.log) for r in patrols])
    steps = _steps()
    _write_case_export(paths.raw, steps)
    from pipelines.defs.launch import launch

    summary = launch(paths)
    return paths, summary, grids, register_a, register_b, patrols, steps


def test_the_run_publishes(street):
    paths, summary, *_ = street
    assert summary.status == "success", summary.message
    assert summary.quality["blocking"] == []
    assert paths.serving.exists()
    ledger = read_ledger(paths.ledger)
    assert set(ledger["status"]) == {"landed"} and ledger["rows_quarantined"].sum() == 0


def test_a_case_export_over_two_months_lands_each_step_in_its_own_month(street):
    paths, _, _, _, _, _, steps = street
    row = read_ledger(paths.ledger).filter(pl.col("source") == "cases").row(0, named=True)
    assert (row["rows_read"], row["rows_landed"], row["months"]) == (len(steps), len(steps), "2025-03,2025-04")
    transitions = _snapshot(paths, "select strftime(step_at, '%Y-%m') as month, count(*) as steps "
                                   "from marts.fct_case_transitions group by all order by month")
    # HY-A-02's steps are an hour apart from 20:00 on 31 March: four in March, two in April
    assert transitions.rows() == [("2025-03", 6 + 4), ("2025-04", 2 + 6)]
    cases = _snapshot(paths, "select case_id, community_code, is_closed from marts.fct_cases order by case_id")
    assert cases.rows() == [("HY-A-01", A, True), ("HY-A-02", A, True), ("HY-B-01", B, True)]


def test_a_street_wide_patrol_export_lands_in_each_grids_community(street):
    paths, _, grids, _, _, patrols, _ = street
    got = _snapshot(paths, "select community_code, count(*) as n from marts.fct_patrols group by all order by 1")
    expected = pl.DataFrame({"grid_code": [p.grid_code for p in patrols]}).with_columns(
        community_code=pl.col("grid_code").str.slice(0, 12)).group_by("community_code").len().sort("community_code")
    assert got.rows() == expected.rows() and sum(n for _, n in got.rows()) == len(patrols)


def test_a_register_without_status_column_counts_its_people_as_living_there(street):
    paths, _, _, register_a, register_b, _, _ = street
    got = dict(_snapshot(paths, "select community_code, residents from marts.kpi_community_monthly "
                                "where month_start = date '2025-03-01'").rows())
    assert got[B] == len(register_b)  # every person: 在住 by default
    assert got[A] == sum(p.is_resident for p in register_a)


def test_school_grids_typed_otherwise_land_and_so_do_their_rows(street):
    paths, _, grids, register_a, register_b, _, steps = street
    types = dict(_snapshot(paths, "select grid_code, grid_type from marts.dim_grids").rows())
    assert types == {g.code: "学校" if "学校" in g.grid_type else "常规" for g in grids}
    school = {g.code for g in grids if "学校" in g.grid_type}
    per_grid = dict(_snapshot(paths, "select grid_code, persons_in_register from marts.fct_population_grid_monthly "
                                     "where month_start = date '2025-03-01'").rows())
    assert {c: per_grid[c] for c in school} == {
        c: sum(p.grid_code == c for p in register_a + register_b) for c in school}
    assert _snapshot(paths, f"select count(*) from marts.fct_case_transitions where grid_code = '{B}002'").item() == 6
