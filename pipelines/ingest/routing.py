"""Which month a raw file belongs to before it is read, so a month's run takes exactly its files.

A month is the unit of backfill (DESIGN.md §6). The month of a file comes from, in order:
1. the ledger — the month ingest found in the file's contents the last time it read that path;
2. a `YYYY-MM` folder in its path (`raw/population/2025-03/…`, the layout data staff are asked for);
3. a date or month in its name (`事件流转_20250305.jsonl`, `…台账_2025年3月.xlsx`), or a quarter
   (`12345工单明细_2025年第1季度.xlsx`, `2025Q1`), which routes to its first month.
A file none of these place is *unrouted*: it goes to the run of the current month, whose ingest
reads it and lands its rows in whatever month its contents say.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import polars as pl

from pipelines.core.settings import Paths
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.readers import find_date, find_month
from pipelines.ingest.run import Ingestor, RawFile, scan

MONTH_FOLDER = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"(20\d{2})\s*(?:年\s*第?\s*([1-4一二三四])\s*季度?|[Qq]([1-4]))")
QUARTER_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
TIMEZONE = "Asia/Shanghai"  # the street's clock: schedules, partitions and "the current month"


def current_month(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m")


def is_raw_file(path: Path) -> bool:
    """The same files ingest scans: no hidden files, no Office lock files, no README."""
    return path.is_file() and not path.name.startswith((".", "~$")) and path.name != "README.md"


def raw_files(paths: Paths) -> dict[str, Path]:
    """Every raw file as `<source>/<…>` → absolute path."""
    found = {}
    for source in SOURCES:
        root = paths.raw / source
        for p in sorted(root.rglob("*")) if root.exists() else []:
            if is_raw_file(p):
                found[p.relative_to(paths.raw).as_posix()] = p
    return found


def ledger_months(ledger: pl.DataFrame) -> dict[str, str]:
    """file path → the month ingest found in its contents (latest entry that found one)."""
    if not ledger.height:
        return {}
    rows = ledger.filter(pl.col("report_month").is_not_null()).sort("ingested_at", nulls_last=False)
    return dict(zip(rows["file_path"].to_list(), rows["report_month"].to_list()))


def month_of(rel: str, known: dict[str, str]) -> str | None:
    if rel in known:
        return known[rel]
    path = PurePosixPath(rel)
    for part in reversed(path.parts[1:-1]):
        if MONTH_FOLDER.match(part):
            return part
    day = find_date(path.name)
    return day[:7] if day else find_month(path.name) or _quarter_start(path.name)


def _quarter_start(name: str) -> str | None:
    """The first month of a quarter a file name gives (`2025年第1季度`, `2025年一季度`, `2025Q1`)."""
    found = QUARTER.search(name)
    if not found:
        return None
    digit = found.group(2) or found.group(3)
    quarter = QUARTER_DIGITS.get(digit) or int(digit)
    return f"{found.group(1)}-{3 * quarter - 2:02d}"


class MonthIngestor(Ingestor):
    """Ingest the files of some months — all of them, re-reading those already seen.

    Re-reading a month's files replaces its slices (DESIGN.md §4.2), so a month re-run after a
    rule change, or a backfill, is idempotent. Two more kinds of file come along:
    - with `unrouted=True` (a run that covers the current month), new files no rule places;
    - new grid tables of any month up to the last one of the run: registers and logs are
      validated against the grid codes in the lake, so a redraw must land before its months.
    """

    def __init__(self, paths: Paths, *, unrouted: bool = False, **kwargs) -> None:
        super().__init__(paths, **kwargs)
        self.unrouted = unrouted
        self.known_months = ledger_months(self.ledger)

    def pending(self, source: str, months: set[str] | None, force: bool) -> list[RawFile]:
        if months is None:
            return super().pending(source, months, force)
        seen = {(e["file_path"], e["file_hash"]) for e in self.entries}
        last = max(months)
        todo = []
        for f in scan(self.paths, source):
            month, new = month_of(f.rel, self.known_months), (f.rel, f.sha256) not in seen
            if month in months or (new and month is None and self.unrouted) \
                    or (new and source == "grids" and (month is None or month <= last)):
                todo.append(f)
        return todo


def ingest_months(paths: Paths, months: set[str] | None, force: bool = False, sources: tuple[str, ...] | None = None,
                  progress=None) -> list[dict]:
    """New and changed files (months=None; with `force` every file), or every file of some months
    (a backfill, a month's refresh)."""
    kwargs = {"sources": sources} if sources else {}
    if months is None:
        return Ingestor(paths).run(force=force, progress=progress, **kwargs)
    return MonthIngestor(paths, unrouted=current_month() in months).run(months=months, progress=progress, **kwargs)
