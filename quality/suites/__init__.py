"""One Great Expectations suite per source, written as code (STYLE.md).

Each module holds `build_suite(thresholds)` (a `gx.ExpectationSuite`), `parameters(batch, context,
thresholds)` (the per-batch values its `$PARAMETER`s take) and `prepare(frame, batch, context,
thresholds)` (the batch's DataFrame with the derived columns the suite reads). GX is imported only
inside `build_suite`, so a run with nothing new to validate never pays for GX's import.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import import_module
from pathlib import Path
from types import ModuleType

SUITES = ("grids", "population", "cases", "patrols", "hotline")


def suite_module(source: str) -> ModuleType:
    return import_module(f"{__name__}.{source}")


@cache
def code_digest() -> str:
    """Changes when any suite's code (or the batch logic) changes: such a change re-validates every batch."""
    here = Path(__file__).parent
    files = sorted(here.glob("*.py")) + [here.parent / "batches.py"]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
