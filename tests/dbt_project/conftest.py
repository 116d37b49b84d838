"""The hand-built fixture warehouse, built once per session (tests/dbt_project/fixture.py), and
the manifest of `dbt parse`, for the tests that read the project only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.core.settings import DBT_PROJECT_DIR
from tests.dbt_project.fixture import Warehouse, new_warehouse


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Warehouse:
    built = new_warehouse(tmp_path_factory.mktemp("fixture"))
    built.build("build")
    built.build_results = built.results()  # later dbt commands overwrite run_results.json
    return built


@pytest.fixture(scope="session")
def parsed_manifest(tmp_path_factory) -> dict:
    """The manifest of `dbt parse` into a temporary target: models, tests and seeds, no warehouse."""
    tmp = tmp_path_factory.mktemp("parse")
    env = os.environ | {
        "GRIDPULSE_LAKE": str(tmp / "lake"),
        "GRIDPULSE_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_TARGET_PATH": str(tmp / "target"),
        "DBT_LOG_PATH": str(tmp / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    proc = subprocess.run([dbt, "parse", "--project-dir", str(DBT_PROJECT_DIR)], env=env, cwd=DBT_PROJECT_DIR,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((tmp / "target" / "manifest.json").read_text(encoding="utf-8"))
