"""Cases of one community: attributes and the time of every workflow step (vectorised).

Each case has 16 step slots (`SLOTS`); a slot holds a time (local epoch seconds) or null when
the step does not happen or falls after the end of the exported period.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo import identity, vocab
from demo.common import DAY, HOUR, MINUTE, WorkCalendar, stream
from demo.patrols import Duty
from demo.profiles import Profile

SLOTS = ("上报", "受理", "升级", "作废", "立案", "派遣", "延期", "处置", "反馈", "核查", "回退", "处置", "反馈", "核查", "结案", "评价")
LEVEL_P = (0.585, 0.235, 0.11, 0.055, 0.015)  # ~55/25/12/6/2 % after escalations
SLA_BY_LEVEL = np.array([0, 1, 1, 2, 3, 3])  # working days, index = level
EXTENDED_SLA = 5
WORK_TYPE_P = np.array([  # per category (TAXONOMY order), in WORK_TYPES order: general, coordination, emergency, approval
    [0.50, 0.45, 0.05, 0.00], [0.45, 0.30, 0.25, 0.00], [0.60, 0.35, 0.03, 0.02],
    [0.70, 0.25, 0.05, 0.00], [0.45, 0.15, 0.00, 0.40], [0.55, 0.30, 0.15, 0.00],
])


def _u(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    return rng.integers(int(low), int(high) + 1, n)


def generate_cases(duty: Duty, profile: Profile, code: str, calendar: WorkCalendar, seed: int, cutoff: int) -> pl.DataFrame:
    rng = stream(seed, "cases", code)
    grids = duty.grids
    exclusive = (grids["grid_type"] != "常规").to_numpy()
    rate = profile.case_rate * np.where(duty.workday, 1.0, 0.45)[None, :] * np.where(exclusive, 0.5, 1.0)[:, None]
    counts = np.where(duty.valid, rng.poisson(rate), 0)
    gi, di = np.nonzero(counts)
    rep = counts[gi, di]
    return make_cases(rng, duty, profile, code, calendar, cutoff, np.repeat(gi, rep), np.repeat(di, rep))


def make_cases(
    rng: np.random.Generator, duty: Duty, profile: Profile, code: str, calendar: WorkCalendar, cutoff: int,
    gi: np.ndarray, di: np.ndarray, *, categories: np.ndarray | None = None, places: np.ndarray | None = None,
    live: bool = False, first_index: int = 0,
) -> pl.DataFrame:
    """Cases of grid `gi` (row of `duty.grids`) reported on day `di` (index of `duty.days`), in the frame of
    `generate_cases`. `categories` (TAXONOMY indices) and `places` replace the random ones, `live` rules out a voided
    case, `first_index` starts `local_index` (cases added to a community's frame keep it unique)."""
    grids = duty.grids
    n = len(gi)
    day0 = duty.days[di].astype("datetime64[s]").astype(np.int64)
    on_patrol = duty.patrol[gi, di]
    channel = np.where(on_patrol & (rng.random(n) < 0.87), 0, rng.choice(6, n, p=vocab.OTHER_CHANNEL_WEIGHTS))
    p_start, p_end = duty.start[gi, di], duty.end[gi, di]
    report = np.select(
        [channel == 0, channel == 5],
        [p_start + (rng.random(n) * (p_end - p_start - 15 * MINUTE)).astype(np.int64) + 10 * MINUTE,
         day0 + rng.integers(0, DAY, n)],
        day0 + (7 * 60 + 30) * MINUTE + rng.integers(0, 14 * HOUR, n),
    )
    category = rng.choice(len(vocab.TAXONOMY), n, p=vocab.CATEGORY_WEIGHTS)
    if categories is not None:
        category = np.asarray(categories, dtype=np.int64)
    n_sub = np.array([len(v) for v in vocab.TAXONOMY.values()])
    sub = (rng.random(n) * n_sub[category]).astype(int)
    cumulative = WORK_TYPE_P.cumsum(axis=1)[category]
    work_type = (rng.random(n)[:, None] > cumulative).sum(axis=1).clip(0, 3)
    level = rng.choice(np.arange(1, 6), n, p=LEVEL_P)
    void = (rng.random(n) < 0.01) & (not live)
    escalate = ~void & (level < 5) & (rng.random(n) < 0.06)
    final = level + escalate
    extend = ~void & (rng.random(n) < 0.03)
    rework = ~void & (rng.random(n) < 0.05)
    sla = np.where(extend, EXTENDED_SLA, SLA_BY_LEVEL[final])
    times = _timeline(rng, calendar, report, final, sla, SLA_BY_LEVEL[final], extend, rework, escalate, void,
                      profile.on_time_share, cutoff)

    sub_names = np.array([s for subs in vocab.TAXONOMY.values() for s in subs])
    offsets = np.concatenate([[0], n_sub.cumsum()[:-1]])
    subcategory = sub_names[offsets[category] + sub]
    template_index = rng.integers(0, 2, n)
    templates = np.array([vocab.DESCRIPTION_TEMPLATES[s][i] for s in sub_names for i in range(2)])
    place = np.char.add(np.char.add(rng.choice(np.array(vocab.ROADS), n), rng.integers(1, 300, n).astype(str)), "号")
    if places is not None:
        place = np.asarray(places, dtype=str)
    # every template starts with its place holder: put the place in front
    description = np.char.add(place, np.char.replace(templates[(offsets[category] + sub) * 2 + template_index], "{地点}", ""))
    u = rng.random(n)
    phone_note = np.char.add("，联系电话", identity.mobile_numbers(rng, n))
    ids = identity.id_numbers(np.full(n, "510116"), np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, n), rng.integers(0, 1000, n))
    description = np.where(u < 0.03, np.char.add(description, phone_note),
                           np.where(u > 0.995, np.char.add(np.char.add(description, "，当事人身份证号"), ids), description))
    r2 = rng.random(n)
    satisfaction = np.where(r2 < profile.satisfied_share, 0, np.where(rng.random(n) < 0.7, 1, 2))
    reporter = np.char.add(identity.surnames(rng, n), np.where(rng.random(n) < 0.5, "先生", "女士"))
    frame = pl.DataFrame({
        "community_code": np.full(n, code), "grid_code": grids["grid_code"].to_numpy()[gi].astype(str),
        "worker_name": grids["worker_name"].to_numpy()[gi].astype(str),
        "chief_name": grids["chief_name"].to_numpy()[gi].astype(str), "local_index": first_index + np.arange(n),
        "channel": np.array(vocab.CHANNELS)[channel], "category": np.array(list(vocab.TAXONOMY))[category],
        "subcategory": subcategory, "work_type": np.array(vocab.WORK_TYPES)[work_type],
        "level": level, "final_level": final, "sla_working_days": sla, "description": description,
        "satisfaction": np.array(vocab.SATISFACTION)[satisfaction], "reporter": reporter,
    })
    frame = frame.with_columns(pl.Series(f"t{i}", times[:, i], dtype=pl.Int64) for i in range(len(SLOTS)))
    return frame.with_columns(pl.when(pl.col(f"t{i}") >= 0).then(pl.col(f"t{i}")).alias(f"t{i}") for i in range(len(SLOTS)))


