"""Run the dbt project against the lake (dbt-duckdb writes data/warehouse.duckdb)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .config import DBT_PROJECT_DIR, Paths


class DbtFailed(RuntimeError):
    pass


def dbt_env(paths: Paths) -> dict[str, str]:
    return os.environ | {
        "GRIDPULSE_LAKE": str(paths.lake.resolve()),
        "GRIDPULSE_WAREHOUSE": str(paths.warehouse.resolve()),
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
