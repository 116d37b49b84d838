"""The quality gate: validate the batches that are new or changed, keep the results, say whether
publish may go ahead.

    result = gate.check(paths)      # after ingest, before dbt and publish (under the writer lock)
    gate.guard(result)              # raises QualityGateFailed when a blocking check fails

A batch is validated again only when its fingerprint changes: its landed files (hashes), the
values its checks compare with (grids, previous register, street norm), the thresholds or the
suites' code. The gate judges every current batch, validated now or earlier, so a blocking batch
keeps publish stopped until a corrected file replaces it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from pipelines.core import texts
from pipelines.core.settings import Paths, engine
from quality import results
from quality.batches import Batch, Context, PartCache, list_batches, read_batch
from quality.config import QualityPaths, Thresholds
from quality.suites import code_digest, suite_module

log = logging.getLogger("gridpulse.quality")
Progress = Callable[[int, int, str], None]


class QualityGateFailed(RuntimeError):
    """A blocking check failed: publish must not happen. The message is for data staff (Chinese)."""

    def __init__(self, result: GateResult):
        super().__init__(result.blocked_message())
        self.result = result


@dataclass
class Finding:
    source: str
    scope_code: str
    community_code: str | None
    report_month: str
    check_name: str
    check_title: str
    severity: str
    observed_value: str | None
    expected: str | None
    examples: str | None
    fix_hint: str | None

    def text(self) -> str:
        return texts.FINDING.format(source=texts.SOURCE_TITLES.get(self.source, self.source), scope=self.scope_code,
                                    month=self.report_month, title=self.check_title, observed=self.observed_value)


@dataclass
class GateResult:
    blocking: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    batches: int = 0
    validated: list[str] = field(default_factory=list)  # batch keys validated in this run
    seconds: float = 0.0
    docs: str | None = None
    # data landed but no grid table: every grid code fails its check, and the fix is the street's
    # grid table, not the communities' files
    no_grid_table: bool = False

    @property
    def passed(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        return texts.GATE_PASSED.format(batches=self.batches, validated=len(self.validated),
                                        blocking=len(self.blocking), warnings=len(self.warnings))

    def blocked_message(self, limit: int = 10) -> str:
        lines = [texts.GATE_BLOCKED, *([texts.GATE_NO_GRID_TABLE] if self.no_grid_table else []),
                 *[f"- {f.text()}" for f in self.blocking[:limit]]]
        if len(self.blocking) > limit:
            lines.append(texts.GATE_MORE.format(n=len(self.blocking)))
        return "\n".join(lines)

    def merge(self, other: GateResult) -> GateResult:
        """One verdict from the verdicts of separate sources."""
        return GateResult(blocking=self.blocking + other.blocking, warnings=self.warnings + other.warnings,
                          batches=self.batches + other.batches, validated=self.validated + other.validated,
                          seconds=round(self.seconds + other.seconds, 2), docs=other.docs or self.docs,
                          no_grid_table=self.no_grid_table or other.no_grid_table)

    def as_dict(self) -> dict:
        """For the run log: counts, and the findings' one-line texts."""
        return {"batches": self.batches, "validated": len(self.validated), "seconds": self.seconds,
                "blocking": [f.text() for f in self.blocking], "warnings": len(self.warnings), "docs": self.docs,
                "no_grid_table": self.no_grid_table}


def guard(result: GateResult) -> None:
    """Call before publish: raises QualityGateFailed when any blocking check fails."""
    if not result.passed:
        raise QualityGateFailed(result)


