"""巡查走访日志: one community's patrol and visit records of one month."""

from __future__ import annotations

import datetime as dt

import polars as pl

from quality.batches import Batch, Context
from quality.config import Thresholds
from quality.suites._common import labelled, required_and_not_empty, with_required

SOURCE = "patrols"
INDEX_COLUMNS = ("source_row", "grid_code", "worker_id")


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    t = thresholds["patrols"]
    suite = gx.ExpectationSuite(name=SOURCE)
    for expectation in required_and_not_empty(SOURCE, thresholds):
        suite.add_expectation(expectation)
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeInSet, "grid_code_known", "blocking", SOURCE, thresholds,
                                   column="grid_code", value_set={"$PARAMETER": "community_grids"}))
    # Warning: a run of max_days_without_patrol or more days with no record (set on the first
    # record after the run, or on a grid's last record when the month ends in such a run).
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeBetween, "patrol_gap", "warning", SOURCE, thresholds,
                                   column="days_without_patrol", min_value=0,
                                   max_value=t["max_days_without_patrol"], strict_max=True))
    suite.add_expectation(labelled(gxe.ExpectColumnDistinctValuesToContainSet, "every_grid_patrolled", "warning",
                                   SOURCE, thresholds, column="grid_code", value_set={"$PARAMETER": "grids_in_force"}))
    # Warning: a worker's records far above the street's norm (set on each worker's first record).
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeBetween, "worker_records_norm", "warning", SOURCE,
                                   thresholds, column="worker_records", min_value=0,
                                   max_value={"$PARAMETER": "worker_records_max"}))
    return suite


def parameters(batch: Batch, context: Context, thresholds: Thresholds) -> dict:
    t = thresholds["patrols"]
    median = context.worker_median(batch.month, t["worker_norm_min_records"])
    return {
        "community_grids": context.grid_codes(batch.month, batch.scope),
        "grids_in_force": context.grids_in_force(batch.month, batch.scope),
        "worker_records_max": median * t["worker_norm_factor"] if median else None,
        "_street_median": median,
    }


def prepare(frame: pl.DataFrame, batch: Batch, context: Context, thresholds: Thresholds) -> pl.DataFrame:
    out = with_required(frame, SOURCE, (*INDEX_COLUMNS, "started_at"))
    if not {"grid_code", "started_at", "worker_id"} <= set(frame.columns) or frame.height == 0:
        return out.with_columns(days_without_patrol=pl.lit(None, pl.Int64), worker_records=pl.lit(None, pl.UInt32))
    starts = context.grids_as_of(batch.month).select(
        "grid_code", start=pl.max_horizontal(pl.col("valid_from"), pl.lit(batch.month_start)))
    out = out.with_row_index("_i")
    gaps = _gaps(out, starts, batch.month_start, batch.month_end)
    first_of_worker = pl.col("_i") == pl.col("_i").min().over("worker_id")
    return (out.join(gaps, on="_i", how="left")
            .with_columns(worker_records=pl.when(first_of_worker).then(pl.len().over("worker_id")))
            .sort("_i").drop("_i"))


def _gaps(records: pl.DataFrame, starts: pl.DataFrame, month_start: dt.date, month_end: dt.date) -> pl.DataFrame:
    """Days without any record before each grid-day (and after a grid's last day), on its first record."""
    day = pl.col("started_at").dt.date()
    period_end = min(month_end, records.select(day.max()).item() or month_end)
    days = (records.filter(pl.col("started_at").is_not_null() & pl.col("grid_code").is_not_null())
            .group_by("grid_code", day.alias("day")).agg(pl.col("_i").min())
            .join(starts, on="grid_code", how="left")
            .with_columns(pl.col("start").fill_null(month_start))
            .sort("grid_code", "day"))
    previous = pl.col("day").shift(1).over("grid_code")
    following = pl.col("day").shift(-1).over("grid_code")
    before = (pl.col("day") - pl.coalesce(previous, pl.col("start") - pl.duration(days=1))).dt.total_days() - 1
    after = pl.when(following.is_null()).then((pl.lit(period_end) - pl.col("day")).dt.total_days()).otherwise(0)
    return days.select("_i", days_without_patrol=pl.max_horizontal(before, after).clip(lower_bound=0))
