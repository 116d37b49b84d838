"""The Chinese working-day calendar (official holidays and 调休 make-up days), DESIGN.md §4.6."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import chinese_calendar
import polars as pl
from chinese_calendar import constants

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


ACTIVITY_SOURCES = ("population", "cases", "patrols")  # the sources whose months are periods of the marts
ANCHOR_PART = "_empty"  # the typed empty part ingest keeps for a source with no data (month=0000-00)
MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
NOT_COVERED = ("工作日历软件包 chinese-calendar {version} 没有 {years} 年的法定节假日和调休安排，无法计算工作日和办结时限；"
               "请升级该软件包（pip install -U chinese-calendar）后再运行。")


class CalendarNotCovered(RuntimeError):
    """A year of the data has no official holiday data in the installed package (message in Chinese)."""


def _version() -> str:
    return getattr(chinese_calendar, "__version__", "")


def covered(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def build_calendar(years: list[int]) -> pl.DataFrame:
    """One row per day of `years`; raises for a year the installed calendar does not cover."""
    missing = [y for y in years if not covered(y)]
    if missing:
        raise CalendarNotCovered(NOT_COVERED.format(version=_version(), years="、".join(map(str, missing))))
    days = pl.DataFrame({"calendar_date": pl.date_range(dt.date(min(years), 1, 1), dt.date(max(years), 12, 31),
                                                        eager=True)})
    holidays = pl.DataFrame({"calendar_date": list(constants.holidays), "holiday_name": [
        HOLIDAY_NAMES_ZH.get(str(v), str(v)) for v in constants.holidays.values()]}, schema_overrides={"calendar_date": pl.Date})
    makeups = pl.DataFrame({"calendar_date": list(constants.workdays)}, schema={"calendar_date": pl.Date})
    days = days.join(holidays, on="calendar_date", how="left").with_columns(
        is_holiday=pl.col("holiday_name").is_not_null(),
        is_makeup=pl.col("calendar_date").is_in(makeups["calendar_date"].implode()),
        is_weekend=pl.col("calendar_date").dt.weekday() >= 6,
    )
    return days.select(
        "calendar_date",
        is_working_day=pl.col("is_makeup") | (~pl.col("is_weekend") & ~pl.col("is_holiday")),
        is_holiday="is_holiday",
        holiday_name="holiday_name",
    ).sort("calendar_date")


def landed_months(lake: Path, sources: tuple[str, ...]) -> list[str]:
    """Months (YYYY-MM) that hold a real part of one of `sources`, oldest first.

    Only the folder names of parts count, never their contents: a source with no landed rows keeps
    one typed, empty part in `month=0000-00` (the anchor dbt reads), which is not a month of data.
    """
    found = set()
    for source in sources:
        for part in (lake / source).glob("month=*/*.parquet"):
            month = part.parent.name.removeprefix("month=")
            if part.stem != ANCHOR_PART and MONTH.match(month):
                found.add(month)
    return sorted(found)


def fallback_year(today: dt.date | None = None) -> int:
    """The calendar year of an installation with no landed data: this year, or the newest year the
    installed calendar covers when it does not cover this one yet.

    With no data there is no deadline to compute, so any covered year builds the same (empty) marts;
    failing here would stop a new installation before its first file arrives.
    """
    year = (today or dt.date.today()).year
    if covered(year):
        return year
    earlier = [y for y in range(year - 1, year - 30, -1) if covered(y)]
    if not earlier:
        raise CalendarNotCovered(NOT_COVERED.format(version=_version(), years=year))
    return earlier[0]


def data_years(lake: Path) -> list[int]:
    """Years with registers, case or patrol logs, plus the next year when the calendar covers it
    (deadlines of December cases run into January).

    The same rule as the marts' periods (int_periods): a lake with grid tables only takes the years
    of its grid tables; a lake with no landed data at all, `fallback_year()`.
    """
    months = landed_months(lake, ACTIVITY_SOURCES) or landed_months(lake, ("grids",))
    if not months:
        return [fallback_year()]
    years = list(range(int(months[0][:4]), int(months[-1][:4]) + 1))
    return years + ([years[-1] + 1] if covered(years[-1] + 1) else [])


def write_calendar(lake: Path) -> Path:
    from pipelines.ingest.lake import write_atomic

    path = lake / "_reference" / "calendar.parquet"
    write_atomic(build_calendar(data_years(lake)), path)
    return path
