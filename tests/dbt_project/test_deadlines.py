"""Acceptance 1: the deadline convention on the 2025 National Day holiday, as dbt unit tests.

The unit tests live in dbt_project/models/intermediate/_intermediate__models.yml (mocked calendar
rows); a case accepted on 2025-09-30 is due at the end of 2025-10-09 with 1 working day, 2025-10-10
with 2 and 2025-10-11 (a make-up Saturday) with 3. The fixture's cases K3 and K4 check the same
dates against the real calendar (test_kpis.py).
"""

from __future__ import annotations

UNIT_TESTS = {"national_day_2025_deadlines", "national_day_2025_working_day_numbers"}


def _unit_results(results: dict) -> dict[str, str]:
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results["results"]
            if r["unique_id"].startswith("unit_test.")}


def test_the_build_runs_the_national_day_unit_tests_and_they_pass(warehouse):
    """`dbt build` runs the unit tests before the models they test (run_results of the fixture build)."""
    built = _unit_results(warehouse.build_results)
    assert UNIT_TESTS <= set(built)
    assert {name: built[name] for name in UNIT_TESTS} == {name: "pass" for name in UNIT_TESTS}
