"""The figures of a city benchmark run that the issue asks for, each next to its target."""

from __future__ import annotations

from pipelines.ingest.contracts import SOURCES


def _rate(rows: int, seconds: float) -> int:
    return round(rows / seconds) if seconds else 0


def peak(stage: dict) -> float:
    """A stage's peak memory: its process tree's (sampled), at least its own largest process's."""
    return stage.get("tree_peak_mb", stage["peak_mb"])


def summarise(stages: dict) -> dict:
    """The figures the issue asks for, each next to its target."""
    ingest = []
    for s in SOURCES:
        i, b = stages["ingest"][s], stages["bare"][s]
        ratio = _rate(i["rows"], i["seconds"]) / max(_rate(b["rows"], b["seconds"]), 1)
        ingest.append({"source": s, "files": i["files"], "rows": i["rows"], "ingest_s": round(i["seconds"], 2),
                       "ingest_rows_per_s": _rate(i["rows"], i["seconds"]), "bare_s": round(b["seconds"], 2),
                       "bare_rows_per_s": _rate(b["rows"], b["seconds"]), "ratio": round(ratio, 2),
                       "peak_mb": peak(i)})
    rows = sum(r["rows"] for r in ingest)
    total_ingest = sum(r["ingest_s"] for r in ingest)
    total_bare = sum(r["bare_s"] for r in ingest)
    full = total_ingest + stages["quality"]["seconds"] + stages["dbt"]["seconds"] + stages["publish"]["seconds"]
    landed = sum(stages["ingest"][s].get("rows_landed", stages["ingest"][s]["rows"]) for s in SOURCES)
    # the stages after ingest work on what landed: their rows/s are landed rows over their time
    throughput = {k: _rate(landed, stages[k]["seconds"]) for k in ("quality", "dbt", "publish", "kpi_sql")}
    pages = stages["queries"]["pages"]
    peaks = {"generate": peak(stages["generate"]), **{f"ingest {s}": peak(stages["ingest"][s]) for s in SOURCES},
             **{k: peak(stages[k]) for k in ("quality", "dbt", "publish", "incremental", "kpi_sql", "queries")}}
    pandas = stages["pandas"]
    return {
        "ingest": ingest,
        "ingest_ratio_all": round((rows / total_ingest) / (rows / total_bare), 2) if total_ingest and total_bare else None,
        "rows_landed": landed,
        "landed_rows_per_s": throughput,
        "dbt_over_sql": round(stages["dbt"]["seconds"] / stages["kpi_sql"]["seconds"], 2),
        "full_run_s": round(full, 1),
        "incremental_s": round(stages["incremental"]["seconds"], 1),
        "incremental_share": round(stages["incremental"]["seconds"] / full, 3),
        "pages_p95_max_ms": max(p["p95_ms"] for p in pages),
        "peak_mb": peaks,
        "peak_mb_max": max(peaks.values()),
        "pandas_vs_fastexcel": pandas,
        "targets": {"ingest_ratio": ">= 0.5", "dbt_over_sql": "<= 2", "pages_p95_ms": "<= 150", "peak_mb": "<= 8192"},
    }
