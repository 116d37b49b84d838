"""Files the pipeline publishes beside the serving snapshot, under data/published/.

- `quality/<YYYY-MM>/<community>_<YYYY-MM>_数据报送质量反馈.xlsx`: each community's data-quality
  feedback workbook for each month it submitted. A workbook is written again only when its inputs
  changed: the community's ledger rows and check results from January to that month
  (`quality/manifest.parquet` keeps their digest per workbook).
- `reports/`: the quarterly situation-analysis reports (reports.build_report, its own Dagster asset).
The dashboard only offers these files for download; it never builds them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from pipelines.core.settings import Paths
from pipelines.ingest.lake import read_ledger, write_atomic
from quality import results
from quality.config import QualityPaths, Thresholds
from quality.report import SUBMITTED, file_name, write_report

WORKERS = 2


def feedback_dir(paths: Paths) -> Path:
    return QualityPaths(paths).reports


def _digests(ledger: pl.DataFrame, checks: pl.DataFrame) -> pl.DataFrame:
    """(community_code, month, digest): a digest of the community's inputs from January to the month."""
    def per_month(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        return frame.group_by("community_code", "month").agg(
            h=pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="|")
            .hash().sum())

    files = ledger.filter(pl.col("source").is_in(SUBMITTED) & pl.col("community_code").is_not_null()
                          & pl.col("report_month").is_not_null()).rename({"report_month": "month"})
    pairs = per_month(files, ["file_path", "file_hash", "status", "ingested_at", "rows_landed", "rows_quarantined"])
    if checks.height:
        checked = per_month(checks.rename({"report_month": "month"}).filter(pl.col("community_code").is_not_null()),
                            ["batch_key", "fingerprint", "check_name", "success"])
        pairs = pairs.join(checked, on=["community_code", "month"], how="left", suffix="_checks")
        pairs = pairs.with_columns(h=pl.col("h") + pl.col("h_checks").fill_null(0)).drop("h_checks")
    return pairs.sort("community_code", "month").with_columns(
        digest=pl.col("h").cum_sum().over("community_code", pl.col("month").str.slice(0, 4))
    ).select("community_code", "month", "digest")


def feedback_workbooks(paths: Paths) -> dict[str, int]:
    """Write every community × month workbook whose inputs changed; returns counts written and kept."""
    ledger = read_ledger(paths.ledger)
    checks = results.read_all(QualityPaths(paths))
    wanted = _digests(ledger, checks)
    manifest_path = feedback_dir(paths) / "manifest.parquet"
    before = pl.read_parquet(manifest_path) if manifest_path.exists() else wanted.clear()
    todo = wanted.join(before, on=["community_code", "month", "digest"], how="anti")

    # each workbook gets its community's rows only (and the ledger's rows without a community, which
    # name a community by file name): filtering the whole city's rows for each workbook costs more
    # than rendering it
    thresholds = Thresholds.load()
    unplaced = ledger.filter(pl.col("community_code").is_null())
    ledger_of = ledger.filter(pl.col("community_code").is_not_null()).partition_by("community_code", as_dict=True)
    checks_of = checks.filter(pl.col("community_code").is_not_null()).partition_by("community_code", as_dict=True)

    def write(code: str, month: str) -> None:
        out = feedback_dir(paths) / month / file_name(code, month)
        tmp = out.with_name(f".{out.name}.tmp")
        own = pl.concat([ledger_of.get((code,), ledger.clear()), unplaced])
        write_report(paths, code, month, tmp, checks=checks_of.get((code,), checks.clear()), ledger=own,
                     thresholds=thresholds)
        tmp.replace(out)

    # two at a time: half of a workbook's time is polars reading and filtering, which runs beside the GIL
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="gridpulse-feedback") as pool:
        for done in [pool.submit(write, code, month) for code, month in todo.select("community_code", "month").iter_rows()]:
            done.result()
    write_atomic(wanted, manifest_path)
    return {"written": todo.height, "unchanged": wanted.height - todo.height}
