"""事件流转日志: the street's case workflow steps of one month (all the daily exports of the month)."""

from __future__ import annotations

import polars as pl

from quality.batches import Batch, Context
from quality.config import Thresholds
from quality.suites._common import labelled, required_and_not_empty, with_required

SOURCE = "cases"
INDEX_COLUMNS = ("case_id", "action")
# The order of the workflow's stages (DOMAIN.md §4.4). Side steps (升级, 延期, 回退, 作废) may come
# at any time and are not ranked; a stage repeated after 回退 is later than every stage's first time.
STAGES = ("上报", "受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "评价")


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=SOURCE)
    for expectation in required_and_not_empty(SOURCE, thresholds):
        suite.add_expectation(expectation)
    suite.add_expectation(labelled(gxe.ExpectColumnValuesToBeInSet, "grid_code_known", "blocking", SOURCE, thresholds,
                                   column="grid_code", value_set={"$PARAMETER": "street_grids"}))
    # Blocking: no step is earlier than the first time of a stage that must come before it.
    suite.add_expectation(labelled(gxe.ExpectColumnPairValuesAToBeGreaterThanB, "case_stage_order", "blocking",
                                   SOURCE, thresholds, column_A="step_at", column_B="earlier_stage_at",
                                   or_equal=True, ignore_row_if="either_value_is_missing"))
    return suite


def parameters(batch: Batch, context: Context, thresholds: Thresholds) -> dict:
    # The stage order reads the cases' earlier steps: a change in an earlier month re-validates.
    return {"street_grids": context.grid_codes(batch.month),
            "_history": context.earlier_files_digest(SOURCE, batch.month)}


def prepare(frame: pl.DataFrame, batch: Batch, context: Context, thresholds: Thresholds) -> pl.DataFrame:
    out = with_required(frame, SOURCE, (*INDEX_COLUMNS, "step_at", "grid_code"))
    if not {"case_id", "action", "step_at"} <= set(out.columns):
        return out.with_columns(earlier_stage_at=pl.lit(None, pl.Datetime("us")))
    rank = pl.col("action").replace_strict({s: i for i, s in enumerate(STAGES)}, default=None, return_dtype=pl.Int32)
    # A case's first time of each stage, over its whole history: a rework cycle (回退 → 处置 …)
    # in this month must be compared with the first 处置 even when that was last month.
    history = pl.concat([out.select("case_id", "action", "step_at"),
                         context.earlier_steps(batch.month, out["case_id"].drop_nulls().unique())])
    firsts = (history.with_columns(_rank=rank).filter(pl.col("_rank").is_not_null())
              .group_by("case_id", "_rank").agg(first_at=pl.col("step_at").min())
              .sort("case_id", "_rank")
              .with_columns(earlier_stage_at=pl.col("first_at").cum_max().shift(1).over("case_id"))
              .drop("first_at"))
    return (out.with_columns(_rank=rank).join(firsts, on=["case_id", "_rank"], how="left", maintain_order="left")
            .drop("_rank"))
