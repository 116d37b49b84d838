"""Street-wide case ids, one line per workflow step, and the daily JSON Lines exports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from demo import vocab
from demo.cases import SLA_BY_LEVEL, SLOTS
from demo.common import epoch_to_polars, set_mtime, stream

BAD_LINE_SHARE = 0.001
CASE_REASONS = ("invalid_json", "unknown_grid", "invalid_date", "missing_required")
ENGLISH_KEYS = ("case_id", "time", "action", "actor", "role", "level", "category", "subcategory", "work_type",
                "channel", "grid_code", "description", "satisfaction")
CHINESE_KEYS = ("事件编号", "时间", "环节", "操作人", "角色", "处置层级", "大类", "小类", "事项类型", "来源渠道",
                "网格编码", "事件描述", "满意度")
UPGRADE_MONTH = 7  # the event system exports Chinese keys from July on
CHANNEL_ROLES = {"网格员巡查": "网格员", "群众小程序": "群众", "电话": "群众", "来访": "群众", "部门移交": "区级部门",
                 "12345热线": "市级部门"}
HANDLER_ROLES = {1: "网格员", 2: "社区", 3: "街道", 4: "区级部门", 5: "市级部门"}


def assign_case_ids(cases: pl.DataFrame, prefix: str = "HY") -> pl.DataFrame:
    """`HY` (city mode: a street's own prefix) + report date + a 4-digit sequence per day across the street, in report order."""
    reported = epoch_to_polars(cases["t0"], "reported")
    return (
        cases.with_columns(reported)
        .sort("t0", "grid_code", "local_index")
        .with_columns(pl.col("reported").dt.date().alias("report_day"))
        .with_columns(
            pl.format("{}{}{}", pl.lit(prefix), pl.col("report_day").dt.strftime("%Y%m%d"),
                      (pl.int_range(1, pl.len() + 1).over("report_day")).cast(pl.String).str.zfill(4)).alias("case_id")
        )
        .drop("reported")
    )


def case_steps(cases: pl.DataFrame, centre: str = vocab.STREET_CENTRE) -> pl.DataFrame:
    """One row per step that happened (within the exported period), with the case's attributes.

    `centre` is the street's governance centre, the actor of street-level steps.
    """
    slot_cols = [f"t{i}" for i in range(len(SLOTS))]
    long = cases.unpivot(index="case_id", on=slot_cols, variable_name="slot", value_name="t").drop_nulls("t")
    long = long.with_columns(pl.col("slot").str.slice(1).cast(pl.Int64)).join(cases.drop(slot_cols), on="case_id")
    slot, final = pl.col("slot"), pl.col("final_level")
    upper = pl.when(final <= 2).then(pl.lit("社区")).otherwise(pl.lit("街道"))
    role = (
        pl.when(slot == 0).then(pl.col("channel").replace_strict(CHANNEL_ROLES))
        .when(slot.is_in([1, 3])).then(pl.lit("社区"))
        .when(slot == 2).then(pl.when(pl.col("level") <= 2).then(pl.lit("社区")).otherwise(pl.lit("街道")))
        .when(slot.is_in([4, 5, 14])).then(upper)
        .when(slot.is_in([6, 7, 8, 11, 12])).then(final.replace_strict(HANDLER_ROLES, return_dtype=pl.String))
        .when(slot.is_in([9, 10, 13])).then(pl.when(final <= 2).then(pl.lit("网格员")).otherwise(pl.lit("街道")))
        .otherwise(pl.lit("群众"))
    )
    long = long.with_columns(role.alias("role"))
    actor = (
        pl.when(pl.col("role") == "网格员").then("worker_name")
        .when(pl.col("role") == "社区").then("chief_name")
        .when(pl.col("role") == "街道").then(pl.lit(centre))
        .when(pl.col("role") == "区级部门").then(pl.col("category").replace_strict(vocab.DISTRICT_DEPARTMENTS))
        .when(pl.col("role") == "市级部门").then(
            pl.when(slot == 0).then(pl.lit(vocab.HOTLINE_ACTOR)).otherwise(pl.col("category").replace_strict(vocab.CITY_DEPARTMENTS)))
        .otherwise("reporter")
    )
    return long.with_columns(
        actor.alias("actor"),
        slot.replace_strict(dict(enumerate(SLOTS)), return_dtype=pl.String).alias("action"),
        pl.when(slot <= 1).then("level").otherwise("final_level").alias("step_level"),
        pl.when(slot == 15).then("satisfaction").alias("step_satisfaction"),
        epoch_to_polars(long["t"], "at"),
    ).sort("t", "case_id", "slot")


def _encode(steps: pl.DataFrame, keys: tuple[str, ...], time_format: str, drop_case_id: bool = False) -> pl.Series:
    values = [
        pl.col("case_id"), pl.col("time_text") if "time_text" in steps.columns else pl.col("at").dt.strftime(time_format),
        pl.col("action"), pl.col("actor"), pl.col("role"), pl.col("step_level"), pl.col("category"),
        pl.col("subcategory"), pl.col("work_type"), pl.col("channel"), pl.col("grid_code"), pl.col("description"),
        pl.col("step_satisfaction"),
    ]
    fields = [v.alias(k) for k, v in zip(keys, values)][1 if drop_case_id else 0:]
    return steps.select(pl.struct(fields).struct.json_encode().alias("line")).to_series()


def write_case_files(steps: pl.DataFrame, raw_dir: Path, year: int, months: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Daily JSONL files with a few extra bad lines; returns (file records, bad-row records)."""
    rng = stream(seed, "case-files")
    steps = steps.with_columns(pl.col("at").dt.date().alias("day"))
    english = steps["at"].dt.month() < UPGRADE_MONTH
    lines = pl.Series("line", [""] * steps.height)
    for mask, keys, fmt in ((english, ENGLISH_KEYS, "%Y-%m-%d %H:%M:%S"), (~english, CHINESE_KEYS, "%Y/%m/%d %H:%M:%S")):
        part = _encode(steps.filter(mask), keys, fmt)
        lines = lines.scatter(np.flatnonzero(mask.to_numpy()), part)
    rank = steps.select(pl.int_range(pl.len()).over("day")).to_series()
    frame = steps.select("day").with_columns(lines, (rank * 2 + 1).alias("order"), pl.lit(None, dtype=pl.String).alias("bad"))

    n = steps.height
    picks = np.sort(rng.choice(n, size=int(rng.binomial(n, BAD_LINE_SHARE)), replace=False))
    reasons = rng.choice(np.array(CASE_REASONS), len(picks))
    extra = []
    for reason in CASE_REASONS:  # four kinds of damage, each vectorised
        chosen = picks[reasons == reason]
        if not len(chosen):
            continue
        sub = steps[chosen]
        is_en = english.to_numpy()[chosen]
        keys = np.where(is_en, 0, 1)
        if reason == "unknown_grid":
            sub = sub.with_columns(pl.format("{}099", pl.col("community_code")).alias("grid_code"))
        if reason == "invalid_date":
            sub = sub.with_columns(pl.lit(f"{year}-13-45 25:00:00").alias("time_text"))
        encoded = [
            _encode(sub.filter(pl.Series(keys == i)), k, f, drop_case_id=reason == "missing_required")
            for i, (k, f) in enumerate(((ENGLISH_KEYS, "%Y-%m-%d %H:%M:%S"), (CHINESE_KEYS, "%Y/%m/%d %H:%M:%S")))
        ]
        text = np.empty(len(chosen), dtype=object)
        for i in range(2):
            text[keys == i] = encoded[i].to_numpy()
        text = pl.Series("line", text.astype(str))
        if reason == "invalid_json":  # a half-written line
            text = text.to_frame().select(pl.col("line").str.slice(0, pl.col("line").str.len_chars() // 2)).to_series()
        order = rank.to_numpy()[chosen] * 2 + (0 if reason == "invalid_json" else 2)
        extra.append(pl.DataFrame({"day": sub["day"], "line": text, "order": order, "bad": [reason] * len(chosen)}))
    frame = pl.concat([frame, *extra]).sort("day", "order").with_columns(pl.int_range(1, pl.len() + 1).over("day").alias("line_no"))

    preferred = date(year, 5, 1) if months >= 5 else date(year, months, 1)
    days = frame["day"].unique().sort()
    empty_day = days.filter(days >= preferred).first() if (days >= preferred).any() else days.last()
    files, bad_rows = [], []
    for (day,), group in frame.group_by("day", maintain_order=True):  # one file per day
        folder = raw_dir / "cases" / f"{day:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"事件流转_{day:%Y%m%d}.jsonl"
        next_day = datetime.combine(day + timedelta(days=1), time(1, 0))
        if day == empty_day:
            (folder / name).write_bytes(b"")
            set_mtime(folder / name, next_day)
            files.append(_record(folder / name, raw_dir, day, 0, 0, "rejected", "empty file (0 bytes); the day was re-exported"))
            name, next_day = f"事件流转_{day:%Y%m%d}_重新导出.jsonl", next_day + timedelta(hours=8, minutes=30)
        path = folder / name
        path.write_bytes(("\n".join(group["line"].to_list()) + "\n").encode("utf-8"))
        set_mtime(path, next_day)
        bad = group.filter(pl.col("bad").is_not_null())
        note = "Chinese keys, slash times" if day.month >= UPGRADE_MONTH else "English keys"
        files.append(_record(path, raw_dir, day, group.height, bad.height, "landed", note))
        rel = path.relative_to(raw_dir).as_posix()
        bad_rows += [{"path": rel, "row_number": r, "reason_code": c} for r, c in bad.select("line_no", "bad").iter_rows()]
    return files, bad_rows


def _record(path: Path, raw_dir: Path, day: date, rows: int, bad: int, status: str, note: str) -> dict:
    return {"path": path.relative_to(raw_dir).as_posix(), "source": "cases", "community_code": None,
            "month": f"{day:%Y-%m}", "data_rows": rows, "bad_rows": bad, "expected_status": status, "note": note}


def case_truth(cases: pl.DataFrame) -> pl.DataFrame:
    """One row per case as the exported steps show it."""
    def at(col: str) -> pl.Expr:
        return (pl.col(col) * 1_000_000).cast(pl.Datetime("us"))

    escalations = pl.col("t2").is_not_null().cast(pl.Int64)
    extensions = pl.col("t6").is_not_null().cast(pl.Int64)
    final = pl.col("level") + escalations
    sla = pl.Series(SLA_BY_LEVEL)
    return cases.select(
        "case_id", "grid_code", "community_code", "channel", "category", "subcategory", "work_type",
        final.alias("final_level"),
        at("t0").alias("reported_at"), at("t1").alias("accepted_at"),
        at("t11").fill_null(at("t7")).alias("handled_at"), at("t14").alias("closed_at"), at("t15").alias("evaluated_at"),
        pl.when(pl.col("t15").is_not_null()).then("satisfaction").alias("satisfaction"),
        pl.col("t3").is_not_null().alias("is_void"),
        extensions.alias("extension_count"), pl.col("t10").is_not_null().cast(pl.Int64).alias("rework_count"),
        escalations.alias("escalation_count"),
        pl.when(extensions > 0).then(5).otherwise(final.replace_strict(dict(enumerate(sla.to_list())))).alias("sla_working_days"),
    ).sort("case_id")
