"""Open the published serving snapshot for reading.

`duckdb.connect(path)` keeps one database instance per path for the life of the process: once a
connection to data/serving.duckdb exists, a later `connect` of the same path gets that instance back,
which still reads the file the path named when it was first opened — the previous snapshot after a
publish has renamed a new file into place. Attaching the file to a fresh in-memory database opens
whatever the path names now, so a reader sees each new snapshot as soon as it reconnects.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb


def open_snapshot(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot file as it is now; its schemas read as usual (marts.x).

    A cursor of it starts in the in-memory catalog: use `snapshot_cursor` for one.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no serving snapshot at {path}; run the pipeline first")
    # A big query may spill: into the system's temp folder, not a `.tmp` in whatever folder the
    # reader (a dashboard, a report) was started from.
    con = duckdb.connect(config={"temp_directory": str(Path(tempfile.gettempdir()) / "gridpulse-duckdb")})
    quoted = str(path).replace("'", "''")
    con.execute(f"attach '{quoted}' as serving (read_only)")
    con.execute("use serving")
    return con


def snapshot_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of an `open_snapshot` connection (for a thread of its own) that reads the snapshot."""
    cursor = con.cursor()
    cursor.execute("use serving")
    return cursor
