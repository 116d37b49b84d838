"""Known early-warning events injected into the demo year, so the warning engine (DESIGN §9) can be backtested.

Four kinds, each in a grid of its own (at most one event per grid), starting between 1 March and 30 November:

- surge: one case category of a grid gets extra cases for 7-21 days (an extra Poisson rate of 0.6-1.5 cases
  a working day, x0.45 on rest days, like the base rate); the extra cases are ordinary cases in every other way;
- stall: for 7-21 days from a working day a grid's cases are not closed: every case accepted in the window,
  and every one open at its start, is closed 1-5 working days after the window ends;
- repeat: a new case at the same place, of the same category and grid as an earlier case, reported 2-20 days
  after that case was closed;
- register_jump: a grid's residents (在住 or 外出) in the population register change by 25-60 % from one month to
  the next (a new building delivered: households registered that month; a block demolished: households leave, 迁出).

Events keep away from the generator's deliberate mess: only standard (常规) grids, never a grid of the July
redraw, never a community with an odd register file (`plan_odd_events`) or a late sender. Everything is
deterministic from the seed; each kind draws from its own streams, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from demo import vocab
from demo.cases import SLOTS, _office_hours, make_cases
from demo.common import HOUR, MINUTE, WorkCalendar, month_last, stream
from demo.grids import Street
from demo.patrols import Duty
from demo.profiles import Profile
from demo.truth import EVENTS_SCHEMA

KIND_COUNTS = {"surge": 16, "stall": 10, "repeat": 16, "register_jump": 10}
FIRST_START = (3, 1)  # the engine needs two months of history first
LAST_START = (11, 30)
CATEGORIES = tuple(vocab.TAXONOMY)
PLACE = re.compile(r"^(\D+?\d+号)")


@dataclass(frozen=True)
class WarningEvent:
    kind: str
    community_code: str
    grid_code: str  # at most one event per grid: the key of an event inside the generator
    start: date | None  # repeat: decided when the earlier case is picked
    end: date | None
    magnitude: float  # surge: extra cases a working day; stall: days; repeat: gap days; register_jump: planned share
    category: int | None = None  # surge: index in TAXONOMY


def plan_warning_events(
    seed: int, street: Street, profiles: dict[str, Profile], odd_plan: dict, calendar: WorkCalendar,
    counts: dict[str, int] | None = None,
) -> list[WarningEvent]:
    """Pick the grids and windows of the events. A run too small for all of them gets a proportional share;
    a run that ends before March gets none."""
    counts = KIND_COUNTS if counts is None else counts
    rng = stream(seed, "warning-events")
    year = street.year
    run_end = month_last(year, street.months)
    first, last = date(year, *FIRST_START), min(date(year, *LAST_START), run_end)
    if last < first:
        return []
    avoid = {code for code, _ in odd_plan.values()} | {c for c, p in profiles.items() if p.late_share > 0.1}
    versions = street.grids.group_by("grid_code").len()
    touched = set(versions.filter(pl.col("len") > 1)["grid_code"])
    if street.redraw is not None:
        touched |= {*street.redraw.adjusted_grid_codes, street.redraw.new_grid_code}
    grids = (
        street.grids.filter((pl.col("grid_type") == "常规") & ~pl.col("community_code").is_in(sorted(avoid))
                            & ~pl.col("grid_code").is_in(sorted(touched)))
        .unique("grid_code").sort("grid_code").select("grid_code", "community_code")
    )
    pool = [grids.row(int(i)) for i in rng.permutation(grids.height)]
    share = min(1.0, len(pool) / max(sum(counts.values()), 1))
    events = []
    for kind, wanted in counts.items():
        for _ in range(int(wanted * share)):
            grid_code, community = pool.pop()
            event = _draw(rng, kind, community, grid_code, first, last, run_end, calendar)
            if event is not None:
                events.append(event)
    return events


def _draw(rng, kind: str, community: str, grid_code: str, first: date, last: date, run_end: date,
          calendar: WorkCalendar) -> WarningEvent | None:
    if kind in ("surge", "stall"):
        days = int(rng.integers(7, 22))
        margin = 0 if kind == "surge" else 14  # a stall's closings (1-5 working days later) stay in the run
        latest = min(last, run_end - timedelta(days=days - 1 + margin))
        starts = np.arange(np.datetime64(first), np.datetime64(latest) + 1) if latest >= first else np.array([], "datetime64[D]")
        if kind == "stall":
            starts = starts[calendar.flags(starts)] if len(starts) else starts
        if not len(starts):
            return None
        start = starts[int(rng.integers(len(starts)))].astype(object)
        end = start + timedelta(days=days - 1)
        if kind == "surge":
            category = int(rng.integers(len(CATEGORIES)))
            return WarningEvent(kind, community, grid_code, start, end, round(float(rng.uniform(0.6, 1.5)), 2), category)
        return WarningEvent(kind, community, grid_code, start, end, float(days))
    if kind == "repeat":
        return WarningEvent(kind, community, grid_code, None, None, float(rng.integers(2, 21)))
    month = int(rng.integers(first.month, last.month + 1))
    sign = 1.0 if rng.random() < 0.5 else -1.0
    start = date(first.year, month, 1)
    return WarningEvent(kind, community, grid_code, start, month_last(first.year, month),
                        round(sign * float(rng.uniform(0.28, 0.58)), 3))


def inject_case_events(
    cases: pl.DataFrame, duty: Duty, profile: Profile, code: str, calendar: WorkCalendar, seed: int, cutoff: int,
    events: list[WarningEvent],
) -> tuple[pl.DataFrame, list[dict]]:
    """A community's cases with its surges, stalls and repeats; returns (cases, one record per repeat made:
    grid_code, local_index, previous_local_index, place, category, start)."""
    grid_index = {g: i for i, g in enumerate(duty.grids["grid_code"].to_list())}
    first = date(duty.days[0].astype(object).year, *FIRST_START)
    last = date(first.year, *LAST_START)
    surges = [e for e in events if e.kind == "surge"]
    if surges:
        rng = stream(seed, "warning-surge", code)
        gi, di, category = [], [], []
        for e in surges:  # a few events; each vectorised over its days
            g = grid_index[e.grid_code]
            window = np.flatnonzero((duty.days >= np.datetime64(e.start)) & (duty.days <= np.datetime64(e.end)))
            rate = e.magnitude * np.where(duty.workday[window], 1.0, 0.45)
            n = np.where(duty.valid[g, window], rng.poisson(rate), 0)
            gi.append(np.full(n.sum(), g))
            di.append(np.repeat(window, n))
            category.append(np.full(n.sum(), e.category))
        extra = make_cases(rng, duty, profile, code, calendar, cutoff, np.concatenate(gi), np.concatenate(di),
                           categories=np.concatenate(category), first_index=cases.height)
        cases = pl.concat([cases, extra])
    for e in (e for e in events if e.kind == "stall"):
        cases = _stall(cases, e, calendar, stream(seed, "warning-stall", code, e.grid_code), cutoff)
    repeats = []
    for e in (e for e in events if e.kind == "repeat"):
        rng = stream(seed, "warning-repeat", code, e.grid_code)
        gap = int(e.magnitude)
        closed = (pl.col("t14") * 1_000_000).cast(pl.Datetime("us")).dt.date()
        candidates = cases.filter(
            (pl.col("grid_code") == e.grid_code) & pl.col("t3").is_null() & pl.col("t14").is_not_null()
            & (closed + timedelta(days=gap)).is_between(first, min(last, duty.days[-1].astype(object)))
        ).sort("local_index")
        if candidates.height == 0:
            continue
        previous = candidates.row(int(rng.integers(candidates.height)), named=True)
        place = PLACE.match(previous["description"]).group(1)
        day = (np.datetime64(previous["t14"], "s").astype("datetime64[D]") + gap)
        new = make_cases(rng, duty, profile, code, calendar, cutoff, np.array([grid_index[e.grid_code]]),
                         np.array([int((day - duty.days[0]).astype(np.int64))]),
                         categories=np.array([CATEGORIES.index(previous["category"])]), places=np.array([place]),
                         live=True, first_index=cases.height)
        cases = pl.concat([cases, new])
        repeats.append({"grid_code": e.grid_code, "local_index": cases.height - 1,
                        "previous_local_index": previous["local_index"], "place": place,
                        "category": previous["category"], "start": day.astype(object)})
    return cases, repeats


def _stall(cases: pl.DataFrame, e: WarningEvent, calendar: WorkCalendar, rng: np.random.Generator, cutoff: int) -> pl.DataFrame:
    """Close the grid's cases accepted in the window, or open at its start, 1-5 working days after it ends."""
    cols = [f"t{i}" for i in range(len(SLOTS))]
    times = cases.select(pl.col(c).fill_null(-1) for c in cols).to_numpy().astype(np.int64)
    start = np.datetime64(e.start, "D").astype("datetime64[s]").astype(np.int64)
    stop = np.datetime64(e.end + timedelta(days=1), "D").astype("datetime64[s]").astype(np.int64)
    accept, close = times[:, 1], times[:, 14]
    rows = np.flatnonzero(
        (cases["grid_code"] == e.grid_code).to_numpy() & (times[:, 3] < 0) & (close >= 0)
        & (((accept >= start) & (accept < stop)) | ((accept < start) & (close >= start)))
    )
    if not len(rows):
        return cases
    t = times[rows]
    m = len(rows)
    after = calendar.index_on_or_after(np.array([np.datetime64(e.end + timedelta(days=1))])) + rng.integers(0, 5, m)
    close_day = calendar.day_at(after).astype("datetime64[s]").astype(np.int64)
    new_close = close_day + 8 * HOUR + 30 * MINUTE + rng.integers(0, 9 * HOUR + 30 * MINUTE, m)
    # Steps between the start of the stall (or the dispatch, if later) and the old closing stretch to the new one.
    anchor = np.maximum(t[:, 5], start)
    ratio = (new_close - anchor) / np.maximum(t[:, 14] - anchor, 1)
    middle = t[:, 6:14]
    moved = (middle >= anchor[:, None]) & (middle >= 0)
    stretched = anchor[:, None] + ((middle - anchor[:, None]) * ratio[:, None]).astype(np.int64)
    stretched = _office_hours(stretched, 8 * HOUR + 30 * MINUTE, 18 * HOUR)
    t[:, 6:14] = np.where(moved, stretched, middle)
    t[:, 14] = new_close
    t[:, 15] = _office_hours(new_close + rng.integers(60, 72 * 60 + 1, m) * MINUTE, 8 * HOUR, 21 * HOUR)
    previous = np.full(m, np.iinfo(np.int64).min)
    for i in range(len(SLOTS)):  # 16 slots, vectorised over cases: keep the steps in order
        present = t[:, i] >= 0
        t[:, i] = np.where(present, np.maximum(t[:, i], previous + rng.integers(1, 6, m) * MINUTE), -1)
        previous = np.where(present, t[:, i], previous)
    t[t > cutoff] = -1
    times[rows] = t
    frame = cases.with_columns(pl.Series(c, times[:, i], dtype=pl.Int64) for i, c in enumerate(cols))
    return frame.with_columns(pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in cols)


