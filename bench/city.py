"""`make bench SF=0.1`: the pipeline at city scale, stage by stage, against baselines in the same run.

The city is the demo generator laid over the real structure of Chengdu (demo/city.py):
SF=1 is every one of its 3,047 communities, a smaller SF a share of them in every street. Each
stage runs in a child process of its own (`python -m bench.city <stage> <root>`), so that its wall
time and peak memory (the child's and its own children's, e.g. dbt) are its alone; the parent
collects one JSON line per stage into bench/results/city_sf<SF>.json.

Stages: generation (reported, not judged) · bare reads (the ceiling for ingest) · ingest per source ·
quality gate · dbt build · publish · the feedback workbooks and warning list · a one-day incremental run (the last day's case log held back,
then delivered) · the KPI marts' models alone (like for like) · the hand-written SQL baseline · a
pandas/openpyxl sample · dashboard page queries.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pipelines.core.settings import DBT_PROJECT_DIR
from pipelines.ingest.contracts import SOURCES  # the ingest order: grids first

SCOPE = "5101"  # 成都市: the installation's scope is the whole city


def _paths(root: Path):
    """The city installation: its files, and its scope (the whole city, not the demo street)."""
    from pipelines.core.settings import Paths

    return Paths(raw=root / "raw", data=root / "data", street=SCOPE)


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _held_back(root: Path) -> Path:
    return root / "held_back"


def _hold_back_last_day(root: Path) -> str:
    """The last day's case log waits outside raw/ for the incremental stage."""
    last = sorted((root / "raw" / "cases").rglob("*.jsonl"))[-1]
    target = _held_back(root) / last.relative_to(root / "raw")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(last, target)
    return target.relative_to(root).as_posix()


def stage_generate(root: Path, sf: float, months: int, seed: int) -> dict:
    from demo.city import generate_city

    summary = generate_city(root / "raw", root / "truth", sf=sf, seed=seed, months=months, progress=False)
    summary["held_back"] = _hold_back_last_day(root)
    return {"summary": {k: v for k, v in summary.items() if k not in ("raw_dir", "truth_dir")}}


def stage_bare(root: Path, source: str) -> dict:
    from bench.ingest import bare_reads
    from pipelines.ingest.run import scan

    files = scan(_paths(root), source)
    return {"source": source, "files": len(files), **bare_reads([f.path for f in files])}


def stage_ingest(root: Path, source: str) -> dict:
    from pipelines.ingest.run import Ingestor

    t = time.perf_counter()
    outcomes = Ingestor(_paths(root)).run(sources=(source,))
    seconds = time.perf_counter() - t
    return {"source": source, "files": len(outcomes), "seconds": seconds,
            "rows": sum(o["rows_read"] for o in outcomes),
            "rows_landed": sum(o["rows_landed"] for o in outcomes),
            "rows_quarantined": sum(o["rows_quarantined"] for o in outcomes),
            "statuses": {s: sum(o["status"] == s for o in outcomes) for s in {o["status"] for o in outcomes}}}


def stage_quality(root: Path) -> dict:
    from pipelines.ingest.calendar import write_calendar
    from quality.gate import check

    paths = _paths(root)
    write_calendar(paths.lake)
    t = time.perf_counter()
    result = check(paths).as_dict()
    return {"seconds": time.perf_counter() - t, "verdict": result}


def stage_dbt(root: Path) -> dict:
    from pipelines.transform.dbt import dbt_build

    paths = _paths(root)
    t = time.perf_counter()
    checks = dbt_build(paths)
    seconds = time.perf_counter() - t
    results = json.loads((paths.data / "dbt" / "target" / "run_results.json").read_text())["results"]
    kinds = [r["unique_id"].split(".")[0] for r in results]  # model, test, seed, unit_test
    by_kind = {k: round(sum(r["execution_time"] for r, rk in zip(results, kinds) if rk == k), 1) for k in set(kinds)}
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:6]
    return {"seconds": seconds, "tests": checks, "nodes": len(results), "execution_s_by_kind": by_kind,
            "slowest": [(r["unique_id"].split(".")[-1], round(r["execution_time"], 1)) for r in slowest]}


KPI_MARTS = ("kpi_grid_monthly", "kpi_community_monthly", "kpi_street_monthly")  # what kpi_baseline.sql computes


