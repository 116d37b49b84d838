"""Which dbt nodes a run rebuilds: all of them, or only those that data landed since the last build can change.

A daily run at city scale brings one day's case log; rebuilding the population models for it
would cost as much as the first build. dbt's graph says what depends on what, so a run selects the
descendants of the lake sources that received files since the last successful build (plus the
ledger, the quarantine and the check results, which every run touches). Everything else is
unchanged input, hence unchanged output.

The state file `data/dbt/build_state.json` holds the digest of the dbt project (models, macros,
seeds, tests, settings) and of the working-day calendar at the last successful build, and the
sources that landed data since. Every ingest notes its sources there, whoever runs it (command
line, Dagster, a blocked run). No state, a changed project or calendar, a backfill or `--force`:
everything is built.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .config import DBT_PROJECT_DIR, Paths

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


def note_landed(paths: Paths, sources: set[str]) -> None:
    """Ingest landed data of these sources: the next build must include their descendants."""
    state = _read(paths)
    if state is not None and sources - set(state["pending"]):
        _write(paths, state | {"pending": sorted(set(state["pending"]) | sources)})


def selection(paths: Paths, *, full: bool = False) -> list[str] | None:
    """The dbt `--select` arguments of the next build; None builds everything."""
    state = _read(paths)
    if full or state is None or not paths.warehouse.exists() or state.get("digest") != project_digest(paths):
        return None
    return [f"source:lake.{s}+" for s in state["pending"]] + list(ALWAYS)


def mark_built(paths: Paths) -> None:
    _write(paths, {"digest": project_digest(paths), "pending": []})


def forget(paths: Paths) -> None:
    """A build is under way: until it succeeds, the next one builds everything."""
    _state_file(paths).unlink(missing_ok=True)
