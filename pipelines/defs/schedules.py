"""When the street's data is refreshed without anyone asking (Asia/Shanghai time)."""

import datetime as dt

import dagster as dg

from pipelines.defs.jobs import refresh_months
from pipelines.defs.partitions import month_runs, monthly, run_request_for
from pipelines.ingest.routing import TIMEZONE, current_month

DAILY_CRON = "0 6 * * *"  # before the working day: yesterday's case log is in by then
MONTH_CLOSE_CRON = "0 2 26 * *"  # registers are due by the 25th (DESIGN.md §3); close the night after
QUARTER_CLOSE_CRON = "0 8 5 1,4,7,10 *"  # the quarter's last patrol logs arrive in the first days after it


ON = dg.DefaultScheduleStatus.RUNNING  # `gridpulse ui` is the operations console: what is automatic, runs


def _month(context: dg.ScheduleEvaluationContext) -> str:
    return current_month(context.scheduled_execution_time)


@dg.schedule(cron_schedule=DAILY_CRON, execution_timezone=TIMEZONE, job=refresh_months, default_status=ON,
             description="Every morning: re-run the current month (new case logs, registers, patrol logs).")
def daily_current_month(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(partition_key=_month(context), tags={"gridpulse/trigger": "daily"})


@dg.schedule(cron_schedule=MONTH_CLOSE_CRON, execution_timezone=TIMEZONE, job=refresh_months, default_status=ON,
             description="After the 25th: close the month — re-read all its registers and logs, rebuild the "
                         "register-freshness and assessment marts and publish.")
def monthly_close(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(partition_key=_month(context), tags={"gridpulse/trigger": "month_close"})


def quarter_months(when: dt.datetime) -> list[str]:
    """The three months of the quarter before `when` (Asia/Shanghai)."""
    y, m = map(int, current_month(when).split("-"))
    first = (m - 1) // 3 * 3 + 1 - 3
    y, first = (y - 1, first + 12) if first < 1 else (y, first)
    return [f"{y}-{first + i:02d}" for i in range(3)]


@dg.schedule(cron_schedule=QUARTER_CLOSE_CRON, execution_timezone=TIMEZONE, job=refresh_months, default_status=ON,
             description="After a quarter ends: re-run its three months in one run, so the quarterly "
                         "situation-analysis report reads a closed quarter. The report itself is not built "
                         "here yet (it is its own piece of work); this refreshes what it will read.")
def quarterly_close(context: dg.ScheduleEvaluationContext):
    ranges = month_runs(quarter_months(context.scheduled_execution_time))
    if not ranges:
        return dg.SkipReason(f"该季度早于数据起始月份 {monthly.start:%Y-%m}，无需运行。")
    return [run_request_for(a, b, tags={"gridpulse/trigger": "quarter_close"}) for a, b in ranges]


schedules = [daily_current_month, monthly_close, quarterly_close]
