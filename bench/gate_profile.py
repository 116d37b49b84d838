"""`python -m bench.gate_profile <installation root> [source] [batches]`: where a quality-gate batch's time
goes. Validates the first `batches` (default 300) batches of `source` (default population) in the
gate's own order, in one process, as a gate worker does (`quality.gate._validate_one`), under
cProfile, and splits the time into reading the batch out of its lake part, preparing its frame, the
GX run (and, inside it, building the metric graph, computing the metrics, storing the result for
Data Docs) and writing the result rows. Results and GX files go to a temporary folder; the
installation is only read. Writes bench/results/gate_profile_<name>_<source>.json and prints it.
"""

from __future__ import annotations

import cProfile
import json
import logging
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.settings import Paths
from quality.batches import Context, PartCache, list_batches
from quality.config import QualityPaths, Thresholds
from quality.gate import _validate_one, base_row, part_order, plan
from quality.runner import GxRunner

RESULTS = Path(__file__).parent / "results"
# (file suffix, function name) -> the part of a batch's time it stands for (cumulative time)
PARTS = {
    ("quality/batches.py", "read_batch"): "read_batch",
    ("quality/suites/", "prepare"): "prepare",
    ("quality/runner.py", "validate"): "gx_run",
    ("great_expectations/validator/validator.py", "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"):
        "gx_metric_graph",
    ("great_expectations/validator/metrics_calculator.py", "resolve_validation_graph"): "gx_metrics",
    ("great_expectations/data_context/store/validation_results_store.py", "store_validation_results"): "gx_store",
    ("quality/runner.py", "rows_for"): "result_rows",
    ("quality/results.py", "write_batch"): "write_results",
}


@dataclass(frozen=True)
class _ScratchQualityPaths(QualityPaths):
    """The installation's paths, with the gate's own files in a scratch folder."""

    scratch: Path = Path()

    @property
    def results(self) -> Path:
        return self.scratch / "results"

    @property
    def gx_root(self) -> Path:
        return self.scratch / "gx"


def measure(paths: Paths, source: str, count: int) -> dict:
    thresholds = Thresholds.load()
    context = Context(paths)
    batches = sorted((b for b in list_batches(paths) if b.source == source), key=part_order)[:count + 1]
    todo = plan(batches, context, thresholds, {})
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="gate_profile_") as scratch:
        qpaths = _ScratchQualityPaths(paths, Path(scratch))
        runner, parts = GxRunner(qpaths, thresholds), PartCache()
        bases = [base_row(b, "profile", fp, thresholds) for b, _, fp in todo]
        items = [(b, params, base, base) for (b, params, _), base in zip(todo, bases)]  # base: no quarantine row
        _validate_one(runner, paths, qpaths, context, thresholds, parts, items[0])  # GX's first-run set-up apart
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for item in items[1:]:
            _validate_one(runner, paths, qpaths, context, thresholds, parts, item)
        profile.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profile).stats
    parts_s = dict.fromkeys(PARTS.values(), 0.0)
    for (filename, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, function), part in PARTS.items():
            if name == function and suffix in filename:
                parts_s[part] += cumulative
    profiled = sum(v[3] for k, v in stats.items() if k[2] == "_validate_one")
    batches_run = len(items) - 1
    rows = sum(f.rows_landed for b, *_ in items[1:] for f in b.files)
    return {"source": source, "batches": batches_run, "rows": rows, "seconds": round(seconds, 1),
            "ms_per_batch": round(1000 * seconds / batches_run, 1), "rows_per_s": round(rows / seconds),
            "share_of_profiled_time": {k: round(v / profiled, 3) for k, v in parts_s.items()},
            "note": "times under cProfile (slower than a plain run); the shares are what to read"}


def main(argv: list[str]) -> None:
    root = Path(argv[0])
    source = argv[1] if len(argv) > 1 else "population"
    count = int(argv[2]) if len(argv) > 2 else 300
    paths = Paths(raw=root / "raw", data=root / "data", street="5101")
    figures = {"root": root.name, **measure(paths, source, count)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"gate_profile_{root.name}_{source}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
