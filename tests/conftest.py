"""Shared fixtures: a small demo street generated and run through the whole pipeline once."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.settings import Paths

os.environ.setdefault("GRIDPULSE_PII_KEY", "gridpulse-test-key")


@dataclass
class DemoRun:
    paths: Paths
    truth: Path
    summary: object


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """Four communities × three months of the demo street, ingested, modelled and published."""
    from demo.generator import generate
    from pipelines.defs.launch import launch

    root = tmp_path_factory.mktemp("demo")
    paths = Paths(raw=root / "raw", data=root / "data")
    truth = paths.data / "demo" / "truth"
    generate(paths.raw, truth, seed=11, communities=4, months=3, progress=False)
    summary = launch(paths)
    return DemoRun(paths, truth, summary)


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest runs the dashboard script as ``__main__`` and leaves it there; a process
    started later with the spawn method would then re-run the dashboard instead of importing the
    test runner. Put the real ``__main__`` back after every test."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
