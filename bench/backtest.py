"""`make backtest`: the early warnings replayed over the demo year against the events the generator
injected (docs/early-warning.md).

`fct_warnings` holds, for every as-of day, the warnings computed from the data known by the end of
that day, so its history is the replay: day by day, what the street would have been told. This
module scores that history against the generator's `events.parquet`:

- an event is **caught** when a warning of its kind and key stands on a day from its start to 7 days
  after (surge → rising of its grid × category; stall → stalled_grid of its grid; repeat → repeat
  of its case; register_jump → register_jump of its grid and month). A register's jump can be seen
  only once its register arrives, so a register jump starts on the day its register was received;
- **days to warning**: the first such day minus the start;
- **false warnings**: episodes of the grid-level kinds (rising and repeat of cases, hot spots,
  stalled grids, register jumps) that match no event, counted over the clean time (from the first
  day with a full baseline; a grid's days from 7 days before to 14 days after one of its events are
  not clean) and given per grid per quarter (91 clean grid-days).
Deadline risk is scored by calibration (observed miss rate per decile of predicted risk) and by the
share of listed cases that did miss; 12345 warnings (community level, no injected truth) are counted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

CATCH_DAYS = 7
CLEAN_MARGIN_BEFORE, CLEAN_MARGIN_AFTER = 7, 14
QUARTER_DAYS = 91
EVENT_KINDS = {"surge": "rising", "stall": "stalled_grid", "repeat": "repeat", "register_jump": "register_jump"}
GRID_KINDS = ("rising", "hotspot", "stalled_grid", "repeat", "register_jump")


def event_starts(events: pl.DataFrame, registers: pl.DataFrame) -> pl.DataFrame:
    """Events with the day they can first be seen: a register jump's register arrival."""
    arrivals = registers.select(
        "community_code", pl.col("month"), pl.col("submitted_at").dt.date().alias("arrived_on"))
    return (
        events.with_columns(pl.col("start_date").dt.strftime("%Y-%m").alias("month"))
        .join(arrivals, on=["community_code", "month"], how="left")
        .with_columns(
            pl.when(pl.col("kind") == "register_jump").then(pl.col("arrived_on")).otherwise(pl.col("start_date"))
            .alias("seen_from"))
    )


def _matches(events: pl.DataFrame, warnings: pl.DataFrame) -> pl.DataFrame:
    """Event × warning-day pairs of the same kind and key (any day)."""
    w = warnings.filter(pl.col("source") != "hotline")
    pairs = []
    for kind, warning_kind in EVENT_KINDS.items():
        e = events.filter(pl.col("kind") == kind)
        k = w.filter(pl.col("kind") == warning_kind)
        if kind == "surge":
            j = e.join(k, on=["grid_code", "category"], how="inner", suffix="_w")
        elif kind == "stall":
            j = e.join(k, on="grid_code", how="inner", suffix="_w")
        elif kind == "repeat":
            j = e.join(k, left_on="case_id", right_on="subject", how="inner", suffix="_w")
        else:
            j = e.join(k, left_on=["grid_code", "month"], right_on=["grid_code", "subject"], how="inner", suffix="_w")
        pairs.append(j.select("event_id", "kind", "seen_from", "end_date", "as_of_date", "warning_id"))
    return pl.concat(pairs)


def score(warnings: pl.DataFrame, events: pl.DataFrame, registers: pl.DataFrame, grid_codes: list[str],
          neighbours: pl.DataFrame, first_day: date, last_day: date) -> dict:
    """The backtest's figures from the warning history, the injected events and the registers' arrivals."""
    events = event_starts(events, registers)
    pairs = _matches(events, warnings)
    in_time = pairs.filter((pl.col("as_of_date") >= pl.col("seen_from"))
                           & (pl.col("as_of_date") <= pl.col("seen_from") + timedelta(days=CATCH_DAYS)))
    first = in_time.group_by("event_id").agg(pl.col("as_of_date").min().alias("warned_on"))
    scored = (events.join(first, on="event_id", how="left")
              .with_columns((pl.col("warned_on") - pl.col("seen_from")).dt.total_days().alias("days_to_warning")))
    per_kind = {}
    for kind in EVENT_KINDS:
        k = scored.filter(pl.col("kind") == kind)
        caught = k.filter(pl.col("warned_on").is_not_null())
        per_kind[kind] = {
            "events": k.height, "caught_within_7_days": caught.height,
            "caught_share": round(caught.height / k.height, 4) if k.height else None,
            "days_to_warning_mean": round(caught["days_to_warning"].mean(), 2) if caught.height else None,
            "days_to_warning_max": caught["days_to_warning"].max() if caught.height else None,
            "missed": k.filter(pl.col("warned_on").is_null())["event_id"].to_list(),
        }
    total = scored.height
    caught_total = scored.filter(pl.col("warned_on").is_not_null()).height
    false = false_warnings(warnings, events, pairs, grid_codes, neighbours, first_day, last_day)
    return {"events": total, "caught_within_7_days": caught_total,
            "caught_share": round(caught_total / total, 4) if total else None,
            "per_kind": per_kind, "false_warnings": false}


