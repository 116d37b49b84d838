"""DuckDB against Spark local on one lake: `make bench-engines` (SF=0.1 of Chengdu, 3 months).

The city's files are generated (kept between runs), ingested and checked once; then each engine
builds the whole dbt project (`dbt build`), the KPI marts' models alone (like for like with
bench/kpi_baseline.sql) and publishes its marts into a serving snapshot of its own, each stage in a
process of its own (bench/city.py measures wall time and the process tree's peak memory). Every
kpi_* mart of the two snapshots must be equal (bench/snapshot_compare.py). Figures in
bench/results/engines_sf<SF>.json; docs/scale-out.md quotes them."""
from __future__ import annotations

import argparse
import json
import shutil
import time

from bench import city
from bench.run import RESULTS, WORK, machine
from bench.snapshot_compare import compare_snapshots
from pipelines.ingest.contracts import SOURCES


def run(sf: float, months: int, seed: int) -> dict:
    root = WORK / f"city-sf{sf:g}-m{months}-s{seed}"
    if not (root / "generated.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        (root / "generated.json").write_text(json.dumps(city._child("generate", root, str(sf), str(months), str(seed))))
    for held in sorted(city._held_back(root).rglob("*.jsonl")):  # the whole period: the held-back day too
        target = root / "raw" / held.relative_to(city._held_back(root))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(held, target)
    shutil.rmtree(root / "data", ignore_errors=True)
    stages: dict = {"ingest": {s: city._child("ingest", root, s) for s in SOURCES}, "quality": city._child("quality", root)}
    serving = root / "data" / "serving.duckdb"
    for engine in ("duckdb", "spark"):
        suffix = "@spark" if engine == "spark" else ""
        stages[engine] = {name: city._child(name + suffix, root) for name in ("dbt", "kpi_models", "publish")}
        shutil.copy(serving, root / f"serving-{engine}.duckdb")
    compared = compare_snapshots(root / "serving-duckdb.duckdb", root / "serving-spark.duckdb")
    rows = sum(stages["ingest"][s]["rows_landed"] for s in SOURCES)
    summary = {engine: {"dbt_build_s": stages[engine]["dbt"]["wall_s"], "kpi_models_s": stages[engine]["kpi_models"]["seconds"],
                        "kpi_tests_s": stages[engine]["kpi_models"]["tests_seconds"],
                        "publish_s": stages[engine]["publish"]["wall_s"],
                        "dbt_peak_mb": stages[engine]["dbt"]["tree_peak_mb"]} for engine in ("duckdb", "spark")}
    summary["spark_over_duckdb"] = {k: round(summary["spark"][k] / summary["duckdb"][k], 1)
                                    for k in ("dbt_build_s", "kpi_models_s")}
    return {"sf": sf, "months": months, "seed": seed, "rows_landed": rows, "summary": summary,
            "kpi_marts_equal": all(r["equal"] for r in compared), "compared": compared, "stages": stages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, default=0.1)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    started = time.perf_counter()
    report = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S"),
              **run(args.sf, args.months, args.seed), "total_s": 0.0}
    report["total_s"] = round(time.perf_counter() - started, 1)
    out = RESULTS / f"engines_sf{args.sf:g}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(json.dumps(report["summary"], indent=1), f"\nKPI marts equal: {report['kpi_marts_equal']}\nresults in {out}")


if __name__ == "__main__":
    main()
