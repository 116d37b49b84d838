"""`python -m bench.gate_plan <installation root> [scope]`: how long the quality gate takes to plan a run
on an installation's lake (list its batches, read the stored fingerprints, compute every batch's check
parameters and fingerprint), before any batch is validated. Every gate run pays this, a one-day run
included. Writes bench/results/gate_plan_<name>.json (name: the root's folder) and prints it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pipelines.core.settings import Paths
from quality.batches import Context, list_batches
from quality.config import QualityPaths, Thresholds
from quality.gate import plan, stored_fingerprints

RESULTS = Path(__file__).parent / "results"


def measure(paths: Paths) -> dict:
    thresholds, seconds = Thresholds.load(), {}
    t = time.perf_counter()
    batches = list_batches(paths)
    seconds["list_batches"] = time.perf_counter() - t
    t = time.perf_counter()
    stored = stored_fingerprints(QualityPaths(paths))
    seconds["stored_fingerprints"] = time.perf_counter() - t
    t = time.perf_counter()
    todo = plan(batches, Context(paths), thresholds, stored)
    seconds["parameters_and_fingerprints"] = time.perf_counter() - t
    return {"batches": len(batches), "stored_batches": len(stored), "to_validate": len(todo),
            "seconds": {k: round(v, 1) for k, v in seconds.items()}, "total_s": round(sum(seconds.values()), 1)}


def main(argv: list[str]) -> None:
    root = Path(argv[0])
    paths = Paths(raw=root / "raw", data=root / "data", street=argv[1] if len(argv) > 1 else "5101")
    figures = {"root": root.name, "scope": paths.street, **measure(paths)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"gate_plan_{root.name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
