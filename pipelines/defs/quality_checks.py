"""The quality gate as Dagster asset checks: per lake source, a blocking check and a warnings check.

`lake/<source>` gets `quality_gate` (blocking=True: when a blocking rule fails, the dbt models and
the serving snapshot downstream are not materialised in that run) and `quality_warnings`
(severity WARN, stops nothing). Both come from one `gate.check(paths, sources=(source,))`, which
validates only the source's new or changed batches.
"""

import dagster as dg

from pipelines.core import texts
from pipelines.defs.partitions import WRITER_POOL
from pipelines.defs.resources import GridPulsePaths, writer
from pipelines.defs.runs import reporter
from pipelines.ingest.contracts import SOURCES
from quality.gate import GateResult, check

GATE, WARNINGS = "quality_gate", "quality_warnings"

# The dbt source `lake_quality.check_results` (the gate's Parquet results), kept by the checks.
check_results_spec = dg.AssetSpec(
    ["lake_quality", "check_results"], group_name="lake", deps=[dg.AssetKey(["lake", s]) for s in SOURCES],
    description="Results of the quality checks (lake/_quality), kept by the lake assets' asset checks.")


def _table(findings, limit: int = 50) -> str:
    lines = ["| batch | check | observed | examples |", "|---|---|---|---|"]
    lines += [f"| {f.scope_code} {f.report_month} | {f.check_title} | {f.observed_value} | {f.examples or ''} |"
              for f in findings[:limit]]
    return "\n".join(lines)


def results_for(source: str, result: GateResult) -> list[dg.AssetCheckResult]:
    """The two check results of one source from its gate result."""
    key = dg.AssetKey(["lake", source])
    common = {"batches": result.batches, "validated_now": len(result.validated), "seconds": result.seconds,
              "data_docs": result.docs or ""}
    return [
        dg.AssetCheckResult(
            asset_key=key, check_name=GATE, passed=result.passed, severity=dg.AssetCheckSeverity.ERROR,
            description=texts.GATE_BLOCKED if result.blocking else result.summary(),
            metadata=common | {"blocking": len(result.blocking),
                               "failures": dg.MetadataValue.md(_table(result.blocking))}),
        dg.AssetCheckResult(
            asset_key=key, check_name=WARNINGS, passed=not result.warnings, severity=dg.AssetCheckSeverity.WARN,
            metadata=common | {"warnings": len(result.warnings),
                               "findings": dg.MetadataValue.md(_table(result.warnings))}),
    ]


def source_checks(source: str) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["lake", source])
    title = texts.SOURCE_TITLES[source]

    @dg.multi_asset_check(
        name=f"{source}_quality", pool=WRITER_POOL,
        specs=[dg.AssetCheckSpec(GATE, asset=key, blocking=True, description=texts.DAGSTER_GATE.format(title=title)),
               dg.AssetCheckSpec(WARNINGS, asset=key, description=texts.DAGSTER_WARNINGS.format(title=title))])
    def _check(context: dg.AssetCheckExecutionContext, gridpulse: GridPulsePaths):
        paths, rep = gridpulse.paths(), reporter()
        with writer(context, paths), rep.step("quality"):
            result = check(paths, sources=(source,), progress=lambda i, n, _: rep.progress("quality", i, n))
        rep.checked(result)
        context.log.info(result.summary())
        yield from results_for(source, result)

    return _check


asset_checks = [source_checks(s) for s in SOURCES]