def events_truth(events: list[WarningEvent], repeats: list[dict], case_ids: pl.DataFrame, jumps: list[dict]) -> pl.DataFrame:
    """One row per event (see `demo.truth`); `case_ids`: community_code, local_index, case_id; `jumps`: grid_code,
    before, after (residents of the grid the month before and the month of the jump)."""
    wanted = pl.DataFrame(  # the repeats' cases only (a grid code opens with its community's 12 digits)
        [(r["grid_code"][:12], i) for r in repeats for i in (r["local_index"], r["previous_local_index"])],
        schema={"community_code": pl.String, "local_index": case_ids.schema["local_index"]}, orient="row")
    needed = case_ids.join(wanted, on=["community_code", "local_index"], how="semi")
    ids = {(c, i): case for c, i, case in needed.select("community_code", "local_index", "case_id").iter_rows()}
    made = {r["grid_code"]: r for r in repeats}
    realised = {j["grid_code"]: j for j in jumps}
    rows = []
    for e in events:
        row = {"kind": e.kind, "community_code": e.community_code, "grid_code": e.grid_code, "category": None,
               "place": None, "start_date": e.start, "end_date": e.end, "magnitude": e.magnitude, "case_id": None,
               "previous_case_id": None}
        if e.kind == "surge":
            row["category"] = CATEGORIES[e.category]
        elif e.kind == "repeat":
            if e.grid_code not in made:
                continue
            r = made[e.grid_code]
            row.update(category=r["category"], place=r["place"], start_date=r["start"], end_date=r["start"],
                       case_id=ids[(e.community_code, r["local_index"])],
                       previous_case_id=ids[(e.community_code, r["previous_local_index"])])
        elif e.kind == "register_jump":
            j = realised.get(e.grid_code)
            if j is None or not j["before"]:
                continue
            row["magnitude"] = round((j["after"] - j["before"]) / j["before"], 4)
        rows.append(row)
    order = {k: i for i, k in enumerate(KIND_COUNTS)}
    rows.sort(key=lambda r: (order[r["kind"]], r["start_date"], r["grid_code"]))
    seen: dict[str, int] = {}
    for row in rows:  # one row per event, not per case
        seen[row["kind"]] = seen.get(row["kind"], 0) + 1
        row["event_id"] = f"{row['kind']}-{seen[row['kind']]:02d}"
    return pl.DataFrame(rows, schema=EVENTS_SCHEMA, strict=False).select(list(EVENTS_SCHEMA))