def fingerprint(batch: Batch, params: dict, thresholds: Thresholds) -> str:
    payload = {"code": code_digest(), "thresholds": thresholds.digest,
               "files": [(f.file_path, f.file_hash) for f in batch.files], "params": params}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def check(paths: Paths, *, sources: tuple[str, ...] | None = None, docs: str = "failures",
          street: str | None = None, thresholds: Thresholds | None = None,
          progress: Progress | None = None) -> GateResult:
    """Validate new or changed batches (of `sources`, default all), store their results, judge all."""
    started = time.perf_counter()
    thresholds = thresholds or Thresholds.load()
    street = street or paths.street
    qpaths, context = QualityPaths(paths), Context(paths, street)
    every = list_batches(paths, street)
    results.prune(qpaths, every)
    batches = [b for b in every if sources is None or b.source in sources]
    todo = plan(batches, context, thresholds, stored_fingerprints(qpaths))
    docs_index = _validate(paths, qpaths, context, thresholds, todo, docs, progress) if todo else None
    if docs_index is None and (qpaths.data_docs / "index.html").exists():
        docs_index = str(qpaths.data_docs / "index.html")
    failed = results.scan_all(qpaths).filter(
        ~pl.col("success") & pl.col("batch_key").is_in([b.key for b in batches])).collect().sort(
        "source", "report_month", "scope_code", "check_name")
    findings = [Finding(**{k: row[k] for k in Finding.__dataclass_fields__}) for row in failed.iter_rows(named=True)]
    result = GateResult(blocking=[f for f in findings if f.severity == "blocking"],
                        warnings=[f for f in findings if f.severity == "warning"], batches=len(batches),
                        validated=[b.key for b, _, _ in todo], seconds=round(time.perf_counter() - started, 2),
                        docs=docs_index, no_grid_table=bool(every) and not any(b.source == "grids" for b in every))
    log.info("quality gate: %d batches, %d validated, %d blocking, %d warnings, %.1f s", result.batches,
             len(result.validated), len(result.blocking), len(result.warnings), result.seconds)
    return result


def stored_fingerprints(qpaths: QualityPaths) -> dict[str, str]:
    """Batch key -> the fingerprint of its stored results (one scan over every results file)."""
    return dict(results.scan_all(qpaths).group_by("batch_key").agg(pl.col("fingerprint").first())
                .collect().iter_rows())


def plan(batches: list[Batch], context: Context, thresholds: Thresholds,
         stored: dict[str, str]) -> list[tuple[Batch, dict, str]]:
    """(batch, its check parameters, fingerprint) of the batches whose fingerprint is not the stored one."""
    todo = []
    for b in batches:
        params = suite_module(b.source).parameters(b, context, thresholds)
        fp = fingerprint(b, params, thresholds)
        if stored.get(b.key) != fp:
            todo.append((b, params, fp))
    return todo


def base_row(batch: Batch, run_id: str, fingerprint_: str, thresholds: Thresholds) -> dict:
    """The batch's part of every result row (the `_thresholds` entry is dropped when rows are built)."""
    return {"run_id": run_id, "source": batch.source, "report_month": batch.month, "scope_code": batch.scope,
            "community_code": batch.community_code, "batch_key": batch.key, "batch_files": len(batch.files),
            "batch_rows": sum(f.rows_landed for f in batch.files), "fingerprint": fingerprint_,
            "thresholds_version": thresholds.version, "_thresholds": thresholds,
            "checked_at": dt.datetime.now().replace(microsecond=0)}


def validate_frame(runner, paths: Paths, batch: Batch, frame: pl.DataFrame | None = None,
                   context: Context | None = None, thresholds: Thresholds | None = None,
                   run_id: str = "adhoc") -> list[dict]:
    """Run the batch's suite on `frame` (default: the batch as landed) and return its result rows.

    `runner` is a `runner.GxRunner`; nothing is written except GX's own results (for Data Docs).
    """
    from quality.runner import rows_for

    thresholds = thresholds or runner.thresholds
    context = context or Context(paths)
    module = suite_module(batch.source)
    params = module.parameters(batch, context, thresholds)
    prepared = module.prepare(read_batch(paths, batch) if frame is None else frame, batch, context, thresholds)
    validation = runner.validate(batch.source, module.build_suite, prepared, params, batch.key.replace("/", "__"),
                                 module.INDEX_COLUMNS)
    base = base_row(batch, run_id, fingerprint(batch, params, thresholds), thresholds)
    return rows_for(batch, validation, params, base, batch.source, module.INDEX_COLUMNS)


WORKERS = 2  # validation processes for a large gate run (GX spends its time in Python, one core each)
PARALLEL_MIN = 60  # batches: below this, starting a second process costs more than it saves
CHUNK = 16  # batches handed to a process at a time (neighbours in a lake part)


