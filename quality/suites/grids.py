"""网格台账: the street-wide grid table received in one month."""

from __future__ import annotations

import polars as pl

from pipelines.ingest.locate import communities
from quality.batches import Batch, Context
from quality.config import Thresholds
from quality.suites._common import labelled, required_and_not_empty, with_required

SOURCE = "grids"
INDEX_COLUMNS = ("source_row", "grid_code")


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    t = thresholds["grids"]
    suite = gx.ExpectationSuite(name=SOURCE)
    for expectation in required_and_not_empty(SOURCE, thresholds):
        suite.add_expectation(expectation)
    # Blocking: the community code is a real community of this street (ingest only checks its shape).
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeInSet, "community_code_known", "blocking", SOURCE,
                                   thresholds, column="community_code",
                                   value_set={"$PARAMETER": "street_communities"}))
    # Warning (DOMAIN.md §1.5): households of a standard grid outside the band; exclusive grids exempt.
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeBetween, "household_band", "warning", SOURCE, thresholds,
                                   column="household_count", min_value=t["households"]["min"],
                                   max_value=t["households"]["max"],
                                   row_condition=Column("grid_type") == t["standard_grid_type"]))
    return suite


def parameters(batch: Batch, context: Context, thresholds: Thresholds) -> dict:
    # A grid table is one street's (its batch scope is the street code): its communities are that
    # street's, which also keeps the value set small in a district or city installation.
    return {"street_communities": sorted(set(communities(batch.scope).values())) or context.street_communities}


def prepare(frame: pl.DataFrame, batch: Batch, context: Context, thresholds: Thresholds) -> pl.DataFrame:
    return with_required(frame, SOURCE, (*INDEX_COLUMNS, "community_code", "grid_type", "household_count"))
