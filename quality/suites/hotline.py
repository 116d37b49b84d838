"""12345工单: the street's hotline work orders of one month (every export's rows that went to that month).

The hotline is optional for a street: a street without hotline files has no hotline batch, and the
gate passes and publishes as before.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from quality.batches import Batch, Context
from quality.config import Thresholds
from quality.suites._common import labelled, required_and_not_empty, with_required

SOURCE = "hotline"
INDEX_COLUMNS = ("source_row", "order_id")
# Descriptive columns whose value ingest keeps even when the contract lists no spelling of it (`lenient`):
# a value outside the contract's set is a warning here, not a lost order.
CHECKED_VALUES = ("order_type", "channel", "status", "satisfaction", "anonymity")


@cache
def allowed(column: str) -> tuple[str, ...]:
    """The canonical values of a column: the contract's enum values (匿名 / 实名 for the anonymity)."""
    from pipelines.ingest.contracts import default_contracts

    field = default_contracts()[SOURCE].field(column)
    return tuple(field.values or {}) if field.type == "enum" else ("匿名", "实名")


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=SOURCE)
    # Blocking: order number and received time filled in, and the batch has rows (quarantine shares are
    # the ledger suite's, per file).
    for expectation in required_and_not_empty(SOURCE, thresholds):
        suite.add_expectation(expectation)
    # Warnings: a value the contract does not list (null, not asked or not given, is allowed).
    for column in CHECKED_VALUES:
        suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeInSet, f"allowed_values:{column}", "warning", SOURCE,
                                       thresholds, column=column, value_set=list(allowed(column))))
    return suite


def parameters(batch: Batch, context: Context, thresholds: Thresholds) -> dict:
    return {}


def prepare(frame: pl.DataFrame, batch: Batch, context: Context, thresholds: Thresholds) -> pl.DataFrame:
    out = with_required(frame, SOURCE, (*INDEX_COLUMNS, *CHECKED_VALUES))
    return out.with_columns(pl.lit(None, pl.String).alias(c) for c in CHECKED_VALUES if c not in out.columns)
