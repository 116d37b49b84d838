"""实有人口台账: one community's register of one month."""

from __future__ import annotations

import polars as pl

from quality.batches import Batch, Context
from quality.config import Thresholds
from quality.suites._common import labelled, required_and_not_empty, with_required

SOURCE = "population"
INDEX_COLUMNS = ("source_row", "grid_code")  # how a failing row is pointed at (no personal data)


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=SOURCE)
    for expectation in required_and_not_empty(SOURCE, thresholds):
        suite.add_expectation(expectation)
    # Blocking: the grid must be one of this community's grids in the grid table of the month.
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeInSet, "grid_code_known", "blocking", SOURCE, thresholds,
                                   column="grid_code", value_set={"$PARAMETER": "community_grids"}))
    # Warning: residents within ±max_monthly_change of the community's previous register.
    suite.add_expectation(labelled(gxe.ExpectColumnSumToBeBetween, "residents_change", "warning", SOURCE, thresholds,
                                   column="is_resident", min_value={"$PARAMETER": "residents_min"},
                                   max_value={"$PARAMETER": "residents_max"}))
    return suite


def parameters(batch: Batch, context: Context, thresholds: Thresholds) -> dict:
    t = thresholds["population"]
    previous_month = context.previous_register(batch.scope, batch.month)
    previous = context.residents(batch.scope, previous_month, t["resident_statuses"]) if previous_month else None
    limit = t["max_monthly_change"]
    return {
        "community_grids": context.grid_codes(batch.month, batch.scope),
        # Without an earlier register there is nothing to compare with: any count passes.
        "residents_min": previous * (1 - limit) if previous else 0,
        "residents_max": previous * (1 + limit) if previous else None,
        "_previous_month": previous_month,
        "_previous_residents": previous,
    }


def prepare(frame: pl.DataFrame, batch: Batch, context: Context, thresholds: Thresholds) -> pl.DataFrame:
    statuses = thresholds["population"]["resident_statuses"]
    out = with_required(frame, SOURCE, INDEX_COLUMNS)
    status = pl.col("residence_status") if "residence_status" in frame.columns else pl.lit(None, pl.String)
    return out.with_columns(is_resident=frame.select(status.is_in(statuses).fill_null(False).cast(pl.Int32)).to_series())