def stage_kpi_models(root: Path) -> dict:
    """Like for like with the hand-written SQL: only the marts it computes and their ancestors (models and
    seeds, into a warehouse of their own), then their tests, timed apart. On the engine of
    GRIDPULSE_ENGINE (Spark: a Spark folder of its own)."""
    from pipelines.transform.dbt import dbt_env, dbt_executable, spark_env

    paths = _paths(root)
    warehouse, spark = paths.data / "kpi_models.duckdb", paths.data / "kpi_models_spark"
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(spark, ignore_errors=True)
    env = dbt_env(paths) | {"GRIDPULSE_WAREHOUSE": str(warehouse.resolve()),
                            "DBT_TARGET_PATH": str((paths.data / "dbt" / "kpi_models").resolve())}
    if "GRIDPULSE_SPARK_DATA" in env:
        spark.mkdir(parents=True)
        env |= spark_env(paths, spark)
    select = ["--select", *(f"+{m}" for m in KPI_MARTS)]
    seconds, nodes = {}, {}  # per step: its wall time, and its nodes from dbt's run_results.json
    for step, args in (("models", ["build", *select, "--resource-type", "model", "--resource-type", "seed"]),
                       ("tests", ["test", *select, "--indirect-selection", "cautious"])):
        t = time.perf_counter()
        proc = subprocess.run([dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)], env=env,
                              cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
        seconds[step] = round(time.perf_counter() - t, 2)
        if step == "models" and proc.returncode:
            raise RuntimeError(f"dbt build of the KPI marts failed:\n{proc.stdout[-3000:]}")
        nodes[step] = json.loads((paths.data / "dbt" / "kpi_models" / "run_results.json").read_text())["results"]
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(spark, ignore_errors=True)
    slowest = sorted(nodes["models"], key=lambda r: -r["execution_time"])[:8]
    tests = nodes["tests"]
    return {"seconds": seconds["models"], "tests_seconds": seconds["tests"], "marts": KPI_MARTS,
            "slowest_models_s": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in slowest},
            "tests": {status: sum(r["status"] == status for r in tests) for status in {r["status"] for r in tests}}}


def stage_publish(root: Path) -> dict:
    import duckdb

    from pipelines.publish.snapshot import publish

    paths = _paths(root)
    t = time.perf_counter()
    publish(paths)
    seconds = time.perf_counter() - t
    con = duckdb.connect(str(paths.serving), read_only=True)
    tables = con.execute("select count(*) from information_schema.tables").fetchone()[0]
    con.close()
    return {"seconds": seconds, "tables": tables, "mb": round(paths.serving.stat().st_size / 2**20, 1)}


def stage_artifacts(root: Path) -> dict:
    """What a run publishes beside the snapshot: every community × month feedback workbook (all of them
    on a first run) and the day's warning list."""
    from pipelines.publish.artifacts import feedback_workbooks
    from pipelines.publish.warning_list import write_warning_list

    paths = _paths(root)
    t = time.perf_counter()
    workbooks = feedback_workbooks(paths)
    warnings = write_warning_list(paths)
    return {"seconds": time.perf_counter() - t, "workbooks": workbooks, "warning_list": warnings}


def stage_incremental(root: Path) -> dict:
    """Deliver the held-back day and run what the daily schedule runs: new files → gate → dbt → publish."""
    from pipelines.defs.launch import launch

    for held in sorted(_held_back(root).rglob("*.jsonl")):
        target = root / "raw" / held.relative_to(_held_back(root))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(held, target)
    t = time.perf_counter()
    summary = launch(_paths(root))
    return {"seconds": time.perf_counter() - t, "stages": summary.seconds, "rows_read": summary.rows_read,
            "files": summary.files, "status": summary.status}


def stage_kpi_sql(root: Path) -> dict:
    from bench.kpi_baseline import measure_kpi_baseline

    return measure_kpi_baseline(_paths(root))


def stage_pandas(root: Path) -> dict:
    from bench.pandas_baseline import measure_pandas_sample

    files = sorted((root / "raw" / "population").rglob("*.xlsx"))
    return measure_pandas_sample(files, max_files=12)