def false_warnings(warnings: pl.DataFrame, events: pl.DataFrame, pairs: pl.DataFrame, grid_codes: list[str],
                   neighbours: pl.DataFrame, first_day: date, last_day: date) -> dict:
    """Episodes matching no event, over the clean grid-days, per grid per quarter."""
    grid_warnings = warnings.filter((pl.col("source") != "hotline") & pl.col("kind").is_in(GRID_KINDS)
                                    & (pl.col("as_of_date") >= first_day))
    episodes = grid_warnings.group_by("warning_id", "kind", "grid_code").agg(
        pl.col("first_as_of_date").min(), pl.col("as_of_date").max().alias("last_as_of_date"))
    matched = set(pairs["warning_id"].to_list())
    # a hot spot is explained when its grid or a neighbour has a matched rising episode on its days
    rising_matched = grid_warnings.filter(pl.col("warning_id").is_in(list(matched)) & (pl.col("kind") == "rising"))
    explained_grids = pl.concat([
        rising_matched.select("grid_code", "as_of_date"),
        rising_matched.join(neighbours, left_on="grid_code", right_on="neighbour_grid_code")
        .select(pl.col("grid_code_right").alias("grid_code"), "as_of_date"),
    ]).unique()
    hotspots_explained = (grid_warnings.filter(pl.col("kind") == "hotspot")
                          .join(explained_grids, on=["grid_code", "as_of_date"], how="semi")["warning_id"].to_list())
    unexplained = episodes.filter(~pl.col("warning_id").is_in(list(matched | set(hotspots_explained))))
    # clean time: every grid-day from first_day to last_day outside its events' margins
    days = pl.date_range(first_day, last_day, "1d", eager=True).alias("day")
    grid_days = pl.DataFrame({"grid_code": grid_codes}).join(pl.DataFrame(days), how="cross")
    margins = events.select(
        "grid_code", (pl.col("seen_from").fill_null(pl.col("start_date")) - timedelta(days=CLEAN_MARGIN_BEFORE)).alias("lo"),
        (pl.col("end_date") + timedelta(days=CLEAN_MARGIN_AFTER)).alias("hi"))
    dirty = grid_days.join(margins, on="grid_code").filter(pl.col("day").is_between(pl.col("lo"), pl.col("hi")))
    clean = grid_days.join(dirty.select("grid_code", "day").unique(), on=["grid_code", "day"], how="anti")
    clean_false = unexplained.join(clean, left_on=["grid_code", "first_as_of_date"], right_on=["grid_code", "day"],
                                   how="semi")
    grid_quarters = clean.height / QUARTER_DAYS
    by_kind = {kind: clean_false.filter(pl.col("kind") == kind).height for kind in GRID_KINDS}
    return {"clean_grid_days": clean.height, "clean_grid_quarters": round(grid_quarters, 1),
            "episodes": clean_false.height, "by_kind": by_kind,
            "per_grid_per_quarter": round(clean_false.height / grid_quarters, 3) if grid_quarters else None,
            "per_grid_per_quarter_by_kind": {k: round(v / grid_quarters, 3) for k, v in by_kind.items()}
            if grid_quarters else {}}


def calibration(con: duckdb.DuckDBPyConnection, since: date) -> list[dict]:
    """Observed miss rate per decile of predicted deadline risk: open, not yet overdue cases of every
    as-of day from `since` whose outcome is known (closed by the end of the data)."""
    return con.sql(f"""
        with predictions as (
            select miss_chance, case when is_closed_on_time then 0.0 else 1.0 end as missed
            from intermediate.int_warning_open_cases
            where not is_overdue and closed_at is not null and as_of_date >= date '{since}'
        ),
        deciles as (select *, ntile(10) over (order by miss_chance) as decile from predictions)
        select decile, count(*) as predictions, avg(miss_chance) as predicted, avg(missed) as observed
        from deciles group by decile order by decile
    """).pl().to_dicts()


