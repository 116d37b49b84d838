"""The dbt project in the order of the data (dbt_project/README.md, "Layers and names").

Layers are the folders under `models/`: staging → intermediate → marts → metrics. A model refs only
models of its own layer or of earlier ones. Marts are `fct_` or `dim_`; the metrics layer publishes
`kpi_` models into the `marts` schema and keeps its internal `metric_` models out of it. The SQL
passes `sqlfluff lint` with the project's `.sqlfluff`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
LAYERS = ("staging", "intermediate", "marts", "metrics")
NAMES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}


@pytest.fixture(scope="module")
def models(parsed_manifest) -> dict[str, dict]:
    """The models of the parsed manifest (conftest.py), by unique id."""
    return {uid: node for uid, node in parsed_manifest["nodes"].items() if node["resource_type"] == "model"}


def layer(node: dict) -> str:
    return Path(node["original_file_path"]).parts[1]


def test_every_model_is_in_a_layer(models):
    assert len(models) >= 40
    assert sorted(n["name"] for n in models.values() if layer(n) not in LAYERS) == []


def test_no_model_refs_a_later_layer(models):
    backwards = [f"{node['name']} ({layer(node)}) → {models[dep]['name']} ({layer(models[dep])})"
                 for node in models.values() for dep in node["depends_on"]["nodes"]
                 if dep in models and LAYERS.index(layer(models[dep])) > LAYERS.index(layer(node))]
    assert backwards == []


def test_models_follow_the_naming_rule_of_their_layer(models):
    wrong = []
    for node in models.values():
        name, schema = node["name"], node["config"]["schema"]
        if layer(node) == "metrics":
            internal = Path(node["original_file_path"]).parts[2] == "internal"
            ok = (name.startswith("metric_") and schema == "metrics_internal") if internal else \
                (name.startswith("kpi_") and schema == "marts")
        else:
            ok = name.startswith(NAMES[layer(node)]) and schema == layer(node)
        if not ok:
            wrong.append(f"{node['original_file_path']} (schema {schema})")
    assert wrong == []


def test_the_marts_schema_holds_only_facts_dimensions_and_kpis(models):
    published = [n["name"] for n in models.values() if n["config"]["schema"] == "marts"]
    assert sorted(n for n in published if not n.startswith(("fct_", "dim_", "kpi_"))) == []


def test_sqlfluff_lint_passes(tmp_path):
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    if not sqlfluff.exists() and not shutil.which("sqlfluff"):
        pytest.skip("sqlfluff is not installed in this environment (pip install sqlfluff sqlfluff-templater-dbt)")
    exe = str(sqlfluff) if sqlfluff.exists() else shutil.which("sqlfluff")
    # Run from the project folder: sqlfluff takes the templater only from the working directory's config.
    # The templater's dbt writes into a target folder of its own, not the one the Dagster definitions read.
    proc = subprocess.run([exe, "lint", "models"], cwd=DBT_PROJECT, capture_output=True, text=True,
                          env=os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_TARGET_PATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
