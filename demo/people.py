"""Persons of one community over the run's months: households, attributes, moves, deaths, absences.

`monthly_registers` yields the community's true register of each month (before any clerk
mess). Everything is vectorised over persons; the only loop is over months.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from demo import identity, vocab
from demo.common import FAMILY_SIZE_P, FAMILY_SIZES, month_first, month_last, stream
from demo.grids import Street

ARRIVAL_SIZE_P = np.array([0.40, 0.30, 0.15, 0.10, 0.05])
CHENGDU_OTHERS = (
    "510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510117",
    "510118", "510121", "510129", "510131", "510181", "510182", "510183", "510184", "510185",
)


def _households(street: Street, code: str, rng: np.random.Generator, months: int) -> pl.DataFrame:
    """Initial households plus ~1 % of persons arriving as new households each month."""
    grid_codes = street.grids_of(code)["grid_code"]
    frames = [
        street.households.filter(pl.col("grid_code").is_in(grid_codes.implode()))
        .select("grid_code", "later_grid_code", "size")
        .with_columns(pl.lit(0, dtype=pl.Int64).alias("arrive"))
    ]
    redraw = street.redraw if street.redraw and street.redraw.community_code == code else None
    for month in range(1, months + 1):
        active = street.grids_active(code, month)
        counts = rng.poisson(0.011 * active["persons"].to_numpy() / 2.1)  # ~1.1 % of persons
        grid = np.repeat(active["grid_code"].to_numpy(), counts)
        later = grid.copy()
        if redraw is not None and month < redraw.effective.month:
            # Households arriving before the redraw in A or B move to C with the share of A's or B's households that did.
            for old, share in zip(redraw.adjusted_grid_codes, redraw.moved_shares):
                mine = np.flatnonzero(grid == old)
                later[mine] = np.where(rng.random(len(mine)) < share, redraw.new_grid_code, old)
        frames.append(pl.DataFrame({
            "grid_code": grid, "later_grid_code": later,
            "size": rng.choice(np.arange(1, 6), size=len(grid), p=ARRIVAL_SIZE_P),
            "arrive": np.full(len(grid), month, dtype=np.int64),
        }, schema=frames[0].schema))
    return pl.concat(frames).with_columns(pl.col("size").cast(pl.Int64))


def _new_building(street: Street, code: str, seed: int, jumps: tuple) -> pl.DataFrame:
    """Households moving into a newly delivered building in a month (a register jump up, `demo.warning_events`):
    about `share` of the grid's persons, all arriving in that month."""
    frames = []
    for grid_code, month, share in jumps:
        if share <= 0:
            continue
        rng = stream(seed, "register-jump", code, grid_code)
        persons = int(street.grids.filter(pl.col("grid_code") == grid_code)["persons"].item(0))
        target = round(share * persons)
        sizes = rng.choice(FAMILY_SIZES, size=target, p=FAMILY_SIZE_P)
        sizes = sizes[: int(np.searchsorted(sizes.cumsum(), target)) + 1]
        frames.append(pl.DataFrame({"grid_code": grid_code, "later_grid_code": grid_code, "size": sizes,
                                    "arrive": np.full(len(sizes), month, dtype=np.int64)}))
    schema = {"grid_code": pl.String, "later_grid_code": pl.String, "size": pl.Int64, "arrive": pl.Int64}
    return pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)


