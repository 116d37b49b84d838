"""A small demo street (3 communities × 2 months) run through ingest → gate → dbt → publish once,
with one crafted warning: 菜蔬街社区's February patrol log lacks one grid's records for eleven days."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.core.settings import Paths

CAISHU = "510116003004"  # 菜蔬街社区: its February register is missing in this demo (seed 7)
GAP_GRID = "510116003004002"


@dataclass
class QualityDemo:
    paths: Paths
    gate: object  # quality.gate.GateResult of the run


def read_text(path: Path) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return path.read_text(encoding=encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"cannot decode {path}")


def drop_lines(source: Path, target: Path, keep, received: dt.datetime) -> int:
    """Copy a CSV keeping the header and the lines `keep(line)` accepts; returns lines dropped."""
    text, _ = read_text(source)
    header, *lines = text.splitlines()
    kept = [line for line in lines if keep(line)]
    target.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8-sig")
    os.utime(target, (received.timestamp(), received.timestamp()))
    return len(lines) - len(kept)


def patrol_gap_line(line: str) -> bool:
    fields = line.split(",")
    return not (fields[2] == GAP_GRID and "2025-02-10" <= fields[3][:10] <= "2025-02-20")


@pytest.fixture(scope="session")
def quality_demo(tmp_path_factory) -> QualityDemo:
    from demo.generator import generate
    from pipelines.ingest.calendar import write_calendar
    from pipelines.ingest.run import Ingestor
    from pipelines.publish.snapshot import publish
    from pipelines.transform.dbt import build
    from quality import gate

    root = tmp_path_factory.mktemp("quality")
    paths = Paths(raw=root / "raw", data=root / "data")
    generate(paths.raw, paths.data / "demo" / "truth", seed=7, communities=3, months=2, progress=False)
    folder = paths.raw / "patrols" / "2025-02"
    export = folder / "菜蔬街社区_巡查走访_202502.csv"
    dropped = drop_lines(export, export, patrol_gap_line, dt.datetime(2025, 3, 2, 9, 0))
    assert dropped > 5
    Ingestor(paths).run()
    write_calendar(paths.lake)
    result = gate.check(paths)
    build(paths)
    gate.guard(result)
    publish(paths)
    return QualityDemo(paths, result)


@pytest.fixture(scope="session", params=["pandas", "spark"])
def gx_runner(request, quality_demo, tmp_path_factory):
    """One GX context per engine for the suite tests (results kept in memory): the same suites validate
    pandas DataFrames (DuckDB installations) and Spark DataFrames (GRIDPULSE_ENGINE=spark)."""
    from quality.config import QualityPaths, Thresholds
    from quality.runner import GxRunner

    scratch = Paths(raw=quality_demo.paths.raw, data=tmp_path_factory.mktemp("gx"))
    runner = GxRunner(QualityPaths(scratch), Thresholds.load(), docs="none", spark=request.param == "spark")
    assert runner.datasource.type == request.param  # the suites run on the engine's DataFrames
    return runner
