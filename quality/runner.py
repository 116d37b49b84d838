"""Run the suites with Great Expectations 1.x: one ephemeral context per gate run, one
ValidationDefinition per suite reused for every batch (a whole-DataFrame batch definition), and
Data Docs built once at the end for the validations of this run.

Data Docs (`docs`): "failures" renders a page for each batch validated now with a failed
expectation (plus the suites), at most DOCS_PAGES of them, those with a blocking failure first (a
city's first run can have thousands of batches with a warning, at ~0.3 s a page; every failure is in
the result rows all the same); "all" renders every batch validated now; "none" keeps results in
memory only. A batch validated again replaces its earlier page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil

import polars as pl

from pipelines.core import texts
from pipelines.core.settings import engine
from quality import results
from quality.batches import Batch
from quality.config import QualityPaths, Thresholds

DATASOURCE = "gridpulse_lake"
SEVERITIES = {"critical": "blocking", "warning": "warning", "info": "warning"}
DOCS_PAGES = 200  # batch pages rendered per gate run with docs="failures"
log = logging.getLogger("gridpulse.quality")


class GxRunner:
    def __init__(self, qpaths: QualityPaths, thresholds: Thresholds, docs: str = "failures",
                 spark: bool | None = None):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

        self.gx, self.qpaths, self.thresholds, self.docs = gx, qpaths, thresholds, docs
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False))
        if docs != "none":  # validation results as JSON files, so that the Data Docs index lists every batch's latest run
            config.stores["validation_results_store"] = {
                "class_name": "ValidationResultsStore",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(qpaths.validations)}}
            config.data_docs_sites = {"local_site": {
                "class_name": "SiteBuilder", "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(qpaths.data_docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}}}
        self.context = gx.get_context(project_config=config, mode="ephemeral")
        # where the models run on Spark, the suites validate Spark DataFrames (quality/spark.py)
        self.spark = engine() == "spark" if spark is None else spark
        self.datasource = (self.context.data_sources.add_spark(DATASOURCE) if self.spark
                           else self.context.data_sources.add_pandas(DATASOURCE))
        self.definitions: dict = {}
        self.run_names: dict[str, int] = {}  # the runs whose pages to render -> 0 blocking failure, 1 other

    def definition(self, name: str, build):
        if name not in self.definitions:
            suite = self.context.suites.add(build(self.thresholds))
            batch_definition = self.datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("batch")
            self.definitions[name] = self.context.validation_definitions.add(
                self.gx.ValidationDefinition(name=name, data=batch_definition, suite=suite))
        return self.definitions[name]

    def validate(self, name: str, build, frame: pl.DataFrame, params: dict, run_name: str,
                 index_columns: tuple[str, ...], complete: bool = False):
        from great_expectations.core.run_identifier import RunIdentifier

        definition = self.definition(name, build)
        if self.docs != "none":  # the batch's earlier results (and so its earlier Data Docs page) are replaced
            shutil.rmtree(self.qpaths.validations / name / run_name, ignore_errors=True)
        result_format = {"result_format": "COMPLETE" if complete else "SUMMARY",
                         "partial_unexpected_count": results.MAX_EXAMPLES,
                         "unexpected_index_column_names": [c for c in index_columns if c in frame.columns]}
        result = definition.run(
            batch_parameters={"dataframe": self._dataframe(frame)},
            expectation_parameters={k: v for k, v in params.items() if not k.startswith("_")},
            result_format=result_format,
            run_id=RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC)))
        # (a suite "succeeds" in GX 1.x when only warning-severity expectations fail: look at each)
        failed = [r.expectation_config for r in result.results if not r.success]
        if self.docs == "all" or (self.docs == "failures" and failed):
            blocking = any(SEVERITIES[str(getattr(c.severity, "value", c.severity))] == "blocking" for c in failed)
            self.run_names[run_name] = 0 if blocking else 1
        return result

    def _dataframe(self, frame: pl.DataFrame):
        if self.spark:
            from quality import spark

            return spark.dataframe(frame)
        return frame.to_pandas()

    def build_docs(self) -> str | None:
        """Render the pages of this run's validations and of the suites, then the index."""
        if self.docs == "none":
            return None
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        chosen = pages_to_render(self.run_names, None if self.docs == "all" else DOCS_PAGES)
        store = self.context.validation_results_store
        keys = [k for k in store.list_keys() if k.run_id.run_name in set(chosen)]
        keys += [ExpectationSuiteIdentifier(name=name) for name in self.definitions]
        self.context.build_data_docs(site_names=["local_site"], resource_identifiers=keys)
        return str(self.qpaths.data_docs / "index.html")


