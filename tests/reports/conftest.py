"""A small demo street (3 communities × 6 months) with one community's Q2 registers and patrol logs
removed before the run, and the 2025Q2 report built from its serving snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.settings import Paths

QUARTER = "2025Q2"
Q2_MONTHS = ("2025-04", "2025-05", "2025-06")


@dataclass
class Report:
    paths: Paths
    pdf: Path
    xlsx: Path
    seconds: float
    silent_community: str  # the community whose Q2 registers and patrol logs were removed


def _remove_community_files(raw: Path) -> str:
    """Delete one community's population registers and patrol logs of Q2; return its name."""
    name = sorted(p.name for p in (raw / "patrols" / Q2_MONTHS[0]).iterdir())[0].split("_")[0]
    removed = [p for source in ("population", "patrols") for month in Q2_MONTHS
               for p in (raw / source / month).glob(f"{name}*")]
    assert len(removed) >= 6, removed
    for p in removed:
        p.unlink()
    return name


@pytest.fixture(scope="session")
def report(tmp_path_factory) -> Report:
    from demo.generator import generate
    from pipelines.defs.launch import launch
    from reports import build_report

    root = tmp_path_factory.mktemp("report")
    paths = Paths(raw=root / "raw", data=root / "data")
    generate(paths.raw, paths.data / "demo" / "truth", seed=7, communities=3, months=6, progress=False)
    silent = _remove_community_files(paths.raw)
    launch(paths)
    started = time.perf_counter()
    pdf, xlsx = build_report(paths, QUARTER)
    return Report(paths, pdf, xlsx, time.perf_counter() - started, silent)
