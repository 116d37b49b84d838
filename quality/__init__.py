"""GridPulse data quality: Great Expectations suites per source, the publish gate, and the
per-community submission report (DESIGN.md §2, issue 4).

- `quality.gate.check(paths) -> GateResult` validates new or changed lake batches and stores results
  under `data/lake/_quality/` (dbt exposes them as `marts.fct_check_results`), GX Data Docs under
  `data/gx/uncommitted/data_docs/`;
- `quality.gate.guard(result)` raises `QualityGateFailed` when a blocking check fails;
- `quality.report.write_report(paths, community, month)` writes the community's xlsx report.
"""
