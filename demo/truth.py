"""The generator's own truth, written as Parquet beside (never inside) raw/.

- files.parquet: every raw file, its counts and the status ingest should give it;
- bad_rows.parquet: every bad row (1-based row/line number as a spreadsheet or editor shows it);
- grids.parquet: one row per grid version (grid_code, valid_from); `valid_to` is exclusive (the next
  version's `valid_from`), null if current;
- residents.parquet: per community and month, what the landed register holds;
- cases.parquet: one row per case as the exported steps show it (steps after the period are absent);
- patrols.parquet: one row per valid patrol record;
- events.parquet: one row per early-warning event injected into the year (`demo.warning_events`), for
  backtesting the warning engine:
  - `event_id` (`surge-01`, `stall-01`, `repeat-01`, `register_jump-01`, numbered by start within a kind),
    `kind` (surge | stall | repeat | register_jump), `community_code`, `grid_code`;
  - `category`: the case category (大类 of the case exports) of a surge or a repeat, null otherwise;
  - `place`: a repeat's place, the prefix its description shares with the earlier case's (`华阳大道12号`);
  - `start_date`, `end_date`: the first and last day of a surge or stall; a repeat's report date (twice);
    the first and last day of the month whose register jumps;
  - `magnitude`: a surge's extra cases per working day (x0.45 on rest days); a stall's days; a repeat's gap in
    days from the earlier case's closing date to its report date; a register jump's signed share of change of
    the grid's residents (在住 or 外出) from the month before, as the generated register holds them;
  - `case_id`, `previous_case_id`: a repeat's case and the earlier case it repeats, null otherwise.
  A stall's cases (accepted in the window, or open at its start) are closed 1-5 working days after `end_date`.
Times are naive Asia/Shanghai; codes are strings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from demo.grids import Street

MARKER = ".gridpulse-demo-truth"
FILES_SCHEMA = {
    "path": pl.String, "source": pl.String, "community_code": pl.String, "month": pl.String,
    "data_rows": pl.Int64, "bad_rows": pl.Int64, "expected_status": pl.String, "note": pl.String,
}
BAD_ROWS_SCHEMA = {"path": pl.String, "row_number": pl.Int64, "reason_code": pl.String}
RESIDENTS_SCHEMA = {
    "community_code": pl.String, "month": pl.String, "persons_in_register": pl.Int64, "residents": pl.Int64,
    "submitted": pl.Boolean, "submitted_at": pl.Datetime("us"), "on_time": pl.Boolean,
}
EVENTS_SCHEMA = {
    "event_id": pl.String, "kind": pl.String, "community_code": pl.String, "grid_code": pl.String,
    "category": pl.String, "place": pl.String, "start_date": pl.Date, "end_date": pl.Date, "magnitude": pl.Float64,
    "case_id": pl.String, "previous_case_id": pl.String,
}
PATROLS_SCHEMA = {
    "record_id": pl.String, "grid_code": pl.String, "community_code": pl.String, "worker_id": pl.String,
    "patrol_type": pl.String, "started_at": pl.Datetime("us"), "households_visited": pl.Int64,
    "key_persons_visited": pl.Int64,
}


def clear_truth_dir(truth_dir: Path) -> None:
    """Delete a truth folder this generator wrote before (refuse anything else)."""
    if not truth_dir.exists():
        return
    entries = list(truth_dir.iterdir())
    owned = (truth_dir / MARKER).exists() or all(e.is_file() and e.suffix == ".parquet" for e in entries)
    if not owned:
        raise ValueError(f"{truth_dir} holds files the demo generator did not write; refusing to delete it")
    shutil.rmtree(truth_dir)


def grids_truth(street: Street) -> pl.DataFrame:
    """One row per grid version, unique by (grid_code, valid_from).

    `valid_to` is EXCLUSIVE: the first day the version no longer holds (the next version's `valid_from`),
    null while current. After the July redraw grids A and B appear twice (January version with
    `valid_to` = 1 July, July version with null) and the new grid C once.
    """
    return street.grids.select(
        "grid_code", "community_code", "grid_type", "households", "worker_id", "valid_from", "valid_to",
    ).sort("grid_code", "valid_from")


def write_truth(
    truth_dir: Path, *, files: list[dict], bad_rows: list[dict], residents: list[dict], street: Street | None = None,
    cases: pl.DataFrame, patrols: list[pl.DataFrame], grids: pl.DataFrame | None = None,
    events: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Write the tables; `grids` (city mode: every street's `grids_truth`) replaces `street`; `events` (the
    street demo's early-warning events) is written when given."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / MARKER).write_text("written by demo; deleted and rewritten on every run\n")
    tables = {
        "files": pl.DataFrame(files, schema=FILES_SCHEMA).sort("path"),
        "bad_rows": pl.DataFrame(bad_rows, schema=BAD_ROWS_SCHEMA).sort("path", "row_number"),
        "grids": grids_truth(street) if grids is None else grids.sort("grid_code", "valid_from"),
        "residents": pl.DataFrame(residents, schema=RESIDENTS_SCHEMA).sort("community_code", "month"),
        "cases": cases,
        "patrols": (pl.concat([p for p in patrols if p.height]) if any(p.height for p in patrols)
                    else pl.DataFrame(schema=PATROLS_SCHEMA)).cast(PATROLS_SCHEMA).sort("record_id"),
    }
    if events is not None:
        tables["events"] = events.cast(EVENTS_SCHEMA).sort("event_id")
    for name, table in tables.items():
        table.write_parquet(truth_dir / f"{name}.parquet", statistics=False)
    return {name: table.height for name, table in tables.items()}