def _timeline(rng, calendar: WorkCalendar, report, final, sla, base_sla, extend, rework, escalate, void, on_time_share, cutoff):
    """Times of the 16 step slots (int64 seconds; -1 where the step does not happen)."""
    n = len(report)

    def mins(low: int, high: int) -> np.ndarray:
        return _u(rng, n, low, high) * MINUTE

    clock = report % DAY
    accept = report + np.clip(rng.exponential(45 * MINUTE, n), 2 * MINUTE, 5 * HOUR).astype(np.int64)
    night = (clock < 7 * HOUR) | (accept % DAY > 20 * HOUR + 30 * MINUTE) | (accept // DAY > report // DAY)
    morning = (report // DAY + (clock >= 7 * HOUR)) * DAY + 8 * HOUR + mins(0, 90)
    accept = np.where(night, morning, accept)
    esc = accept + mins(10, 120)
    cancel = accept + mins(5, 60)
    register = np.where(escalate, esc, accept) + mins(5, 60)
    dispatch = register + mins(5, 90)

    # Working day of closing: on time (within the SLA) with the community's share, else late.
    accept_day = (accept // DAY).astype("datetime64[D]")
    a = calendar.index_on_or_after(accept_day)
    on_time = rng.random(n) < np.where(extend, on_time_share * 0.8, on_time_share)
    low = np.where(extend, base_sla, 0)
    k = np.where(on_time, low + (rng.random(n) * (sla - low + 1)).astype(int), sla + rng.geometric(0.45, n))
    accept_clock = accept % DAY
    boundary = on_time & (k == sla)
    k = np.where(boundary & (accept_clock < 9 * HOUR), np.maximum(k - 1, 0), k)
    boundary = on_time & (k == sla)
    close_day = calendar.day_at(a + k).astype("datetime64[s]").astype(np.int64)
    latest = np.where(boundary, np.minimum(accept_clock, 18 * HOUR), 18 * HOUR)
    close = close_day + 8 * HOUR + 30 * MINUTE + (rng.random(n) * (latest - 8 * HOUR - 30 * MINUTE).clip(0)).astype(np.int64)
    same_day = dispatch + mins(60, 240)
    too_late = (same_day % DAY > 20 * HOUR) | (same_day // DAY > dispatch // DAY)
    next_morning = calendar.day_at(a + 1).astype("datetime64[s]").astype(np.int64) + 8 * HOUR + 30 * MINUTE + mins(0, 150)
    close = np.where(k == 0, np.where(too_late, next_morning, same_day), close)

    # Steps between dispatch and closing at sorted fractions of the span, in office hours.
    span = close - dispatch
    fractions = np.sort(rng.uniform(0.15, 0.97, (n, 8)), axis=1)
    long_span = span > 6 * HOUR

    def between(column: int) -> np.ndarray:
        t = dispatch + (fractions[:, column] * span).astype(np.int64)
        t = np.where(long_span, _office_hours(t, 8 * HOUR + 30 * MINUTE, 18 * HOUR), t)
        return np.minimum(t, close - (8 - column) * 6 * MINUTE)  # leave room before closing

    delay = between(0)
    handle, feedback, verify = (np.where(rework, between(c1), between(c2)) for c1, c2 in ((1, 3), (2, 5), (3, 7)))
    send_back, handle2, feedback2, verify2 = between(4), between(5), between(6), between(7)
    evaluate = _office_hours(close + mins(60, 72 * 60), 8 * HOUR, 21 * HOUR)

    live = ~void
    slots = [
        (report, np.ones(n, bool)), (accept, np.ones(n, bool)), (esc, escalate), (cancel, void),
        (register, live), (dispatch, live), (delay, extend), (handle, live), (feedback, live), (verify, live),
        (send_back, rework), (handle2, rework), (feedback2, rework), (verify2, rework), (close, live), (evaluate, live),
    ]
    times = np.full((n, len(slots)), -1, dtype=np.int64)
    previous = np.full(n, np.iinfo(np.int64).min)
    for i, (t, mask) in enumerate(slots):  # 16 slots, vectorised over cases
        t = np.maximum(t, previous + mins(1, 5))  # keep the steps in order
        times[:, i] = np.where(mask, t, -1)
        previous = np.where(mask, t, previous)
    times[times > cutoff] = -1  # steps are in time order, so a case is cut off from one step on
    return times


def _office_hours(t: np.ndarray, opens: int, closes: int) -> np.ndarray:
    """Squeeze each day's 24 hours into [opens, closes]: order-preserving, stays on the same day."""
    day, clock = t // DAY * DAY, t % DAY
    return day + opens + clock * (closes - opens) // DAY
