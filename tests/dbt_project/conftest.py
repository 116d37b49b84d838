"""The hand-built fixture warehouse, built once per session (tests/dbt_project/fixture.py)."""

from __future__ import annotations

import pytest

from tests.dbt_project.fixture import Warehouse, new_warehouse


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Warehouse:
    built = new_warehouse(tmp_path_factory.mktemp("fixture"))
    built.build("build")
    built.build_results = built.results()  # later dbt commands overwrite run_results.json
    return built
