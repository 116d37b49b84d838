"""`make install` installs exactly requirements.lock: every locked package is installed at its locked version."""

from __future__ import annotations

import re
from importlib import metadata

from pipelines.core.settings import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_locked_package_is_installed_at_its_locked_version():
    locked = {_name(n): v for n, v in PIN.findall((ROOT / "requirements.lock").read_text(encoding="utf-8"))}
    assert len(locked) > 100 and {"dagster", "dbt-core", "duckdb", "polars", "great-expectations"} <= set(locked)
    installed = {_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {n: (v, installed.get(n)) for n, v in locked.items() if installed.get(n) != v}
    assert not wrong, wrong
