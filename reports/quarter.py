"""A calendar quarter as the report names it (`2025Q3`), with its neighbours."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
NUMERALS = "一二三四"


class BadQuarter(ValueError):
    """A quarter written in a form the report does not understand."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = PATTERN.match(str(text))
        if not match:
            raise BadQuarter(f"季度“{text}”格式不对，请写成 2025Q3 这样的年份加季度。")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def zh(self) -> str:
        return f"{self.year}年第{NUMERALS[self.number - 1]}季度"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        month = 3 * self.number
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def months(self) -> list[dt.date]:
        return [dt.date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    @property
    def month_keys(self) -> tuple[str, str]:
        """First and last month as `YYYY-MM` (the ledger's report_month)."""
        return self.months[0].strftime("%Y-%m"), self.months[-1].strftime("%Y-%m")

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def last_year(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    def __str__(self) -> str:
        return self.label