def _persons(street: Street, code: str, seed: int, jumps: tuple = ()) -> pl.DataFrame:
    """Static attributes of every person the community has during the run (with a new building's households)."""
    rng = stream(seed, "persons", code)
    year, months = street.year, street.months
    hh = _households(street, code, rng, months)
    if jumps:
        hh = pl.concat([hh, _new_building(street, code, seed, jumps).cast(hh.schema)])
    h = hh.height
    size = hh["size"].to_numpy()
    arrive = hh["arrive"].to_numpy()
    reg = rng.choice(3, size=h, p=vocab.REGISTRATION_WEIGHTS)
    district, others = (street.ids.district, street.ids.others) if street.ids else ("510116", CHENGDU_OTHERS)
    region = np.where(
        reg == 1, rng.choice(np.array(vocab.MIGRANT_COUNTIES), h),
        np.where(rng.random(h) < 0.8, district, rng.choice(np.array(others), h)),
    )
    young = rng.random(h) < np.select([size == 1, size == 2], [0.5, 0.4], 0.0)
    head_age = np.select(
        [young, size <= 2, size >= 3],
        [rng.integers(22, 41, h), rng.integers(45, 90, h), rng.integers(30, 63, h)],
    )
    start = np.datetime64(f"{year - 17}-01-01")
    span = (np.datetime64(f"{year - 1}-12-31") - start).astype(int)
    arrive_day = np.array([month_first(year, max(int(m), 1)) for m in range(1, 13)], dtype="datetime64[D]")
    hh_registered = np.where(
        arrive > 0, arrive_day[np.maximum(arrive, 1) - 1] + rng.integers(0, 17, h),
        start + rng.integers(0, span, h),
    ).astype("datetime64[D]")
    building = rng.integers(1, 13, h)
    unit, floor, door = rng.integers(1, 5, h), rng.integers(1, 27, h), rng.integers(1, 5, h)
    poor = rng.random(h) < 0.025
    family = identity.surnames(rng, h)

    idx = np.repeat(np.arange(h), size)
    n = len(idx)
    member = np.arange(n) - np.repeat(np.cumsum(size) - size, size)
    u = rng.random(n)
    relation = np.where(
        member == 0, 0,
        np.where(member == 1, np.where(u < 0.85, 1, rng.choice([2, 3, 5], n, p=[0.6, 0.25, 0.15])),
                 rng.choice([2, 3, 4, 5, 6], n, p=[0.6, 0.14, 0.14, 0.04, 0.08])),
    )
    base = head_age[idx]
    age = np.select(
        [relation == 0, relation == 1, relation == 2, relation == 3, relation == 4, relation == 5],
        [base, base + np.round(rng.normal(0, 3, n)), base - rng.integers(22, 39, n), base + rng.integers(22, 33, n),
         base - rng.integers(46, 65, n), base + rng.integers(-8, 9, n)],
        rng.integers(18, 76, n),
    )
    age = np.where(age < 0, rng.integers(0, 6, n), np.minimum(age, 100)).astype(np.int64)
    birth = (np.datetime64(f"{year}-01-01") - (age * 365.25).astype(np.int64) - rng.integers(1, 365, n)).astype(
        "datetime64[D]")
    head_male = rng.random(h) < 0.6
    male = np.where(relation == 0, head_male[idx], np.where(relation == 1, ~head_male[idx], rng.random(n) < 0.5))
    foreign = reg[idx] == 2
    keeps_family = np.isin(relation, [0, 2, 4, 5]) | ((relation == 3) & male)
    names = identity.person_names(rng, male, np.where(keeps_family, family[idx], ""))
    names = np.where(foreign, identity.foreign_names(rng, n), names)
    ethnic = np.where(foreign, "", rng.choice(np.array(vocab.ETHNIC_GROUPS), n, p=vocab.ETHNIC_WEIGHTS))

    # ID sequence numbers: distinct within (region, birth, sex) and apart between communities.
    me = street.communities.filter(pl.col("community_code") == code).row(0, named=True)
    position = int(me["position"])
    if street.ids is None:
        keys = pl.DataFrame({"r": region[idx], "b": birth, "m": male})
        rank = keys.select(pl.int_range(pl.len()).over("r", "b", "m")).to_series().to_numpy()
        slot = (rank + birth.astype(np.int64)) % 20  # distinct inside a group of up to 20
        seq = 2 * (1 + position + 24 * slot) + male.astype(int)  # 002-961, odd for men
    else:  # city mode: apart from every community of the city (birth dates move back a few days)
        birth, seq = identity.city_birth_and_sequence(
            region[idx], birth, male, district=street.ids.district, district_index=int(me["district_index"]),
            district_count=street.ids.district_count, global_index=int(me["global_index"]),
            global_count=street.ids.global_count)
    ids = identity.id_numbers(region[idx], birth, seq)
    legacy = identity.legacy_id_numbers(region[idx], birth, seq)
    if street.ids is None:
        passports = identity.passport_numbers(rng, n, 10 + position)
    else:
        passports = np.full(n, "", dtype="<U9")
        passports[foreign] = identity.passport_numbers(rng, int(foreign.sum()), int(me["global_index"]), 4)
    ids = np.where(foreign, passports, ids)
    is_legacy = ~foreign & (birth < np.datetime64("1960-01-01")) & (rng.random(n) < 0.005)

    # Registered 10-59 days after birth, but never after the end of the first month the person is on the books
    # (a date after a register's month is a `future_date` bad row): a late newborn's delay is compressed.
    delay = rng.integers(10, 60, n)
    month_end = np.array([month_last(year, m) for m in range(1, 13)], dtype="datetime64[D]")
    cap = month_end[np.maximum(arrive, 1) - 1][idx]
    by_birth = birth + delay
    by_birth = np.where(by_birth > cap, birth + (cap - birth).astype(np.int64) * delay // 60, by_birth)
    registered = np.maximum(hh_registered[idx], by_birth).astype("datetime64[D]")
    phone = identity.mobile_numbers(rng, n)
    has_phone = rng.random(n) < np.where(age < 14, 0.1, 0.88)
    t = rng.random((9, n))
    tags = [
        (age >= 60) & (size[idx] == 1) & (t[0] < 0.7),
        (age >= 60) & (size[idx] == 2) & (relation <= 1) & (t[1] < 0.6),
        t[2] < 0.02,
        poor[idx],
        (age < 16) & (t[4] < 0.03),
        (age >= 18) & (age <= 65) & (t[5] < 0.0008),
        (age >= 18) & (age <= 70) & (t[6] < 0.0008),
        (age >= 16) & (t[7] < 0.003),
        (age >= 18) & (age <= 60) & (t[8] < 0.0005),
    ]
    return pl.DataFrame({
        "person": np.arange(n), "household": idx, "member": member, "arrive": arrive[idx],
        "grid_code": hh["grid_code"].to_numpy()[idx], "later_grid_code": hh["later_grid_code"].to_numpy()[idx],
        "name": names, "id18": ids, "id15": np.where(is_legacy, legacy, ""), "is_passport": foreign,
        "sex": np.where(male, "男", "女"), "birth": birth, "age": age, "ethnic": ethnic,
        "registration": np.array(vocab.REGISTRATION_TYPES)[reg[idx]],
        "building": building[idx].astype(str), "unit": unit[idx].astype(str),
        "room": (floor * 100 + door)[idx].astype(str), "relation": np.array(vocab.RELATIONS)[relation],
        "phone": np.where(has_phone, phone, ""), "registered": registered,
        **{f"tag{i}": flag for i, flag in enumerate(tags)},
    })


def _demolished(persons: pl.DataFrame, household: np.ndarray, present: np.ndarray, grid_code: str, share: float,
                rng: np.random.Generator) -> np.ndarray:
    """Households (a flag per household) holding about `share` of the grid's present persons."""
    mine = present & (persons["grid_code"].to_numpy() == grid_code)
    sizes = np.bincount(household[mine], minlength=household.max() + 1)
    candidates = rng.permutation(np.flatnonzero(sizes))
    k = int(np.searchsorted(sizes[candidates].cumsum(), round(share * mine.sum()))) + 1
    flags = np.zeros(len(sizes), dtype=bool)
    flags[candidates[:k]] = True
    return flags


def monthly_registers(
    street: Street, code: str, seed: int, tag_separator: str, jumps: tuple = (),
) -> Iterator[tuple[int, pl.DataFrame]]:
    """(month, register) for each month of the run: everyone on the community's books that month.

    `jumps`: (grid_code, month, share) register jumps of `demo.warning_events`; a positive share brings a new
    building's households in that month, a negative one makes that share of the grid's residents leave (迁出).
    """
    persons = _persons(street, code, seed, jumps)
    rng = stream(seed, "moves", code)
    n = persons.height
    year = street.year
    household = persons["household"].to_numpy()
    arrive, age = persons["arrive"].to_numpy(), persons["age"].to_numpy()
    registered = persons["registered"].to_numpy().astype("datetime64[D]")
    ref = np.datetime64(f"{year}-01-01")
    last_change = registered + (rng.random(n) * (ref - registered).astype(np.int64).clip(0)).astype(np.int64)
    gone = np.zeros(n, dtype=bool)
    away = np.zeros(n, dtype=bool)
    death_p = np.select([age >= 80, age >= 60], [0.006, 0.0015], 0.00005)
    tag_names = [pl.when(pl.col(f"tag{i}")).then(pl.lit(t)) for i, t in enumerate(vocab.TAGS)]
    redraw_month = street.redraw.effective.month if street.redraw else 13
    for month in range(1, street.months + 1):
        present = (arrive <= month) & ~gone
        leaving_hh = rng.random(household.max() + 1 if n else 0) < 0.01
        for grid_code, jump_month, share in jumps:
            if jump_month == month and share < 0:  # a block demolished: its households leave together
                leaving_hh |= _demolished(persons, household, present & (arrive < month), grid_code, -share,
                                          stream(seed, "register-demolition", code, grid_code))
        leave = present & leaving_hh[household] & (arrive < month)
        die = present & ~leave & (rng.random(n) < death_p)
        stay = present & ~leave & ~die
        flip = stay & np.where(away, rng.random(n) < 0.16, rng.random(n) < (0.03 if month == 1 else 0.005))
        away = np.where(flip, ~away, away)
        change_day = np.datetime64(month_first(year, month)) + rng.integers(0, 15, n)
        last_change = np.where(flip | leave | die, change_day, last_change)
        status = np.select([leave, die, away], ["迁出", "死亡", "外出"], "在住")
        legacy_shown = rng.random(n) < 0.5
        register = persons.with_columns(
            pl.Series("status", status),
            pl.Series("updated", np.maximum(last_change, registered).astype("datetime64[D]")),
            pl.Series("legacy_shown", legacy_shown),
        ).filter(pl.Series(present))
        yield month, register.select(
            "person",
            pl.col("name"),
            pl.when((pl.col("id15") != "") & pl.col("legacy_shown")).then("id15").otherwise("id18").alias("id_number"),
            "sex", "birth", "ethnic", "registration",
            (pl.col("later_grid_code") if month >= redraw_month else pl.col("grid_code")).alias("grid"),
            "building", "unit", "room", "relation", "status",
            pl.concat_str(tag_names, separator=tag_separator, ignore_nulls=True).alias("tags"),
            pl.col("phone"), "registered", "updated", "is_passport",
            pl.col("household"), pl.col("member"),
        ).with_columns(
            pl.when(pl.col("tags") == "").then(None).otherwise("tags").alias("tags"),
            pl.when(pl.col("phone") == "").then(None).otherwise("phone").alias("phone"),
        ).sort("grid", pl.col("building").cast(pl.Int64), pl.col("unit").cast(pl.Int64), "household", "member")
        gone |= leave | die
