"""Shared fixtures: a small demo street generated and run through the whole pipeline once."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.settings import Paths

os.environ.setdefault("GRIDPULSE_PII_KEY", "gridpulse-test-key")

# The longest test files, longest first (seconds on a quiet machine in `make test`). They are
# collected first, so that `make test`'s workers (pytest-xdist, a file at a time, taken in collection
# order) start them at once and the short files fill in around them, instead of one of them starting
# last and running alone at the end.
LONGEST_FILES = ("pipelines/test_spark_engine.py", "pipelines/ingest/test_demo_year.py", "pipelines/test_backfill.py",
                 "pipelines/test_build_scope.py", "fuzz/test_fuzz_ingest.py", "pipelines/test_lake_states.py",
                 "dashboards/test_pages.py", "pipelines/test_hotline_corrections.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        relative = Path(str(item.path)).relative_to(tests).as_posix() if tests in item.path.parents else ""
        return LONGEST_FILES.index(relative) if relative in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=rank)  # stable: the order within a file, and of the other files, is kept


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
