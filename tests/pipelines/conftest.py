"""Fixtures of the operations tests: a small demo street (3 communities × 3 months) and its builds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.settings import Paths
from tests.pipelines.operations import mart_checksums

MONTHS = ("2025-01", "2025-02", "2025-03")


@dataclass
class Build:
    paths: Paths
    marts: dict  # mart checksums of the serving snapshot


@pytest.fixture(scope="session")
def ops_raw(tmp_path_factory) -> Path:
    """raw/ of three communities over three months; tests that add files work on a copy."""
    from demo.generator import generate

    root = tmp_path_factory.mktemp("ops")
    generate(root / "raw", root / "truth", seed=7, communities=3, months=3, progress=False)
    return root / "raw"


@pytest.fixture(scope="session")
def one_go(ops_raw, tmp_path_factory) -> Build:
    """`gridpulse backfill 2025-01 2025-03` into a fresh data folder: the clean run to compare with."""
    from pipelines.cli.commands import main

    paths = Paths(raw=ops_raw, data=tmp_path_factory.mktemp("one_go") / "data")
    main(["--raw", str(paths.raw), "--data", str(paths.data), "backfill", MONTHS[0], MONTHS[-1]])
    return Build(paths, mart_checksums(paths.serving))


@pytest.fixture(scope="session")
def two_months(ops_raw, tmp_path_factory) -> Build:
    """A fresh data folder backfilled month by month, January then February (March not yet)."""
    from pipelines.cli.commands import main

    paths = Paths(raw=ops_raw, data=tmp_path_factory.mktemp("two_months") / "data")
    for month in MONTHS[:2]:
        main(["--raw", str(paths.raw), "--data", str(paths.data), "backfill", month, month])
    return Build(paths, mart_checksums(paths.serving))
