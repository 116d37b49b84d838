"""`make bench`: measured figures written to bench/results/*.json (and a Markdown table)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time

from pipelines.core.settings import ROOT, Paths

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "work"


def machine() -> dict:
    import dagster
    import duckdb
    import fastexcel
    import polars

    return {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(), "polars": polars.__version__, "duckdb": duckdb.__version__,
            "fastexcel": fastexcel.__version__, "dagster": dagster.__version__}


def street_year(seed: int = 2025) -> Paths:
    """The Huayang Street demo year, generated once into bench/work/street."""
    from demo.generator import generate

    paths = Paths(raw=WORK / "street" / "raw", data=WORK / "street" / "data")
    marker = WORK / "street" / f".generated-{seed}"
    if not marker.exists():
        shutil.rmtree(WORK / "street", ignore_errors=True)
        generate(paths.raw, paths.data / "demo" / "truth", seed=seed, progress=True)
        marker.touch()
    return paths


def table(rows: list[dict]) -> str:
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def city_bench(report: dict, sf: float, months: int, seed: int, resume: bool = False) -> None:
    from bench import city
    from bench.city_summary import summarise

    if not 0 < sf <= 1:
        raise SystemExit("SF must be in (0, 1]: 1 is all of Chengdu's 3,047 communities")
    print(f"city benchmark: SF={sf:g}, {months} months, seed {seed} (stage, wall time, peak memory)")
    started = time.perf_counter()
    stages = city.run(sf, months, seed, WORK, resume)
    baseline_file = RESULTS / "city_sf0.1.json"  # the gate's rows/s at SF=1 is judged against SF=0.1's
    baseline = json.loads(baseline_file.read_text(encoding="utf-8"))["summary"] if sf != 0.1 and baseline_file.exists() else None
    report |= {"sf": sf, "months": months, "seed": seed, "summary": summarise(stages, baseline), "stages": stages,
               "total_s": round(time.perf_counter() - started, 1)}
    out = RESULTS / f"city_sf{sf:g}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    summary = report["summary"]
    print(table(summary["ingest"]))
    print(table(stages["queries"]["pages"]))
    print(json.dumps({k: v for k, v in summary.items() if k not in ("ingest",)}, ensure_ascii=False, indent=1,
                     default=str))
    print(f"results in {out} ({report['total_s']} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description="GridPulse benchmarks")
    parser.add_argument("--only", default="ingest,dashboard", help="comma-separated stages (ingest, dashboard)")
    parser.add_argument("--sf", type=float, help="city scale factor (Chengdu; 1 = all 3,047 communities): runs the city benchmark")
    parser.add_argument("--months", type=int, default=3, help="months of data at city scale (default 3, a quarter)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--resume", action="store_true",
                        help="city benchmark: go on from the stages the last run of this SF finished (its stages.json)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    if args.sf is not None:
        city_bench(report, args.sf, args.months, args.seed, args.resume)
        return
    if "ingest" in args.only:
        from bench.ingest import measure

        paths = street_year()
        report["ingest"] = measure(paths, WORK / "ingest")
        print(table(report["ingest"]))
        (RESULTS / "ingest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if "dashboard" in args.only:
        from bench.dashboard import measure as measure_pages
        from pipelines.defs.launch import launch

        paths = street_year()
        if not paths.serving.exists():
            launch(paths)
        pages = {"machine": report["machine"], "when": report["when"], "pages": measure_pages(paths)}
        print(table(pages["pages"]))
        (RESULTS / "dashboard.json").write_text(json.dumps(pages, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"results in {RESULTS}")


if __name__ == "__main__":
    main()
