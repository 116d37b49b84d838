"""Grid workers' duty (who patrols when) and the monthly patrol/visit logs of each community."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from demo import identity, vocab
from demo.common import MINUTE, WorkCalendar, day_numbers, month_key, month_last, next_month, set_mtime, stream
from demo.grids import Street
from demo.profiles import Profile
from demo.writers import write_csv

PATROL_BAD_SHARE = 0.002
PATROL_REASONS = ("time_order", "not_a_number", "unknown_grid", "missing_required", "duplicate_row")
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Duty:
    """Grid x day matrices of one community over the run (grids include all versions)."""

    grids: pl.DataFrame  # grid_code, ordinal, worker_id, grid_type, valid
    days: np.ndarray  # datetime64[D]
    valid: np.ndarray  # grid exists that day
    workday: np.ndarray  # per day
    patrol: np.ndarray  # the worker patrols that day
    start: np.ndarray  # local epoch seconds of the patrol's start
    end: np.ndarray
    visits: np.ndarray  # home visits after the patrol (0-3)


def plan_duty(street: Street, profile: Profile, code: str, calendar: WorkCalendar, seed: int) -> Duty:
    rng = stream(seed, "duty", code)
    grids = street.grids_of(code)
    days = day_numbers(date(street.year, 1, 1), month_last(street.year, street.months))
    g, d = grids.height, len(days)
    start_day = grids["valid_from"].to_numpy().astype("datetime64[D]")
    end_day = grids["valid_to"].fill_null(date(street.year + 1, 1, 1)).to_numpy().astype("datetime64[D]")
    valid = (days[None, :] >= start_day[:, None]) & (days[None, :] < end_day[:, None])
    workday = calendar.flags(days)
    u = rng.random((g, d))
    patrol = valid & np.where(workday[None, :], u < profile.patrol_share, u < 0.05)
    # A few workers stop for 8-15 days (leave, sickness): no records at all.
    has_gap = rng.random(g) < 0.04
    gap_start = rng.integers(0, max(d - 15, 1), g)
    gap_len = rng.integers(8, 16, g)
    idx = np.arange(d)[None, :]
    patrol &= ~(has_gap[:, None] & (idx >= gap_start[:, None]) & (idx < (gap_start + gap_len)[:, None]))
    base = days.astype("datetime64[s]").astype(np.int64)[None, :]
    start = base + (8 * 60 + rng.integers(0, 91, (g, d))) * MINUTE
    end = start + rng.integers(90, 241, (g, d)) * MINUTE
    visits = np.where(patrol, rng.choice(4, (g, d), p=[0.3, 0.35, 0.25, 0.1]), 0)
    return Duty(grids, days, valid, workday, patrol, start, end, visits)


def patrol_records(duty: Duty, code: str, reported: pl.DataFrame, seed: int, prefix: str = "") -> pl.DataFrame:
    """Every patrol and visit record of the community (true values, before any bad row).

    `reported`: grid_code, day, case_ids (`;`-joined ids of the grid-day's cases reported on patrol).
    `prefix` (city mode: the street's id prefix) goes after `XC` in record ids.
    """
    rng = stream(seed, "patrol-records", code)
    gi, di = np.nonzero(duty.patrol)
    grids = duty.grids
    n = len(gi)
    patrols = pl.DataFrame({
        "g": gi, "day": duty.days[di], "seq": np.ones(n, dtype=np.int64), "patrol_type": "巡查",
        "start": duty.start[gi, di], "end": duty.end[gi, di], "households": np.zeros(n, dtype=np.int64),
        "key_persons": np.zeros(n, dtype=np.int64),
    })
    counts = duty.visits[gi, di]
    vg, vd = np.repeat(gi, counts), np.repeat(di, counts)
    m = len(vg)
    k = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts)
    key = rng.random(m) < 0.25
    afternoon = 14 * 60 + rng.integers(0, 31, m) + k * rng.integers(45, 71, m)
    vstart = duty.days[vd].astype("datetime64[s]").astype(np.int64) + afternoon * MINUTE
    visits = pl.DataFrame({
        "g": vg, "day": duty.days[vd], "seq": k + 2, "patrol_type": np.where(key, "重点人员走访", "入户走访"),
        "start": vstart, "end": vstart + rng.integers(15, 41, m) * MINUTE, "households": rng.integers(1, 7, m),
        "key_persons": np.where(key, rng.integers(1, 4, m), 0),
    })
    records = pl.concat([patrols, visits])
    g = records["g"].to_numpy()
    records = records.with_columns(
        pl.Series("grid_code", grids["grid_code"].to_numpy()[g], dtype=pl.String),
        pl.Series("ordinal", grids["ordinal"].to_numpy()[g], dtype=pl.Int64),
        pl.Series("worker_id", grids["worker_id"].to_numpy()[g], dtype=pl.String),
    )
    total = records.height
    logs = np.empty(total, dtype=object)
    types = records["patrol_type"].to_numpy()
    for kind, sentences in vocab.PATROL_LOGS.items():  # three kinds
        mask = types == kind
        logs[mask] = rng.choice(np.array(sentences), int(mask.sum()))
    phone = rng.random(total) < 0.02
    logs = np.where(phone, np.char.add(logs.astype(str), np.char.add("，居民联系电话", identity.mobile_numbers(rng, total))), logs)
    records = records.with_columns(pl.Series("log", logs.astype(str)))
    return (
        records.join(reported, on=["grid_code", "day"], how="left")
        .with_columns(
            pl.when(pl.col("seq") == 1).then(pl.col("case_ids")).otherwise(None).alias("case_ids"),
            pl.format("XC{}{}{}{}", pl.lit(prefix), pl.col("day").dt.strftime("%Y%m%d"), pl.col("ordinal").cast(pl.String).str.zfill(3),
                      pl.col("seq").cast(pl.String).str.zfill(2)).alias("record_id"),
            pl.lit(code).alias("community_code"),
        )
        .sort("start", "grid_code", "seq")
    )


def render_patrol_month(records: pl.DataFrame, code: str,
                        rng: np.random.Generator) -> tuple[pl.DataFrame, list[tuple[int, str]], pl.DataFrame]:
    """One month's records as CSV cells, the bad rows (line number, reason) and the valid records."""
    n = records.height
    k = int(rng.binomial(n, PATROL_BAD_SHARE)) if n else 0
    reasons = np.full(n, None, dtype=object)
    picks = rng.choice(n, size=k, replace=False)
    kinds = rng.choice(np.array(PATROL_REASONS), k)
    visit = (records["households"] > 0).to_numpy()
    # A household count in words needs a visit row: move such picks from patrol rows to free visit rows.
    misplaced = np.flatnonzero((kinds == "not_a_number") & ~visit[picks])
    free = np.setdiff1d(np.flatnonzero(visit), picks)
    moved = rng.choice(free, size=min(len(misplaced), len(free)), replace=False)
    picks[misplaced[: len(moved)]] = moved
    kinds[misplaced[len(moved):]] = "time_order"
    reasons[picks] = kinds
    r = pl.Series("bad", reasons.tolist(), dtype=pl.String)
    numerals = {i: f"{c}户" for i, c in enumerate(vocab.CHINESE_NUMERALS)}
    cells = records.with_columns(r).select(
        pl.when(pl.col("bad") == "missing_required").then(None).otherwise("record_id").alias("记录编号"),
        pl.col("worker_id").alias("网格员工号"),
        pl.when(pl.col("bad") == "unknown_grid").then(pl.lit(f"{code}099")).otherwise("grid_code").alias("网格编码"),
        pl.when(pl.col("bad") == "time_order").then("end").otherwise("start").alias("_s"),
        pl.when(pl.col("bad") == "time_order").then("start").otherwise("end").alias("_e"),
        pl.col("patrol_type").alias("巡查类型"),
        pl.when(pl.col("bad") == "not_a_number").then(pl.col("households").replace_strict(numerals, return_dtype=pl.String))
        .otherwise(pl.col("households").cast(pl.String)).alias("走访户数"),
        pl.col("key_persons").cast(pl.String).alias("重点人员走访数"),
        pl.col("case_ids").alias("上报事件编号"),
        pl.col("log").alias("民情日志"),
        "bad",
    ).with_columns(
        (pl.col("_s") * 1_000_000).cast(pl.Datetime("us")).dt.strftime(TIME_FORMAT).alias("开始时间"),
        (pl.col("_e") * 1_000_000).cast(pl.Datetime("us")).dt.strftime(TIME_FORMAT).alias("结束时间"),
    )
    dup = reasons == "duplicate_row"
    order = np.concatenate([np.arange(n), np.flatnonzero(dup) + 0.5])
    cells = pl.concat([cells.with_columns(pl.when(pl.col("bad") == "duplicate_row").then(None).otherwise("bad").alias("bad")),
                       cells.filter(pl.Series(dup))])
    cells = cells.with_columns(pl.Series("_o", order)).sort("_o")
    bad = [(i + 2, b) for i, b in enumerate(cells["bad"].to_list()) if b is not None]
    kept = pl.Series(reasons.tolist(), dtype=pl.String)
    valid = records.filter(kept.is_null() | (kept == "duplicate_row"))
    return cells.select(vocab.PATROL_HEADER), bad, valid


def patrol_truth(valid: pl.DataFrame) -> pl.DataFrame:
    return valid.select(
        "record_id", "grid_code", "community_code", "worker_id", "patrol_type",
        (pl.col("start") * 1_000_000).cast(pl.Datetime("us")).alias("started_at"),
        pl.col("households").alias("households_visited"), pl.col("key_persons").alias("key_persons_visited"),
    )


def write_patrol_files(records: pl.DataFrame, profile: Profile, display_name: str, raw_dir: Path, year: int,
                       months: int, seed: int) -> tuple[list[dict], list[dict], pl.DataFrame]:
    """One CSV per month for the community; returns (file records, bad rows, valid records truth)."""
    code = profile.community_code
    records = records.with_columns(pl.col("day").dt.month().alias("month"))
    files, bad_rows, valid_parts = [], [], []
    for month in range(1, months + 1):  # one file per month
        rows = records.filter(pl.col("month") == month)
        cells, bad, valid = render_patrol_month(rows, code, stream(seed, "patrol-bad", code, month))
        folder = raw_dir / "patrols" / month_key(year, month)
        path = folder / f"{display_name}_巡查走访_{year}{month:02d}.csv"
        write_csv(path, cells, profile.patrol_encoding)
        ny, nm = next_month(year, month)
        set_mtime(path, datetime(ny, nm, 1, 8, 0))
        rel = path.relative_to(raw_dir).as_posix()
        files.append({"path": rel, "source": "patrols", "community_code": code, "month": month_key(year, month),
                      "data_rows": cells.height, "bad_rows": len(bad), "expected_status": "landed",
                      "note": f"CSV in {profile.patrol_encoding}"})
        bad_rows += [{"path": rel, "row_number": r, "reason_code": c} for r, c in bad]
        valid_parts.append(patrol_truth(valid))
    return files, bad_rows, pl.concat(valid_parts) if valid_parts else pl.DataFrame()
