"""Acceptance 4: a grid redrawn mid-year keeps its earlier months on the old version, later ones on the new.

In the fixture G12 is redrawn from 2025-09-01 under the same code (350 → 250 households, a new A/B
backup) and the new school grid G13 appears; the redraw moves p6 and p8 from G12 into G13.
"""

from __future__ import annotations

import datetime as dt

from tests.dbt_project.fixture import G12, G13

OLD, NEW = f"{G12}@2025-01-01", f"{G12}@2025-09-01"


def test_the_grid_dimension_keeps_both_versions(warehouse):
    rows = warehouse.query("select grid_version_id, valid_from, valid_to, household_count, backup_worker_id, is_current "
                           "from marts.dim_grids where grid_code = ? order by valid_from", [G12])
    assert [tuple(r.values()) for r in rows] == [
        (OLD, dt.date(2025, 1, 1), dt.date(2025, 8, 31), 350, "01001", False),
        (NEW, dt.date(2025, 9, 1), None, 250, "01003", True)]
    new_grid = warehouse.query("select grid_version_id, valid_from, valid_to from marts.dim_grids where grid_code = ?", [G13])
    assert [tuple(r.values()) for r in new_grid] == [(f"{G13}@2025-09-01", dt.date(2025, 9, 1), None)]


def test_population_months_stay_on_the_version_of_their_month(warehouse):
    rows = warehouse.query("select person_id, cast(month_start as varchar) as month, grid_code, grid_version_id "
                           "from marts.fct_residents_monthly where person_id in ('p5', 'p6') order by 1, 2")
    assert [tuple(r.values()) for r in rows] == [
        ("p5", "2025-08-01", G12, OLD), ("p5", "2025-09-01", G12, NEW), ("p5", "2025-10-01", G12, NEW),
        ("p6", "2025-08-01", G12, OLD), ("p6", "2025-09-01", G13, f"{G13}@2025-09-01"),
        ("p6", "2025-10-01", G13, f"{G13}@2025-09-01")]
    grid_months = warehouse.query("select cast(month_start as varchar) as month, grid_version_id, residents "
                                  "from marts.fct_population_grid_monthly where grid_code = ? order by 1", [G12])
    assert [tuple(r.values()) for r in grid_months] == [("2025-08-01", OLD, 3), ("2025-09-01", NEW, 1), ("2025-10-01", NEW, 2)]


def test_dated_facts_take_the_version_in_force_on_their_day(warehouse):
    cases = warehouse.query("select case_id, grid_version_id from marts.fct_cases where grid_code = ? order by 1", [G12])
    assert [tuple(r.values()) for r in cases] == [("K8", OLD), ("K9", NEW)]  # reported 29 Aug and 15 Sep
    patrols = warehouse.query("select grid_version_id, min(patrol_date) as first, max(patrol_date) as last "
                              "from marts.fct_patrols where grid_code = ? group by 1 order by 2", [G12])
    assert [tuple(r.values()) for r in patrols] == [
        (OLD, dt.date(2025, 8, 11), dt.date(2025, 8, 22)), (NEW, dt.date(2025, 9, 1), dt.date(2025, 9, 5))]
    days = warehouse.query("select calendar_date, grid_version_id from marts.fct_grid_daily_coverage "
                           "where grid_code = ? and calendar_date in (?, ?) order by 1",
                           [G12, dt.date(2025, 8, 31), dt.date(2025, 9, 1)])
    assert [r["grid_version_id"] for r in days] == [OLD, NEW]


def test_kpi_months_and_quarters_report_the_version_of_their_period(warehouse):
    months = warehouse.query("select cast(month_start as varchar) as month, grid_version_id, households_in_grid_tables, "
                             "grids_outside_size_band from marts.kpi_grid_monthly where grid_code = ? order by 1", [G12])
    assert [tuple(r.values()) for r in months] == [
        ("2025-08-01", OLD, 350, 0), ("2025-09-01", NEW, 250, 1), ("2025-10-01", NEW, 250, 1)]
    quarter = warehouse.query("select grid_version_id from marts.kpi_grid_quarterly where grid_code = ? "
                              "and quarter_start = ?", [G12, dt.date(2025, 7, 1)])
    assert quarter == [{"grid_version_id": NEW}]  # the latest version in force during Q3
