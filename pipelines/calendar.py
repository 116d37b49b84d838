"""The Chinese working-day calendar (official holidays and 调休 make-up days), DESIGN.md §4.6."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import polars as pl
from chinese_calendar import constants

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarNotCovered(RuntimeError):
    pass


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
        raise CalendarNotCovered(
            f"chinese-calendar {getattr(chinese_calendar, '__version__', '')} has no official holiday data for "
            f"{missing}; upgrade the package before processing data of those years.")
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


def data_years(lake: Path) -> list[int]:
    """Years with case or patrol data, plus the next year when the calendar covers it (late deadlines)."""
    months = sorted(p.name.removeprefix("month=") for s in ("cases", "patrols", "population")
                    for p in (lake / s).glob("month=*") if p.name[6:7].isdigit())
    if not months:
        return [dt.date.today().year]
    years = list(range(int(months[0][:4]), int(months[-1][:4]) + 1))
    return years + ([years[-1] + 1] if covered(years[-1] + 1) else [])


def write_calendar(lake: Path) -> Path:
    from .ingest.lake import write_atomic

    path = lake / "_reference" / "calendar.parquet"
    write_atomic(build_calendar(data_years(lake)), path)
    return path
