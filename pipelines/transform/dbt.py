"""Run the dbt project against the lake: dbt-duckdb writes data/warehouse.duckdb, or, with
GRIDPULSE_ENGINE=spark, dbt-spark (session mode) writes the models as Parquet under data/spark/."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path

from pipelines.core.settings import DBT_PROJECT_DIR, Paths, duckdb_memory_limit, engine
from pipelines.transform import scope

NODE_DONE = re.compile(r"\b\d+ of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


class DbtFailed(RuntimeError):
    pass


# Optional inputs the models read only when a file is there (macro files_exist, in the lake folder's
# terms). Spark SQL cannot list files, so on Spark the runner says which of them are absent.
OPTIONAL_INPUTS = ("hotline/month=*/*.parquet", "_quality/*/month=*/*.parquet", "../corrections/hotline_places.csv")


def absent_inputs(lake: Path) -> list[str]:
    """The optional inputs with no file Spark would read: it skips names starting with `_` or `.`
    (the lake's `_empty.parquet`, which gives DuckDB a source's columns, is no data to Spark)."""
    root = str(lake.resolve())
    return [f"{root}/{p}" for p in OPTIONAL_INPUTS
            if not any(not Path(f).name.startswith(("_", ".")) for f in glob.glob(f"{root}/{p}"))]


def spark_env(paths: Paths, folder: Path | None = None) -> dict[str, str]:
    """The spark target's settings (profiles.yml): its folders (`folder`, default data/spark), the
    absent inputs, and Derby's log file in the Spark folder instead of the working folder."""
    folder = (folder or paths.spark).resolve()
    return {"DBT_TARGET": "spark", "GRIDPULSE_SPARK_DATA": str(folder),
            "GRIDPULSE_ABSENT_INPUTS": json.dumps(absent_inputs(paths.lake)),
            "JAVA_TOOL_OPTIONS": f"-Dderby.stream.error.file={folder / 'derby.log'}"}


def dbt_env(paths: Paths) -> dict[str, str]:
    extra = spark_env(paths) if engine() == "spark" else {}
    if extra:
        paths.spark.mkdir(parents=True, exist_ok=True)
    return os.environ | extra | {
        "GRIDPULSE_LAKE": str(paths.lake.resolve()),
        "GRIDPULSE_WAREHOUSE": str(paths.warehouse.resolve()),
        "GRIDPULSE_DUCKDB_MEMORY": duckdb_memory_limit(),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": str((paths.data / "dbt" / "target").resolve()),
        "DBT_LOG_PATH": str((paths.logs / "dbt").resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def run_dbt(paths: Paths, *args: str, echo: bool = False) -> str:
    """Run `dbt <args>` in the project; raise DbtFailed with dbt's own summary on failure."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)],
                          env=dbt_env(paths), cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if echo:
        print(out)
    if proc.returncode != 0:
        tail = "\n".join(line for line in out.splitlines()[-40:] if line.strip())
        raise DbtFailed(f"dbt {' '.join(args)} failed:\n{tail}")
    return out


def build(paths: Paths, select: str | None = None) -> str:
    return run_dbt(paths, "build", *(["--select", select] if select else []))


def dbt_checks(run_results: Path) -> dict[str, int]:
    """Outcomes of the dbt data tests of the last build (run_results.json): pass / warn / fail / error."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return dict(Counter(r["status"] for r in results if r["unique_id"].startswith("test.")))


def dbt_build(paths: Paths, on_node: Callable[[int, int], None] | None = None,
              select: list[str] | None = None) -> dict[str, int]:
    """`dbt build` in a subprocess (of the `select`ed nodes; None: all), reporting each finished node;
    returns the data tests' outcomes. The pipeline builds through Dagster (pipelines/defs/transform.py);
    this plain form times the transformation alone in the benchmarks."""
    run_results = paths.data / "dbt" / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)
    mark = scope.ledger_mark(paths)
    scope.forget(paths)
    selected = ["--select", *select] if select else []
    proc = subprocess.Popen([dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR), *selected],
                            env=dbt_env(paths) | {"DBT_USE_COLORS": "false"}, cwd=DBT_PROJECT_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail: deque[str] = deque(maxlen=40)
    done = 0
    try:
        for line in proc.stdout:
            tail.append(line.rstrip())
            if (m := NODE_DONE.search(line)) and on_node:
                done += 1
                on_node(done, int(m.group(1)))
        code = proc.wait()
    finally:
        if proc.poll() is None:  # interrupted: do not leave dbt writing on its own
            proc.kill()
            proc.wait()
    checks = dbt_checks(run_results)
    if code:
        raise DbtFailed("dbt build failed:\n" + "\n".join(line for line in tail if line.strip()))
    scope.mark_built(paths, mark)
    return checks