def _validate(paths: Paths, qpaths: QualityPaths, context: Context, thresholds: Thresholds, todo: list,
              docs: str, progress: Progress | None) -> str | None:
    from quality.runner import GxRunner, ledger_rows
    from quality.suites import ledger

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    runner = GxRunner(qpaths, thresholds, docs=docs)
    run_id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}"
    batches = [b for b, _, _ in todo]
    bases = {b.key: base_row(b, run_id, fp, thresholds) for b, _, fp in todo}
    ledger_frame = ledger.frame(batches, thresholds)
    ledger_result = runner.validate(ledger.SUITE, ledger.build_suite, ledger_frame, {}, "ledger",
                                    ledger.INDEX_COLUMNS, complete=True)
    quarantine = ledger_rows(batches, ledger_frame, ledger_result, bases)
    items = sorted(((b, params, bases[b.key], quarantine[b.key]) for b, params, _ in todo),
                   key=lambda item: part_order(item[0]))
    # one process on Spark: its session already uses every core
    parallel = len(items) >= PARALLEL_MIN and engine() != "spark"
    workers = min(WORKERS, os.cpu_count() or 1) if parallel else 1
    if workers == 1:
        parts = PartCache()
        for i, item in enumerate(items):
            if progress:
                progress(i, len(items), item[0].key)
            _validate_one(runner, paths, qpaths, context, thresholds, parts, item)
    else:
        # Processes of their own (spawned: polars' threads do not survive a fork), each with its own
        # GX context; every batch writes its own results file. Data Docs are built here, from the
        # validation results the workers stored.
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(
                workers, initializer=_worker_start, initargs=(paths, qpaths, thresholds, docs)) as pool:
            for i, rendered in enumerate(pool.imap_unordered(_worker_validate, items, chunksize=CHUNK)):
                if progress:
                    progress(i, len(items), "")
                runner.run_names.update(rendered)
            pool.close()  # let the workers end on their own (terminating them leaks their semaphores)
            pool.join()
        for source in sorted({b.source for b in batches}):  # the suites' own pages
            runner.definition(source, suite_module(source).build_suite)
    if progress:
        progress(len(items), len(items), "")
    docs_index = runner.build_docs()
    if runner.spark:
        from quality import spark

        spark.stop()
    return docs_index


def part_order(batch: Batch) -> tuple:
    """Validation order, part by part: the batches of a lake part follow each other, so that each
    process reads the part once (batches.PartCache)."""
    return batch.source, batch.month, min(batch.parts(), default=""), batch.scope


def _validate_one(runner, paths: Paths, qpaths: QualityPaths, context: Context, thresholds: Thresholds,
                  parts: PartCache, item: tuple) -> dict[str, int]:
    """Validate one batch and store its result rows; returns the GX runs whose Data Docs pages to render."""
    from quality.runner import rows_for

    b, params, base, quarantined = item
    run_name = b.key.replace("/", "__")
    module = suite_module(b.source)
    frame = module.prepare(read_batch(paths, b, parts), b, context, thresholds)
    validation = runner.validate(b.source, module.build_suite, frame, params, run_name, module.INDEX_COLUMNS)
    checked_at = dt.datetime.now().replace(microsecond=0)
    rows = rows_for(b, validation, params, base | {"checked_at": checked_at}, b.source, module.INDEX_COLUMNS)
    results.write_batch(qpaths, b, [quarantined | {"checked_at": checked_at}, *rows])
    return {run_name: runner.run_names[run_name]} if run_name in runner.run_names else {}


_worker: tuple | None = None  # (runner, paths, qpaths, context, thresholds, parts) of a validation process


def _worker_start(paths: Paths, qpaths: QualityPaths, thresholds: Thresholds, docs: str) -> None:
    from quality.runner import GxRunner

    global _worker
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    _worker = (GxRunner(qpaths, thresholds, docs=docs), paths, qpaths, Context(paths), thresholds, PartCache())


def _worker_validate(item: tuple) -> dict[str, int]:
    return _validate_one(*_worker, item)