def pages_to_render(run_names: dict[str, int], limit: int | None) -> list[str]:
    """The runs to render (run name -> 0 with a blocking failure, 1 other): blocking first, then by name."""
    chosen = sorted(run_names, key=lambda name: (run_names[name], name))
    if limit is not None and len(chosen) > limit:
        log.info("Data Docs: pages for %d of the %d batches with a failed check (blocking first); "
                 "the results hold every one", limit, len(chosen))
    return chosen[:limit]


def rows_for(batch: Batch, suite_result, params: dict, base: dict, source: str, index_columns) -> list[dict]:
    """Our result rows (results.SCHEMA) from a GX suite validation result of one batch."""
    from quality.suites._common import fix, title

    rows = []
    for r in suite_result.results:
        config = r.expectation_config
        check = config.meta["check"]
        value, number, examples = results.observed(r)
        partial = (r.result or {}).get("partial_unexpected_index_list") or []
        examples = examples and [results.describe_row(source, {"grid_code": g}) for g in examples]
        examples = examples or [results.describe_row(source, row, index_columns)
                                for row in partial[:results.MAX_EXAMPLES]]
        rows.append(base | {
            "suite_name": source, "check_name": check, "check_title": title(source, check, base["_thresholds"]),
            "expectation_type": config.type, "column_name": config.kwargs.get("column") or config.kwargs.get("column_A"),
            "severity": SEVERITIES[str(getattr(config.severity, "value", config.severity))],
            "success": bool(r.success), "observed_value": value, "observed_number": number,
            "expected": _expected(check, config.type, config.kwargs, params, source),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
            "element_count": (r.result or {}).get("element_count"),
            "unexpected_percent": (r.result or {}).get("unexpected_percent"),
            "examples": "；".join(examples) or None,
            "fix_hint": None if r.success else fix(source, check, base["_thresholds"]),
        })
    return [{k: row[k] for k in results.SCHEMA} for row in rows]


def _expected(check: str, expectation_type: str, kwargs: dict, params: dict, source: str) -> str | None:
    if check == "residents_change":
        month, previous = params.get("_previous_month"), params.get("_previous_residents")
        if not previous:
            return texts.RESULTS["no_previous"]
        return texts.RESULTS["residents_bounds"].format(lo=kwargs["min_value"], hi=kwargs["max_value"], month=month,
                                                        previous=previous)
    if check == "worker_records_norm":
        median = params.get("_street_median")
        return (texts.RESULTS["worker_bound"].format(hi=kwargs["max_value"], median=median) if median
                else texts.RESULTS["no_norm"])
    return results.expected(expectation_type, kwargs, source)


def ledger_rows(batches: list[Batch], ledger_frame: pl.DataFrame, ledger_result, bases: dict[str, dict]) -> dict:
    """One quarantine_share row per batch, from the ledger suite's per-file result."""
    from quality.suites._common import fix, title
    from quality.suites.ledger import CHECK

    r = ledger_result.results[0]
    failing = {(d["batch_key"], d["file_path"]) for d in (r.result or {}).get("unexpected_index_list") or []}
    by_batch: dict[str, list[dict]] = {}
    for f in ledger_frame.sort("quarantined_share", descending=True).iter_rows(named=True):
        by_batch.setdefault(f["batch_key"], []).append(f)
    out = {}
    for b in batches:
        files = by_batch.get(b.key, [])
        bad = [f for f in files if (b.key, f["file_path"]) in failing]
        share = max((f["quarantined_share"] for f in files), default=0.0)
        t = bases[b.key]["_thresholds"]
        shown = (bad or files[:1])[:results.MAX_EXAMPLES]
        examples = [texts.RESULTS["file_share"].format(file=f["file_path"], quarantined=f["rows_quarantined"],
                                                       read=f["rows_read"], share=f["quarantined_share"]) for f in shown]
        row = bases[b.key] | {
            "suite_name": "ledger", "check_name": CHECK, "check_title": title(b.source, CHECK, t),
            "expectation_type": r.expectation_config.type, "column_name": "quarantined_share",
            "severity": "blocking", "success": not bad,
            "observed_value": f"{share:.2%}" + (texts.RESULTS["worst_file"].format(file=files[0]["file_path"])
                                                if len(files) > 1 else ""),
            "observed_number": share,
            "expected": texts.RESULTS["quarantine_bound"].format(limit=t.quarantine_share(b.source),
                                                                 min_rows=t.quarantine_min_rows()),
            "unexpected_count": len(bad), "element_count": len(files),
            "unexpected_percent": 100.0 * len(bad) / len(files) if files else 0.0,
            "examples": "；".join(examples) or None,
            "fix_hint": fix(b.source, CHECK, t) if bad else None,
        }
        out[b.key] = {k: row[k] for k in results.SCHEMA}
    return out
