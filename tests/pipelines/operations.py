"""Helpers for the operations tests: mart checksums, copies of a data folder, processes of a run."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pipelines.core.settings import ROOT, Paths
from pipelines.core.snapshot import open_snapshot

# When and by which run a quality check ran: audit columns of fct_check_results, different on every run by
# design. Everything else in the marts must be identical whichever way the months were (re)built.
AUDIT_COLUMNS = ("checked_at", "run_id")


def mart_checksums(db: Path, schema: str = "marts") -> dict[str, tuple[int, str]]:
    """table -> (rows, md5 of its rows rendered as text and sorted): equal iff the contents are equal
    (audit columns aside)."""
    con = open_snapshot(db)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'serving' and schema_name = ? order by 1",
            [schema]).fetchall()]
        out = {}
        for t in tables:
            columns = {c for (c,) in con.execute(f"select column_name from (describe {schema}.{t})").fetchall()}
            audit = [c for c in AUDIT_COLUMNS if c in columns]
            exclude = f" exclude ({', '.join(audit)})" if audit else ""
            out[t] = con.execute(
                f"select count(*), md5(coalesce(string_agg(r, chr(10) order by r), '')) "
                f"from (select cast(t as varchar) as r from (select *{exclude} from {schema}.{t}) as t)").fetchone()
        return out
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_install(src: Paths, dst_root: Path, raw: Path | None = None) -> Paths:
    """A copy of a data folder (lake, ledger, warehouse, snapshot) next to a raw folder."""
    dst = Paths(raw=raw or src.raw, data=dst_root / "data")
    shutil.copytree(src.data, dst.data)
    return dst


def gridpulse(paths: Paths, *args: str, **kwargs) -> subprocess.Popen:
    """Start `gridpulse <args>` as its own process group (so a test can kill it with its dbt child)."""
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--raw", str(paths.raw), "--data",
                             str(paths.data), *args], cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, **kwargs)


def group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes in a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, ValueError):
            continue
    return found


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}:\n{proc.stdout.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
