"""What a city run covers: a share of Chengdu's communities, their streets, map places, ID indexes, odd files.

Everything here is cheap and deterministic from (sf, seed); no files are written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import polars as pl

from demo.common import DIVISIONS_CSV, stream
from demo.grids import CityIds
from demo.profiles import ODD_EVENTS, Profile

CITY_CENTRE = (104.06, 30.67)
STREET_SPACING_KM = 9.0  # each street is drawn in an 8 x 8 km square; squares sit on a 9 km lattice
SLOTS_PER_EVENT = 288  # the Huayang year has each odd file once in 24 communities x 12 months
EXCLUSIVE_EVENTS = {"missing_id_column", "resubmitted", "no_register"}


@dataclass(frozen=True)
class CityStreet:
    code: str
    name: str
    all_communities: list[str]  # every community code of the street, sorted
    communities: list[str]  # the ones this run keeps, sorted
    centre: tuple[float, float]
    ids: CityIds

    @property
    def id_prefix(self) -> str:
        """The street code's last 7 digits (unique within Chengdu, 51xxxxxxx): worker and patrol ids.

        Seven, not six: a 6-digit prefix gives 11-digit worker ids such as 13100101048 that read like
        mobile numbers, which the personal-data scans rightly refuse to tell apart.
        """
        return self.code[-7:]

    @property
    def case_prefix(self) -> str:
        return f"CD{self.code[-6:]}"


def load_divisions() -> pl.DataFrame:
    return pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})


def largest_remainder(sizes: np.ndarray, total: int) -> np.ndarray:
    """Split `total` proportionally to `sizes`; leftover units go to the largest remainders (ties: first)."""
    quota = total * sizes / sizes.sum()
    counts = np.floor(quota).astype(np.int64)
    order = np.lexsort((np.arange(len(sizes)), -(quota - counts)))
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def community_index(divisions: pl.DataFrame) -> pl.DataFrame:
    """community_code, global_index (place among all communities), district_index (place in its district)."""
    return (
        divisions.filter(pl.col("level") == "community").sort("code")
        .select(pl.col("code").alias("community_code"))
        .with_columns(pl.int_range(pl.len()).alias("global_index"),
                      pl.int_range(pl.len()).over(pl.col("community_code").str.slice(0, 6)).alias("district_index"))
    )


def plan_city(sf: float, seed: int) -> tuple[list[CityStreet], pl.DataFrame]:
    """The streets of a run at scale factor `sf` and the community index frame (for `build_street`)."""
    if not 0 < sf <= 1:
        raise ValueError("sf must be in (0, 1]")
    divisions = load_divisions()
    communities = divisions.filter(pl.col("level") == "community").sort("code")
    streets = divisions.filter(pl.col("level") == "street").sort("code")
    districts = divisions.filter(pl.col("level") == "district").sort("code")["code"].to_list()
    members = communities.group_by("parent_code", maintain_order=True).agg(pl.col("code"))
    members = dict(zip(members["parent_code"], members["code"]))
    per_district = Counter(code[:6] for code in communities["code"])
    sizes = np.array([len(members.get(code, [])) for code in streets["code"]])
    counts = largest_remainder(sizes, max(1, round(sf * communities.height)))
    columns = int(np.ceil(np.sqrt(streets.height)))
    km_lon = 1 / (111.32 * np.cos(np.radians(CITY_CENTRE[1])))
    plan = []
    for i, (code, name, parent) in enumerate(streets.select("code", "name", "parent_code").iter_rows()):  # 261 streets
        all_codes = sorted(members.get(code, []))
        if counts[i] == 0:
            continue
        picked = stream(seed, "city-sample", code).choice(len(all_codes), int(counts[i]), replace=False)
        x = (i % columns - (columns - 1) / 2) * STREET_SPACING_KM
        y = (i // columns - (columns - 1) / 2) * STREET_SPACING_KM
        centre = (round(CITY_CENTRE[0] + x * km_lon, 6), round(CITY_CENTRE[1] + y / 110.95, 6))
        ids = CityIds(parent, tuple(d for d in districts if d != parent), per_district[parent], communities.height)
        plan.append(CityStreet(code, name, all_codes, sorted(all_codes[j] for j in picked), centre, ids))
    return plan, community_index(divisions)


@dataclass
class CityEvents:
    by_community: dict[str, dict[str, int]]  # community code -> {odd event: month}
    anonymous_names: dict[str, str]  # community code -> file name of its anonymous workbook
    docx: list[tuple[str, int]]  # (street code, month) of the `.docx` dropped among the registers


def plan_city_events(seed: int, profiles: dict[str, Profile], streets: list[CityStreet], months: int) -> CityEvents:
    """Each odd file of the street demo once per 288 community-months (at least once), at random slots.

    As in `profiles.plan_odd_events`: events that change a slot's main file (missing ID column, re-submission,
    no register) get a slot of their own; the others prefer free slots and may share one; a community has
    an event at most once; a missing register prefers a CSV sender.
    """
    rng = stream(seed, "city-odd-events")
    codes = [c for s in streets for c in s.communities]
    k = max(1, round(len(codes) * months / SLOTS_PER_EVENT))
    used: dict[tuple[str, int], str] = {}
    events: dict[str, dict[str, int]] = {c: {} for c in codes}
    for event in ODD_EVENTS:
        pool = codes if event in ("no_register", "anonymous") else [c for c in codes if profiles[c].csv_encoding is None]
        if not pool:
            continue
        month = rng.integers(1, months + 1, len(pool))
        slots = [(pool[i], int(month[i])) for i in rng.permutation(len(pool))]  # one slot per community
        free = [s for s in slots if s not in used]
        if event == "no_register":
            free = [s for s in free if profiles[s[0]].csv_encoding is not None] + [
                s for s in free if profiles[s[0]].csv_encoding is None]
        chosen = free[:k]
        if event not in EXCLUSIVE_EVENTS and len(chosen) < k:
            chosen += [s for s in slots if s in used and used[s] not in EXCLUSIVE_EVENTS][: k - len(chosen)]
        for code, m in chosen:
            events[code][event] = m
            used.setdefault((code, m), event)
    anonymous, per_month = {}, Counter()
    for code in codes:
        if "anonymous" in events[code]:
            m = events[code]["anonymous"]
            anonymous[code] = "台账.xlsx" if per_month[m] == 0 else f"台账({per_month[m]}).xlsx"
            per_month[m] += 1
    picks = rng.choice(len(streets), min(k, len(streets)), replace=False)
    docx = [(streets[i].code, int(rng.integers(1, months + 1))) for i in sorted(picks)]
    return CityEvents(events, anonymous, docx)
