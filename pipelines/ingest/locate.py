"""Which community, month and slice a file belongs to, from its contents or its name."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.core.settings import DIVISIONS_CSV, STREET_DIGITS
from pipelines.core.texts import SLICE_PARTS
from pipelines.ingest.contracts import Contract
from pipelines.ingest.errors import rejection
from pipelines.ingest.readers import find_date, find_month
from pipelines.ingest.validate import parse_date

SUFFIXES = ("居民委员会", "居委会", "村民委员会", "村委会")


@cache
def communities(street_code: str, divisions_csv: Path = DIVISIONS_CSV) -> dict[str, str]:
    """Community name variants and codes of a scope -> 12-digit code.

    The scope is a division code prefix: a street (9 digits), a district (6) or a city (4). Each
    community is known by its code, its full and short names (`通济桥街社区居委会`, `通济桥街社区`) and
    those names behind its street's (`华阳街道通济桥街社区`). Community names repeat across a city, so
    a bare name that two communities of the scope share is dropped: only the street-qualified one
    (or the code) then places a file.
    """
    rows = pl.read_csv(divisions_csv, schema_overrides={"code": pl.String, "parent_code": pl.String})
    streets = dict(rows.filter(pl.col("level") == "street").select("code", "name").iter_rows())
    rows = rows.filter((pl.col("level") == "community") & pl.col("parent_code").str.starts_with(street_code))
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for code, name, street in rows.select("code", "name", "parent_code").iter_rows():  # division metadata
        short = {name} | {name.removesuffix(s) for s in SUFFIXES}
        names[code] = code
        for variant in short:
            if names.get(variant, code) != code:
                ambiguous.add(variant)
            names[variant] = code
            if street in streets:
                names[streets[street] + variant] = code
    return {k: v for k, v in names.items() if k not in ambiguous}


@cache
def _name_index(street_code: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The scope's community names by their first two characters, and each name's place in
    `communities` (the first of the longest names found wins, as it always has)."""
    by_head: dict[str, list[str]] = {}
    for name in communities(street_code):
        if not name.isdigit():
            by_head.setdefault(name[:2], []).append(name)
    return by_head, {name: i for i, name in enumerate(communities(street_code))}


def find_community(context: str, street_code: str) -> str | None:
    """The community whose longest name (or code) the context holds.

    A city scope knows ~14,000 names: rather than testing each, the context's positions are looked up
    by their first two characters, and its runs of digits are cut into 12-digit windows for codes.
    """
    known = communities(street_code)
    by_head, order = _name_index(street_code)
    hits = {name for i in range(len(context) - 1) for name in by_head.get(context[i:i + 2], ())
            if context.startswith(name, i)}
    hits |= {run[i:i + 12] for run in re.findall(r"\d{12,}", context) for i in range(len(run) - 11)
             if run[i:i + 12] in known}
    return known[max(hits, key=lambda name: (len(name), -order[name]))] if hits else None


def _mode_share(values: pl.Series) -> tuple[str | None, float]:
    counts = Counter(v for v in values.drop_nulls().to_list()[:5000])
    if not counts:
        return None, 0.0
    value, n = counts.most_common(1)[0]
    return value, n / sum(counts.values())


def locate(contract: Contract, frame: pl.DataFrame, context: str, path: Path, street_code: str,
           grid_communities: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    """Return (community_code, report_month, slice_key) or reject the file.

    - A log (cases, patrols) places each row by its own time and grid: the community and the month
      (or day) its title or name gives are hints for the rows that say nothing, never required.
    - A grid table is the street's, for the month its title, name or first valid-from date gives.
    - A register is a community's month. The month must be named; the community may not be: a
      street-wide register places each row by its grid (community None), which needs the grid table.
    """
    name = path.name
    if contract.is_log:
        day = find_date(context)
        # a street-wide log (the hotline: orders are placed by their text, not a grid) is the street's slice
        slice_key = street_code if contract.slice == "street_month" else None
        return find_community(context, street_code), day[:7] if day else find_month(context), slice_key
    month = find_month(context)
    if contract.slice == "street_month":
        if month is None and "valid_from" in frame.columns:
            first = frame.select(parse_date(pl.col("valid_from")).min()).item()
            month = first.strftime("%Y-%m") if first else None
        if month is None:
            raise rejection("no_month", name)
        return None, month, _table_street(frame, street_code)
    community = find_community(context, street_code)
    street_wide = community is None and "grid_code" in frame.columns and bool(grid_communities)
    if (community is None and not street_wide) or month is None:
        unknown = {"community": community or street_wide or None, "month": month}
        missing = "、".join(SLICE_PARTS[k] for k, v in unknown.items() if v is None)
        raise rejection("no_slice", name, contract, missing=missing)
    return community, month, community


def _table_street(frame: pl.DataFrame, scope: str) -> str:
    """The street a grid table belongs to: its communities' street (the first 9 digits of their codes).

    A street's table replaces that street's earlier table only, so a district or city installation
    keeps one slice per street and month.
    """
    if "community_code" in frame.columns:
        street, share = _mode_share(frame["community_code"].str.replace_all(r"\s", "").str.slice(0, STREET_DIGITS))
        if street is not None and share >= 0.5 and street.isdigit() and len(street) == STREET_DIGITS:
            return street
    return scope
