"""The warehouse's DuckDB is held to a share of the machine's memory, and dbt receives it."""

import os

import duckdb

from pipelines.core import settings
from pipelines.core.settings import Paths, duckdb_memory_limit
from pipelines.transform.dbt import dbt_env


def test_limit_is_a_share_of_the_machine(monkeypatch):
    monkeypatch.delenv("GRIDPULSE_DUCKDB_MEMORY", raising=False)
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    limit = duckdb_memory_limit()
    assert limit.endswith("GB")
    assert int(limit[:-2]) == max(1, int(total_gb * settings.DUCKDB_MEMORY_SHARE))
    assert duckdb.connect().execute(f"set memory_limit = '{limit}'") is not None  # DuckDB accepts the spelling


def test_setting_overrides_and_reaches_dbt(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDPULSE_DUCKDB_MEMORY", "3GB")
    assert dbt_env(Paths(raw=tmp_path / "raw", data=tmp_path / "data"))["GRIDPULSE_DUCKDB_MEMORY"] == "3GB"
    profile = (settings.DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert "memory_limit: \"{{ env_var('GRIDPULSE_DUCKDB_MEMORY'" in profile
