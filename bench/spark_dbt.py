"""Run dbt on the Spark target (issue #18 item 3, prototype; docs/scale-out.md).

    /work/spark-venv/bin/python bench/spark_dbt.py build [dbt args…]

Sets the environment the pipeline sets for DuckDB (GRIDPULSE_LAKE, DBT_PROFILES_DIR, target and log
paths under the data folder) plus GRIDPULSE_SPARK_DATA (the Derby metastore and the warehouse folder),
and passes --target spark and var `absent_inputs`: the optional inputs that have no file (Spark SQL
cannot list files; macros/lake/lake_files.sql). One dbt command at a time: Derby admits one process.
Data folder: GRIDPULSE_DATA (default data/)."""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "dbt_project"
# Optional inputs read through files_exist(): the lake-relative patterns the models check.
OPTIONAL = ["hotline/month=*/*.parquet", "_quality/*/month=*/*.parquet", "../corrections/hotline_places.csv"]


def spark_env(data: Path) -> dict[str, str]:
    lake = Path(os.environ.get("GRIDPULSE_LAKE", data / "lake")).resolve()
    return os.environ | {
        "GRIDPULSE_LAKE": str(lake),
        "GRIDPULSE_SPARK_DATA": str((data / "spark").resolve()),
        "DBT_PROFILES_DIR": str(PROJECT),
        "DBT_TARGET_PATH": str((data / "spark" / "dbt" / "target").resolve()),
        "DBT_LOG_PATH": str((data / "spark" / "dbt" / "logs").resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def absent_inputs(lake: str) -> list[str]:
    return [f"{lake}/{p}" for p in OPTIONAL if not glob.glob(f"{lake}/{p}")]


def main(argv: list[str]) -> int:
    data = Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")).resolve()
    env = spark_env(data)
    (data / "spark").mkdir(parents=True, exist_ok=True)
    dbt = str(Path(sys.executable).parent / "dbt")
    command, rest = (argv[0], argv[1:]) if argv else ("build", [])
    args = [dbt, command, "--project-dir", str(PROJECT), "--target", "spark",
            "--vars", json.dumps({"absent_inputs": absent_inputs(env["GRIDPULSE_LAKE"])}), *rest]
    start = time.perf_counter()
    rc = subprocess.call(args, env=env, cwd=data / "spark")
    print(f"spark_dbt: dbt {command} exit {rc} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
