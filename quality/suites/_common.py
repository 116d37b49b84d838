"""Expectations every source's suite shares, and the helpers that label them."""

from __future__ import annotations

import polars as pl

from pipelines.core import texts
from quality.batches import field_labels, required_columns
from quality.config import Thresholds

MISSING_REQUIRED = "missing_required_fields"
SEVERITY = {"blocking": "critical", "warning": "warning"}  # ours -> GX's FailureSeverity


def labelled(expectation_class, check: str, severity: str, source: str, thresholds: Thresholds, **kwargs):
    """An expectation carrying our check name (meta), severity and Chinese description."""
    return expectation_class(meta={"check": check}, severity=SEVERITY[severity],
                             description=title(source, check, thresholds), **kwargs)


def title(source: str, check: str, thresholds: Thresholds) -> str:
    values = _values(source, check, thresholds)
    if check == "required":
        values["fields"] = "、".join(field_labels(source).get(c, c) for c in required_columns(source))
    return texts.check_title(_label(source, check), **values)


def fix(source: str, check: str, thresholds: Thresholds) -> str:
    return texts.check_fix(_label(source, check), **_values(source, check, thresholds))


def _label(source: str, check: str) -> str:
    name, _, column = check.partition(":")
    return f"{name}:{field_labels(source).get(column, column)}" if column else name


def _values(source: str, check: str, thresholds: Thresholds) -> dict:
    t = thresholds
    return {
        "quarantine_share": {"limit": t.quarantine_share(source), "min_rows": t.quarantine_min_rows()},
        "household_band": t["grids"]["households"],
        "residents_change": {"limit": t["population"]["max_monthly_change"]},
        "patrol_gap": {"days": t["patrols"]["max_days_without_patrol"]},
        "worker_records_norm": {"factor": t["patrols"]["worker_norm_factor"]},
    }.get(check, {})


def required_and_not_empty(source: str, thresholds: Thresholds) -> list:
    """Blocking: every required field of the contract is filled in, and the batch has rows.

    The required fields are checked together, on a derived column naming each row's empty ones:
    one expectation instead of one per field halves the suite's GX cost, and a failing row says
    which fields to fill in.
    """
    import great_expectations.expectations as gxe

    return [labelled(gxe.ExpectColumnValuesToBeNull, "required", "blocking", source, thresholds,
                     column=MISSING_REQUIRED),
            labelled(gxe.ExpectTableRowCountToBeBetween, "not_empty", "blocking", source, thresholds, min_value=1)]


def with_required(frame: pl.DataFrame, source: str, keep: tuple[str, ...]) -> pl.DataFrame:
    """`keep` columns (those present) plus MISSING_REQUIRED: the labels of the row's empty required
    fields joined by "、", or null. A required column absent from the batch counts as empty."""
    labels = field_labels(source)
    flags = [pl.when(pl.col(c).is_null()).then(pl.lit(labels.get(c, c))) if c in frame.columns else
             pl.lit(labels.get(c, c)) for c in required_columns(source)]
    missing = pl.concat_list(flags).list.drop_nulls().list.join("、")
    return frame.select([c for c in dict.fromkeys(keep) if c in frame.columns],
                        **{MISSING_REQUIRED: pl.when(missing != "").then(missing)})