def stage_queries(root: Path) -> dict:
    from bench.queries import measure_page_queries

    return {"pages": measure_page_queries(_paths(root), repeats=5)}


STAGES = {"generate": stage_generate, "bare": stage_bare, "ingest": stage_ingest, "quality": stage_quality,
          "dbt": stage_dbt, "kpi_models": stage_kpi_models, "publish": stage_publish, "artifacts": stage_artifacts,
          "incremental": stage_incremental,
          "kpi_sql": stage_kpi_sql,
          "pandas": stage_pandas, "queries": stage_queries}


def _child(stage: str, root: Path, *args: str) -> dict:
    """Run one stage in a fresh interpreter; its last stdout line is the stage's JSON."""
    env = os.environ | {"GRIDPULSE_STREET": SCOPE, "GRIDPULSE_RAW": str(root / "raw"),
                        "GRIDPULSE_DATA": str(root / "data"), "GRIDPULSE_WAREHOUSE": str(root / "data" / "warehouse.duckdb")}
    t = time.perf_counter()
    with open(root / f".stage-{stage}.out", "w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bench.city", stage, str(root), *args], env=env,
                                stdout=out, text=True)
        tree_peak = 0
        while proc.poll() is None:  # the stage's whole process tree (workers, dbt) at once
            tree_peak = max(tree_peak, _tree_rss_kb(proc.pid))
            time.sleep(0.2)
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode:
        raise SystemExit(f"bench stage {stage} {' '.join(args)} failed (exit {proc.returncode})")
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.perf_counter() - t, 2)
    result["tree_peak_mb"] = round(max(tree_peak / 1024, result["peak_mb"]), 1)
    print(f"  {stage:<12} {' '.join(args):<11} {result['wall_s']:>8.1f} s  peak {result['tree_peak_mb']:>7.0f} MB",
          flush=True)
    return result


def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, summed (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            rss[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier += children
    return sum(rss.get(pid, 0) for pid in tree)


AFTER_INGEST = ("quality", "dbt", "publish", "artifacts", "incremental", "kpi_models", "kpi_sql", "pandas", "queries")


def run(sf: float, months: int, seed: int, work: Path, resume: bool = False) -> dict:
    """Every stage in order on a city of scale `sf`; the raw files are kept between runs of the same SF.
    With `resume`, the stages in the last run's stages.json are kept and the run goes on from there
    on its data (the held-back day must still be held back for the incremental stage)."""
    root = work / f"city-sf{sf:g}-m{months}-s{seed}"
    progress = root / "stages.json"  # every finished stage so far, should a later one fail or be stopped
    if resume:
        if not progress.exists():
            raise SystemExit(f"nothing to resume: no {progress}")
        stages = json.loads(progress.read_text())
        for name in AFTER_INGEST:
            if name not in stages:
                stages[name] = _child(name, root)
                progress.write_text(json.dumps(stages, ensure_ascii=False, default=str))
        return stages
    stages: dict = {}
    marker = root / "generated.json"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        generated = _child("generate", root, str(sf), str(months), str(seed))
        marker.write_text(json.dumps(generated, ensure_ascii=False))
    elif not any(_held_back(root).rglob("*.jsonl")):  # an earlier run delivered it: hold it back again
        _hold_back_last_day(root)
    stages["generate"] = json.loads(marker.read_text())
    shutil.rmtree(root / "data", ignore_errors=True)
    for name in ("bare", "ingest"):
        stages[name] = {}
        for source in SOURCES:
            stages[name][source] = _child(name, root, source)
            progress.write_text(json.dumps(stages, ensure_ascii=False, default=str))
    for name in AFTER_INGEST:
        stages[name] = _child(name, root)
        progress.write_text(json.dumps(stages, ensure_ascii=False, default=str))
    return stages


def main_stage(argv: list[str]) -> None:
    stage, root, *args = argv
    if stage.endswith("@spark"):  # a stage on the Spark engine (bench/engines.py)
        stage = stage.removesuffix("@spark")
        os.environ["GRIDPULSE_ENGINE"] = "spark"
    fn = STAGES[stage]
    typed = [float(args[0]), int(args[1]), int(args[2])] if stage == "generate" else args
    result = fn(Path(root), *typed)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main_stage(sys.argv[1:])

