"""Shared helpers of the demo generator: random streams, the working-day calendar, time, paths.

Times inside the generator are int64 seconds on a naive Asia/Shanghai clock ("local epoch"):
`np.datetime64(..., "s").astype(np.int64)`. Nothing reads the wall clock.
"""

from __future__ import annotations

import calendar
import hashlib
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import numpy as np
import polars as pl

STREET_CODE = "510116003"
STREET_NAME = "华阳街道"
SOURCES = ("grids", "population", "cases", "patrols")
SHANGHAI = timezone(timedelta(hours=8))
REPO_ROOT = Path(__file__).resolve().parents[1]
DIVISIONS_CSV = REPO_ROOT / "dbt_project" / "seeds" / "divisions.csv"
EXCEL_EPOCH = date(1899, 12, 30)
DAY = 86_400
MINUTE = 60
HOUR = 3_600
FAMILY_SIZES = np.array([1, 2, 3, 4, 5])  # persons per household and their shares
FAMILY_SIZE_P = np.array([0.25, 0.31, 0.21, 0.15, 0.08])


def stream(seed: int, *keys: object) -> np.random.Generator:
    """An independent random stream per (seed, keys): adding a community never shifts another."""
    digest = hashlib.sha256(repr((int(seed),) + tuple(str(k) for k in keys)).encode()).digest()
    return np.random.default_rng(np.frombuffer(digest[:16], dtype=np.uint32))


def month_key(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def month_first(year: int, month: int) -> date:
    return date(year, month, 1)


def month_last(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def to_epoch(value: date | datetime) -> int:
    """Local epoch seconds of a date (midnight) or naive datetime."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return int((value - datetime(1970, 1, 1)).total_seconds())


def from_epoch(seconds: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=int(seconds))


def day_numbers(first: date, last: date) -> np.ndarray:
    """Days from `first` to `last` inclusive, as datetime64[D]."""
    return np.arange(np.datetime64(first), np.datetime64(last) + 1)


def excel_serial(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> Excel serial day numbers (1900 date system)."""
    return (days - np.datetime64(EXCEL_EPOCH)).astype(np.int64)


def set_mtime(path: Path, when: datetime) -> None:
    """Set a file's mtime (and atime) to a naive Asia/Shanghai datetime."""
    stamp = when.replace(tzinfo=SHANGHAI).timestamp()
    os.utime(path, (stamp, stamp))


def epoch_to_polars(values: np.ndarray | pl.Series, name: str) -> pl.Series:
    """Local epoch seconds (nullable) -> naive polars Datetime('us')."""
    series = pl.Series(name, values, dtype=pl.Int64)
    return (series * 1_000_000).cast(pl.Datetime("us")).alias(name)


class WorkCalendar:
    """Chinese working days (official holidays and make-up days) from `chinese_calendar`.

    The demo year must be covered (fails loudly otherwise); the months after it, which only
    matter for deadlines that fall beyond the exported period, fall back to Monday-Friday.
    """

    def __init__(self, year: int) -> None:
        days = day_numbers(date(year - 1, 12, 1), date(year + 1, 4, 30))
        flags = []
        for day in days.astype(object):
            try:
                flags.append(chinese_calendar.is_workday(day))
            except NotImplementedError:
                if day.year == year:
                    raise
                flags.append(day.weekday() < 5)
        self.days = days
        self.is_workday = np.array(flags, dtype=bool)
        self.workdays = days[self.is_workday]

    def flags(self, days: np.ndarray) -> np.ndarray:
        """Working-day flag of each datetime64[D] in `days`."""
        return self.is_workday[(days - self.days[0]).astype(np.int64)]

    def index_on_or_after(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.workdays, days, side="left")

    def day_at(self, index: np.ndarray) -> np.ndarray:
        return self.workdays[np.minimum(index, len(self.workdays) - 1)]
