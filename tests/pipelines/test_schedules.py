"""Schedules: their cron strings, their time zone, and the months they run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.definitions import defs

SHANGHAI = ZoneInfo("Asia/Shanghai")
RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def _schedule(name: str) -> dg.ScheduleDefinition:
    return next(s for s in defs.schedules if s.name == name)


def _tick(name: str, when: dt.datetime):
    context = dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def())
    return _schedule(name).evaluate_tick(context)


def test_the_schedules_cron_strings_and_time_zone():
    expected = {"daily_current_month": "0 6 * * *",  # every day 06:00
                "monthly_close": "0 2 26 * *",  # 02:00 on the 26th, after registers fall due on the 25th
                "quarterly_close": "0 8 5 1,4,7,10 *"}  # 08:00 on the 5th after a quarter ends
    assert {s.name: s.cron_schedule for s in defs.schedules} == expected
    for schedule in defs.schedules:
        assert schedule.execution_timezone == "Asia/Shanghai"
        assert schedule.job_name == "refresh_months"


def test_the_daily_schedule_runs_the_current_month_on_the_streets_clock():
    # 22:00 UTC on 31 March is 06:00 on 1 April in Shanghai: April is the current month.
    data = _tick("daily_current_month", dt.datetime(2025, 3, 31, 22, 0, tzinfo=dt.UTC))
    assert [r.partition_key for r in data.run_requests] == ["2025-04"]


def test_the_monthly_schedule_closes_the_month_of_the_26th():
    data = _tick("monthly_close", dt.datetime(2025, 3, 26, 2, 0, tzinfo=SHANGHAI))
    assert [r.partition_key for r in data.run_requests] == ["2025-03"]
    assert data.run_requests[0].tags["gridpulse/trigger"] == "month_close"


def test_the_quarterly_schedule_reruns_the_quarter_just_ended_in_one_run():
    data = _tick("quarterly_close", dt.datetime(2025, 7, 5, 8, 0, tzinfo=SHANGHAI))
    assert [(r.tags[RANGE[0]], r.tags[RANGE[1]]) for r in data.run_requests] == [("2025-04", "2025-06")]
    data = _tick("quarterly_close", dt.datetime(2026, 1, 5, 8, 0, tzinfo=SHANGHAI))
    assert [(r.tags[RANGE[0]], r.tags[RANGE[1]]) for r in data.run_requests] == [("2025-10", "2025-12")]
    assert _tick("quarterly_close", dt.datetime(2025, 1, 5, 8, 0, tzinfo=SHANGHAI)).run_requests == []
