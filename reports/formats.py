"""How the report prints a number: counts with thousands separators, rates as percentages, changes
against another quarter as % (counts) or percentage points (rates). Missing values never print as 0."""

from __future__ import annotations

import pandas as pd

from pipelines.core.texts import NO_DATA


def missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def count(value, empty: str = NO_DATA) -> str:
    return empty if missing(value) else f"{int(round(float(value))):,}"


def rate(value, empty: str = NO_DATA) -> str:
    return empty if missing(value) else f"{float(value):.1%}"


def number(value, empty: str = NO_DATA) -> str:
    return empty if missing(value) else f"{float(value):.1f}"


FORMATS = {"count": count, "rate": rate, "number": number}


def change(current, previous, kind: str) -> float | None:
    """Relative change for counts, difference for rates and numbers; None when either side is missing."""
    if missing(current) or missing(previous):
        return None
    current, previous = float(current), float(previous)
    if kind == "count":
        return None if previous == 0 else (current - previous) / previous
    return current - previous


# A street population figure adds up the communities whose registers landed: two quarters compare only
# when they add up the same number of registers (column -> the count that must match).
REGISTER_BASIS = {"residents": "communities_with_register", "moved_in": "registers_received",
                  "moved_out": "registers_received"}


def comparable(column: str, now: dict | None, before: dict | None) -> bool:
    basis = REGISTER_BASIS.get(column)
    return not (basis and now and before) or now.get(basis) == before.get(basis)


def change_text(value: float | None, kind: str, empty: str) -> str:
    if value is None:
        return empty
    if kind == "rate":
        return f"{value * 100:+.1f}个百分点"
    if kind == "count":
        return f"{value:+.1%}"
    return f"{value:+.1f}"


def change_words(value: float | None, kind: str) -> str:
    """'增长8.3%' / '下降2.1个百分点' / '持平' for the narrative."""
    if value is None:
        return ""
    size = abs(value) * 100 if kind in ("count", "rate") else abs(value)
    unit = "%" if kind == "count" else ("个百分点" if kind == "rate" else "")
    if round(size, 1) == 0:
        return "持平"
    verb = ("增长" if kind == "count" else "提高") if value > 0 else ("减少" if kind == "count" else "下降")
    return f"{verb}{size:.1f}{unit}"
