"""Property-based fuzz test of ingest: any submission the builder makes from the raw contracts is
ingested without an exception escaping, every file is accounted for in the ledger, and every valid row
lands exactly once with the values put in while no broken row lands (DESIGN.md §3–§4).

GRIDPULSE_FUZZ_EXAMPLES sets the number of submissions (300 by default), GRIDPULSE_FUZZ_SEED replays a
run (each run prints its seed on failure), GRIDPULSE_FUZZ_REPORT names a JSON file for the counts.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from pipelines.core.settings import Paths
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import Ingestor
from tests.fuzz.builder import KNOWN_BUG_SHAPES, NEW_SHAPES, OPEN_BUG_SHAPES, submissions
from tests.fuzz.model import FileExpect, Submission
from tests.fuzz.vocab import ROOT

EXAMPLES = int(os.environ.get("GRIDPULSE_FUZZ_EXAMPLES", "300"))
SEED = int(os.environ.get("GRIDPULSE_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
REPORT = os.environ.get("GRIDPULSE_FUZZ_REPORT")
KEEP = os.environ.get("GRIDPULSE_FUZZ_KEEP")  # a folder for the raw files and lake of a failing example
# Shrinking a failure to its smallest submission can take minutes: GRIDPULSE_FUZZ_SHRINK=0 skips it.
PHASES = [p for p in Phase if os.environ.get("GRIDPULSE_FUZZ_SHRINK", "1") != "0" or p is not Phase.shrink]
KEYS = {"grids": ("grid_code",), "population": ("person_id",), "patrols": ("record_id",),
        "cases": ("case_id", "step_at", "action")}
CJK = re.compile(r"[\u4e00-\u9fff]")
COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def fuzz_report():
    """Write the counts of the run (examples, files, rows, escapes) where GRIDPULSE_FUZZ_REPORT says."""
    started = time.monotonic()
    yield
    if REPORT:
        path = Path(REPORT) if Path(REPORT).is_absolute() else ROOT / REPORT
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {"examples_requested": EXAMPLES, "seed": SEED, "new_shapes": NEW_SHAPES,
                  "known_bug_shapes": KNOWN_BUG_SHAPES,
                  "open_bug_shapes": OPEN_BUG_SHAPES, "seconds": round(time.monotonic() - started, 1),
                  **dict.fromkeys(["examples", "files", "rows", "escapes", "failures"], 0), **dict(sorted(COUNTS.items()))}
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.mark.timeout(max(900, 2 * EXAMPLES))  # `make fuzz` runs far longer than one ordinary test
@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=False, print_blob=True, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          database=DirectoryBasedExampleDatabase(ROOT / "data" / ".hypothesis"))
@given(submission=submissions())
def test_ingest_accounts_for_every_file_and_row(submission: Submission):
    note(f"GRIDPULSE_FUZZ_SEED={SEED} replays this run")
    count(submission)
    with tempfile.TemporaryDirectory(prefix="gridpulse-fuzz-") as tmp:
        paths = Paths(raw=Path(tmp) / "raw", data=Path(tmp) / "data")
        submission.write(paths.raw)
        try:
            ingest(paths)
        except Exception:
            failed("escapes", tmp)
            raise
        try:
            check(submission, paths)
        except AssertionError:
            failed("failures", tmp)
            raise
    COUNTS["examples_passed"] += 1


def ingest(paths: Paths) -> None:
    ingestor = Ingestor(paths)
    try:
        ingestor.run()
    finally:  # thousands of examples run in one process: let each run's DuckDB connection go
        close = getattr(ingestor.key, "close", None)
        if close:
            close()


def failed(counter: str, tmp: str) -> None:
    COUNTS[counter] += 1
    if KEEP:  # the failing example's raw files and lake, to open by hand
        shutil.rmtree(KEEP, ignore_errors=True)
        shutil.copytree(tmp, KEEP)


def check(submission: Submission, paths: Paths) -> None:
    ledger = {e["file_path"]: e for e in read_ledger(paths.ledger).iter_rows(named=True)}
    lake = {s: parts(paths.lake / s, "month=2*/*.parquet") for s in KEYS}
    quarantine = parts(paths.quarantine, "*/month=*/*.parquet")
    assert sorted(ledger) == sorted(f.rel for f in submission.files), "one ledger row per file, no other"
    for f in submission.files:
        check_file(f, ledger[f.rel], lake[f.source], quarantine)
    for source in KEYS:
        check_lake(source, submission, lake[source])


def count(submission: Submission) -> None:
    COUNTS["examples"] += 1
    for f in submission.files:
        COUNTS["files"] += 1
        COUNTS[f"files_{f.outcome}"] += 1
        COUNTS.update(f"shape_{t}" for t in f.tags)
        if f.outcome in ("landed", "superseded"):
            COUNTS["rows"] += len(f.rows)
            COUNTS["rows_valid"] += f.count(valid=True)
            COUNTS["rows_invalid"] += f.count(valid=False)
            COUNTS["rows_cut"] += f.uncertain
            COUNTS["rows_repeated"] += f.count(repeat=True)
            COUNTS.update(f"quarantine_{r.reason}" for r in f.rows if not r.valid and r.reason and not r.cut)


def parts(root: Path, pattern: str) -> pl.DataFrame:
    """Every part under `root`, each row with the month of its folder."""
    frames = [pl.read_parquet(p).with_columns(_month=pl.lit(p.parent.name.removeprefix("month=")))
              for p in sorted(root.glob(pattern))]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(
        schema={"_month": pl.String, "source_file": pl.String, "file_path": pl.String, "source_row": pl.Int64})


def rows_of(frame: pl.DataFrame, column: str, rel: str) -> list[int]:
    if column not in frame.columns or frame.height == 0:
        return []
    return sorted(frame.filter(pl.col(column) == rel)["source_row"].to_list())


def check_file(f: FileExpect, e: dict, lake: pl.DataFrame, quarantine: pl.DataFrame) -> None:
    where = f"{f.rel} [{f.what}]: ledger says {e['status']}/{e['reject_code']} {e['message']!r}"
    assert e["status"] == f.outcome, where
    landed, quarantined = rows_of(lake, "source_file", f.rel), rows_of(quarantine, "file_path", f.rel)
    if f.outcome == "rejected":
        assert CJK.search(e["message"] or "") and f.name in e["message"], where
        assert not f.reject or e["reject_code"] in f.reject, f"{where}; expected one of {sorted(f.reject)}"
        COUNTS[f"rejected_{e['reject_code']}"] += 1
    already = e.get("rows_already_landed") or 0
    assert e["rows_read"] == e["rows_landed"] + e["rows_quarantined"] + already, where
    if f.outcome == "duplicate":
        assert e["duplicate_of"] == f.copy_of.rel, where
    if f.outcome in ("rejected", "duplicate", "superseded"):
        assert not landed and not quarantined, f"{where}: rows left in the lake {landed} or quarantine {quarantined}"
    if f.outcome not in ("landed", "superseded"):
        return
    # a file that lost some of its slices counts only the rows it keeps (`counted`); a superseded one
    # keeps the counts and pieces it was read with
    valid, invalid = f.count(valid=True), f.count(valid=False)
    cut = {r.number for r in f.counted if r.cut}
    assert valid <= e["rows_landed"] <= valid + len(cut), f"{where}: {valid} valid rows"
    assert invalid <= e["rows_quarantined"] <= invalid + len(cut), f"{where}: {invalid} broken rows"
    assert already == f.count(repeat=True), f"{where}: {f.count(repeat=True)} rows landed before"
    if f.source == "population":
        held = f.pieces - f.lost if f.outcome == "landed" else f.pieces
        got = {tuple(x.split(":", 1)) for x in (e["pieces"] or "").split(",") if x}
        assert got == held, f"{where}: pieces {e['pieces']!r}, expected {sorted(held)} (lost {sorted(f.lost)})"
    if f.outcome == "landed" and f.lost:
        gone = len(f.rows) - len(f.counted)
        assert "替换" in (e["message"] or "") and f"{gone}行" in e["message"], f"{where}: {gone} rows replaced"
    if f.outcome == "superseded":
        return
    good = {r.number for r in f.counted if r.valid and not r.cut and not r.repeat}
    bad = {r.number: r.reason for r in f.counted if not r.valid and not r.cut}
    assert set(landed) <= good | cut, f"{where}: rows {sorted(set(landed) - good - cut)} landed; broken: {bad}"
    assert len(landed) == len(set(landed)) == e["rows_landed"], f"{where}: landed rows {landed}"
    assert set(bad) <= set(quarantined) <= set(bad) | cut, f"{where}: quarantined {quarantined}, broken {bad}"
    assert len(quarantined) == e["rows_quarantined"], where


def check_lake(source: str, submission: Submission, lake: pl.DataFrame) -> None:
    """Each valid row of a landed file is in the lake once, in its month, with the values put in."""
    names = KEYS[source]
    expected = [(f, r) for f in submission.files if f.outcome == "landed" and f.source == source
                for r in f.counted if r.valid and not r.cut and not r.repeat]
    wanted = Counter((r.month, *r.key) for _, r in expected)
    assert max(wanted.values(), default=1) == 1, f"builder made two {source} rows alike: {wanted.most_common(1)}"
    found: dict[tuple, list[dict]] = {}
    if lake.height:
        for row in lake.iter_rows(named=True):
            found.setdefault((row["_month"], *(row[k] for k in names)), []).append(row)
    for f, r in expected:
        hits = found.get((r.month, *r.key), [])
        assert len(hits) == 1, f"{f.rel} row {r.number} {r.key} ({r.month}) is in the lake {len(hits)} times"
        got = {k: hits[0].get(k) for k in r.expect}
        assert got == r.expect, f"{f.rel} row {r.number} landed as {got}, not {r.expect}"
    cut = {(f.rel, r.number) for f in submission.files for r in f.rows if r.cut}
    stray = [(row["source_file"], row["source_row"]) for key, rows in found.items() if key not in wanted
             for row in rows if (row["source_file"], row["source_row"]) not in cut]
    assert not stray, f"{source} rows in the lake that no valid row made: {stray}"
