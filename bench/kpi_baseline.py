"""The transformation ceiling: the headline KPI marts computed by one hand-written DuckDB script
(bench/kpi_baseline.sql) straight from the lake's Parquet files, next to what dbt builds.

`measure_kpi_baseline(paths)` runs the script in a fresh in-memory DuckDB in a child process, so that its
peak memory is the child's own, and compares the baseline's community-month figures with the mart
`kpi_community_monthly` of the serving snapshot.

The peak is the child's VmHWM (/proc/self/status: the high-water mark of its own address space). The
child's getrusage ru_maxrss is not used on Linux: it keeps the RSS the process had when it was forked
from the parent, so under pytest (a parent holding half a gigabyte) it reports the parent's size.

By hand: `.venv/bin/python -m bench.kpi_baseline` (GRIDPULSE_DATA names the installation).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.core.settings import DBT_PROJECT_DIR, ROOT, Paths, duckdb_memory_limit
from pipelines.ingest.contracts import SOURCES

SQL = Path(__file__).with_name("kpi_baseline.sql")
TABLES = ("kpi_grid_monthly_baseline", "kpi_community_monthly_baseline", "kpi_street_monthly_baseline")
# Columns of the baseline that kpi_community_monthly also has, compared per (community, month).
COUNTS = ("has_register", "residents", "residents_registered", "residents_floating", "residents_foreign", "households",
          "cases_accepted", "cases_accepted_closed", "cases_closed_on_time", "cases_closed", "open_cases_at_end",
          "overdue_open_cases", "grids_active", "grids_patrolled", "moved_in", "transferred_in", "moved_out",
          "transferred_out", "deaths")
RATES = ("closure_rate", "on_time_closure_rate")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def peak_rss_mb() -> float:
    """This process's peak resident memory since its exec (VmHWM), or ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(lake: str, seeds: str, export: str, threads: int | None) -> None:
    """Runs in the child process: the script, then row counts and the community table for comparison."""
    import duckdb

    before_mb = peak_rss_mb()
    con = duckdb.connect(":memory:")
    # spill (if it comes to that) beside the export, in the caller's temporary directory, not in the cwd
    con.execute(f"set temp_directory = {_quote(str(Path(export).parent / 'spill'))}")
    # the warehouse's memory limit (dbt's DuckDB has the same), so that both spill at the same size
    con.execute(f"set memory_limit = {_quote(duckdb_memory_limit())}")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    con.execute(f"set variable lake = {_quote(lake)}")
    con.execute(f"set variable seeds = {_quote(seeds)}")
    script = SQL.read_text(encoding="utf-8")
    start = time.perf_counter()
    con.execute(script)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    rows = {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}
    input_rows = {}
    for source in SOURCES:
        if not any(Path(lake).glob(f"{source}/month=*/*.parquet")):  # an optional source with no file yet
            input_rows[source] = 0
            continue
        pattern = _quote(f"{lake}/{source}/month=*/*.parquet")
        input_rows[source] = con.execute(
            f"select coalesce(sum(num_rows), 0) from parquet_file_metadata({pattern})").fetchone()[0]
    con.execute(f"copy kpi_community_monthly_baseline to {_quote(export)} (format parquet)")
    print(json.dumps({"seconds": seconds, "rows": rows, "input_rows": input_rows,
                      "peak_rss_mb": peak_mb, "rss_before_sql_mb": before_mb}))


def compare_with_mart(serving: Path, baseline_parquet: Path) -> dict:
    """Per (community, month): how many rows of the baseline equal kpi_community_monthly, column by column."""
    from pipelines.core.snapshot import open_snapshot

    con = open_snapshot(serving)
    try:
        con.execute(f"create temp table baseline as select * from read_parquet({_quote(str(baseline_parquet))})")
        equal = {c: f"b.{c} is not distinct from m.{c}" for c in COUNTS}
        equal |= {c: f"(b.{c} is null and m.{c} is null) or abs(b.{c} - m.{c}) < 1e-9" for c in RATES}
        select = ", ".join(f"count(*) filter (where b.community_code is not null and m.community_code is not null "
                           f"and ({cond})) as \"{c}\"" for c, cond in equal.items())
        every = " and ".join(f"({cond})" for cond in equal.values())
        row = con.execute(f"""
            select count(b.community_code) as rows_baseline, count(m.community_code) as rows_mart,
                   count(*) filter (where b.community_code is not null and m.community_code is not null) as rows_matched,
                   count(*) filter (where b.community_code is not null and m.community_code is not null and {every})
                       as rows_all_equal,
                   {select}
            from temp.baseline b
            full join marts.kpi_community_monthly m using (community_code, month_start)""").fetchone()
        names = ["rows_baseline", "rows_mart", "rows_matched", "rows_all_equal", *equal]
        result = dict(zip(names, (int(v) for v in row)))
    finally:
        con.close()
    return {**{k: result[k] for k in names[:4]}, "equal": {c: result[c] for c in equal}}


def measure_kpi_baseline(paths: Paths, threads: int | None = None, compare: bool = True) -> dict:
    """Run bench/kpi_baseline.sql on the installation's lake in a child process.

    Returns {"seconds": script run time inside the child, "wall_seconds": child process start to end,
    "rows": {output table: rows}, "input_rows": {lake source: rows}, "peak_rss_mb": the child's peak
    resident memory up to the end of the script, "rss_before_sql_mb": its peak before the script ran
    (interpreter and duckdb loaded),
    "vs_mart": comparison with kpi_community_monthly (when `compare` and a snapshot exists)}.
    """
    seeds = DBT_PROJECT_DIR / "seeds"
    with tempfile.TemporaryDirectory(prefix="kpi_baseline_") as tmp:
        export = Path(tmp) / "kpi_community_monthly_baseline.parquet"
        args = [sys.executable, "-m", "bench.kpi_baseline", "--child", str(paths.lake), str(seeds), str(export),
                str(threads or 0)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        start = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"kpi baseline failed ({proc.returncode}): {proc.stderr}")
        child = json.loads(proc.stdout)
        result = {"seconds": round(child["seconds"], 3), "wall_seconds": round(wall, 3), "rows": child["rows"],
                  "input_rows": child["input_rows"], "peak_rss_mb": round(child["peak_rss_mb"], 1),
                  "rss_before_sql_mb": round(child["rss_before_sql_mb"], 1)}
        if compare and paths.serving.exists():
            result["vs_mart"] = compare_with_mart(paths.serving, export)
    return result


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        lake, seeds, export, threads = argv[1:5]
        _child(lake, seeds, export, int(threads) or None)
        return
    print(json.dumps(measure_kpi_baseline(Paths.from_env()), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
