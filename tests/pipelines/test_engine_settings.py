"""GRIDPULSE_ENGINE and what the pipeline tells dbt on each engine, without starting Spark."""

import json

import pytest

from pipelines.core.settings import Paths, engine
from pipelines.transform.dbt import OPTIONAL_INPUTS, absent_inputs, dbt_env


def test_engine_defaults_to_duckdb_and_refuses_an_unknown_one(monkeypatch):
    monkeypatch.delenv("GRIDPULSE_ENGINE", raising=False)
    assert engine() == "duckdb"
    monkeypatch.setenv("GRIDPULSE_ENGINE", " Spark ")
    assert engine() == "spark"
    monkeypatch.setenv("GRIDPULSE_ENGINE", "trino")
    with pytest.raises(ValueError, match="duckdb, spark"):
        engine()


def test_spark_gets_its_target_folders_and_the_absent_inputs(monkeypatch, tmp_path):
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    hotline = paths.lake / "hotline" / "month=0000-00"
    hotline.mkdir(parents=True)
    (hotline / "_empty.parquet").write_bytes(b"")  # the lake's columns-only part: no data to Spark
    checks = paths.lake / "_quality" / "population" / "month=2025-01"
    checks.mkdir(parents=True)
    (checks / "510116003001.parquet").write_bytes(b"")
    monkeypatch.setenv("GRIDPULSE_ENGINE", "duckdb")
    assert "DBT_TARGET" not in dbt_env(paths) and not paths.spark.exists()
    monkeypatch.setenv("GRIDPULSE_ENGINE", "spark")
    env = dbt_env(paths)
    assert env["DBT_TARGET"] == "spark" and env["GRIDPULSE_SPARK_DATA"] == str(paths.spark.resolve())
    assert paths.spark.is_dir() and str(paths.spark.resolve() / "derby.log") in env["JAVA_TOOL_OPTIONS"]
    absent = json.loads(env["GRIDPULSE_ABSENT_INPUTS"])
    lake = str(paths.lake.resolve())
    assert absent == [f"{lake}/{OPTIONAL_INPUTS[0]}", f"{lake}/{OPTIONAL_INPUTS[2]}"]  # hotline, corrections
    assert absent == absent_inputs(paths.lake)
