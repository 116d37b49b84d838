"""Which dbt nodes a run rebuilds: all of them, or only those that data landed since the last build can change.

A daily run at city scale brings one day's case log; rebuilding the population models for it
would cost as much as the first build. dbt's graph says what depends on what, so a run selects the
descendants of the lake sources that received files since the last successful build (plus the
ledger, the quarantine and the check results, which every run touches). Everything else is
unchanged input, hence unchanged output.

The state file `data/dbt/build_state.json` holds the digest of the dbt project (models, macros,
seeds, tests, settings) and of the working-day calendar at the last successful build, and the
ledger's latest ingest time when that build started. The sources of files landed after that time,
by any run (command line, Dagster, a run the quality gate stopped), are the ones to rebuild. No
state, a changed project or calendar, a backfill or `--force`: everything is built.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl

from pipelines.core.settings import DBT_PROJECT_DIR, Paths
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import scan

ALWAYS = ("source:lake_meta.ledger+", "source:lake_meta.quarantine+", "source:lake_quality+")
PROJECT_PARTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def _state_file(paths: Paths) -> Path:
    return paths.data / "dbt" / "build_state.json"


def project_digest(paths: Paths) -> str:
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = DBT_PROJECT_DIR / part
        for f in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if f.is_file():
                digest.update(f.relative_to(DBT_PROJECT_DIR).as_posix().encode() + f.read_bytes())
    calendar = paths.lake / "_reference" / "calendar.parquet"
    digest.update(calendar.read_bytes() if calendar.exists() else b"no calendar")
    return digest.hexdigest()


def _read(paths: Paths) -> dict | None:
    try:
        return json.loads(_state_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(paths: Paths, state: dict) -> None:
    path = _state_file(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def ledger_mark(paths: Paths) -> str | None:
    """The ledger's latest ingest time: what a build starting now has seen."""
    ledger = read_ledger(paths.ledger)
    latest = ledger["ingested_at"].max() if ledger.height else None
    return latest.isoformat() if latest else None


def landed_since(paths: Paths, mark: str | None) -> list[str]:
    """Sources with files landed after `mark` (every landed file when None)."""
    ledger = read_ledger(paths.ledger).filter(pl.col("status") == "landed")
    if mark:
        ledger = ledger.filter(pl.col("ingested_at") > pl.lit(mark).str.to_datetime(time_unit="us"))
    return sorted(ledger["source"].unique().to_list())


def selection(paths: Paths, *, full: bool = False, arriving: set[str] = frozenset()) -> list[str] | None:
    """The dbt `--select` arguments of the next build; None builds everything. `arriving`: sources
    whose new files the run is about to ingest (their data lands before the build)."""
    state = _read(paths)
    if full or state is None or not paths.warehouse.exists() or state.get("digest") != project_digest(paths):
        return None
    sources = sorted(set(landed_since(paths, state.get("ledger_mark"))) | set(arriving))
    return [f"source:lake.{s}+" for s in sources] + list(ALWAYS)


def new_file_sources(paths: Paths) -> set[str]:
    """Sources with files under raw/ whose contents the ledger has not seen (what a run of new files reads)."""
    ledger = read_ledger(paths.ledger)
    seen = set(zip(ledger["file_path"].to_list(), ledger["file_hash"].to_list()))
    return {s for s in SOURCES if any((f.rel, f.sha256) not in seen for f in scan(paths, s))}


def mark_built(paths: Paths, mark: str | None) -> None:
    """A build succeeded that saw the ledger up to `mark` (`ledger_mark` taken before it started)."""
    _write(paths, {"digest": project_digest(paths), "ledger_mark": mark})


def forget(paths: Paths) -> None:
    """A build is under way: until it succeeds, the next one builds everything."""
    _state_file(paths).unlink(missing_ok=True)