def backtest(warehouse: Path, truth: Path) -> dict:
    """Score the warning history of a built warehouse against the truth folder of its demo data."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        warnings = con.sql("select * from marts.fct_warnings").pl()
        grid_codes = con.sql("select distinct grid_code from marts.dim_grids").pl()["grid_code"].to_list()
        neighbours = con.sql("select * from intermediate.int_warning_grid_neighbours").pl()
        first_day, last_day = con.sql("""
            select min(as_of_date), max(as_of_date) from intermediate.int_warning_days
            where day_index + 1 >= (select rising_window_days + rising_min_history_days from intermediate.int_warning_settings)
        """).fetchall()[0]
        calibrated = calibration(con, first_day)
        listed = con.sql("""
            select count(*) as listed_cases, avg(case when c.is_closed_on_time then 0.0 else 1.0 end) as missed_share
            from (select distinct subject from marts.fct_warnings where kind = 'deadline_risk') as w
            inner join marts.fct_cases as c on w.subject = c.case_id
            where c.closed_at is not null
        """).pl().to_dicts()[0]
        hotline = con.sql("""
            select kind, count(distinct warning_id) as episodes, count(distinct community_code) as communities
            from marts.fct_warnings where source = 'hotline' group by kind order by kind
        """).pl().to_dicts()
    finally:
        con.close()
    events = pl.read_parquet(truth / "events.parquet")
    registers = pl.read_parquet(truth / "residents.parquet")
    result = score(warnings, events, registers, grid_codes, neighbours, first_day, last_day)
    result["period"] = {"first_as_of_day": str(first_day), "last_as_of_day": str(last_day)}
    result["deadline_risk"] = {
        "calibration": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()} for row in calibrated],
        "max_decile_gap_points": round(max(abs(r["predicted"] - r["observed"]) for r in calibrated) * 100, 1),
        "listed_cases": listed["listed_cases"], "listed_that_missed": round(listed["missed_share"] or 0, 4),
    }
    result["hotline"] = hotline
    return result


def main() -> None:
    from bench.run import RESULTS, WORK, machine
    from demo.generator import generate
    from pipelines.core.settings import Paths
    from pipelines.defs.launch import launch

    parser = argparse.ArgumentParser(description="backtest the early warnings on the demo year")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    started = time.perf_counter()
    root = WORK / "backtest"
    shutil.rmtree(root, ignore_errors=True)
    paths = Paths(raw=root / "raw", data=root / "data")
    truth = paths.data / "demo" / "truth"
    print(f"generating the demo year (seed {args.seed}) into {root}")
    generate(paths.raw, truth, seed=args.seed, progress=True)
    print("running the pipeline (ingest, quality gate, dbt build, publish)")
    summary = launch(paths)
    if summary.status != "success":
        raise SystemExit(f"the pipeline failed: {summary.status}")
    result = backtest(paths.warehouse, truth)
    targets = {"caught_share_min": 0.9, "false_per_grid_per_quarter_max": 1.0, "calibration_gap_points_max": 10}
    result = {"measured_at": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "seed": args.seed,
              "targets": targets, **result,
              "met": {"caught": result["caught_share"] >= targets["caught_share_min"],
                      "false_warnings": result["false_warnings"]["per_grid_per_quarter"]
                      <= targets["false_per_grid_per_quarter_max"],
                      "calibration": result["deadline_risk"]["max_decile_gap_points"]
                      <= targets["calibration_gap_points_max"]},
              "seconds": round(time.perf_counter() - started, 1)}
    out = RESULTS / "backtest.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"events caught within {CATCH_DAYS} days: {result['caught_within_7_days']}/{result['events']}")
    for kind, k in result["per_kind"].items():
        print(f"  {kind:<14} {k['caught_within_7_days']}/{k['events']}  mean days to warning {k['days_to_warning_mean']}")
    f = result["false_warnings"]
    print(f"false warnings per grid per quarter: {f['per_grid_per_quarter']} ({f['episodes']} over "
          f"{f['clean_grid_quarters']} clean grid-quarters) {f['per_grid_per_quarter_by_kind']}")
    print(f"deadline risk: largest decile gap {result['deadline_risk']['max_decile_gap_points']} points")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
