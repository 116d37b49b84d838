"""The file ledger of the batches being validated: one row per landed file, all batches in one run.

The quarantined share is a property of each file the ingest read (the ledger gives it), so it is
checked per file — a broken daily case export is not diluted by the rest of its month.
"""

from __future__ import annotations

import polars as pl

from quality.batches import Batch
from quality.config import Thresholds
from quality.suites._common import labelled

SUITE = "ledger"
CHECK = "quarantine_share"
INDEX_COLUMNS = ("batch_key", "file_path")


def build_suite(thresholds: Thresholds):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=SUITE)
    # Blocking: rows_quarantined <= the file's allowance, max(max_share × rows_read, min_rows − 1)
    # (a column, so sources may differ).
    suite.add_expectation(labelled(gxe.ExpectColumnPairValuesAToBeGreaterThanB, CHECK, "blocking", "population",
                                   thresholds, column_A="allowed_rows", column_B="rows_quarantined", or_equal=True))
    return suite


def frame(batches: list[Batch], thresholds: Thresholds) -> pl.DataFrame:
    rows = [{"batch_key": b.key, "file_path": f.file_path, "rows_read": f.rows_read,
             "rows_quarantined": f.rows_quarantined,
             "quarantined_share": f.rows_quarantined / f.rows_read if f.rows_read else 0.0,
             "allowed_rows": max(thresholds.quarantine_share(b.source) * f.rows_read,
                                 thresholds.quarantine_min_rows() - 1.0)}
            for b in batches for f in b.files]
    return pl.DataFrame(rows, schema={"batch_key": pl.String, "file_path": pl.String, "rows_read": pl.Int64,
                                      "rows_quarantined": pl.Int64, "quarantined_share": pl.Float64,
                                      "allowed_rows": pl.Float64})
