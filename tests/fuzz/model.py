"""The builder's own account of a submission: each file's bytes and what ingest must make of it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One data row (or JSON line) as the builder wrote it, and what must become of it."""

    cells: dict[str, object]  # field -> value as written (None: left empty)
    valid: bool = True
    reason: str | None = None  # the rule an invalid row breaks (the quarantine reason ingest should give)
    key: tuple = ()  # what finds the row in the lake (with its month)
    expect: dict[str, object] = field(default_factory=dict)  # canonical values that must land
    month: str | None = None  # the lake month it lands in
    number: int | None = None  # row number in the file as a clerk sees it (set when the file is laid out)
    cut: bool = False  # the partial last row of a cut-off file: read or not, landed or not, unknown
    repeat: bool = False  # the same step as a row an earlier file landed (an overlapping re-export)


@dataclass
class FileExpect:
    """One file of a submission and the outcome the builder expects."""

    rel: str  # raw/<source>/<name>, relative to raw/
    source: str
    data: bytes
    what: str  # a few words on how the file was made (shown when a check fails)
    rows: list[Row] = field(default_factory=list)  # its data rows: blank and totals rows are not data
    slice: tuple | None = None  # what a later file of the same slice replaces (None: rows place themselves)
    reject: frozenset[str] = frozenset()  # reject codes one of which ingest must give (empty: not rejected)
    copy_of: FileExpect | None = None  # a byte-for-byte copy of an earlier file
    outcome: str = ""  # landed / superseded / rejected / duplicate, worked out over the whole submission
    tags: set[str] = field(default_factory=set)  # the shapes the file took (counted in the fuzz report)
    mutation: str = "none"  # how the whole file was broken: cut, drop (a column), hollow, zero (bytes)

    def __repr__(self) -> str:
        rows = "".join("v" if r.valid else "c" if r.cut else "r" if r.repeat else "x" for r in self.rows)
        return f"<{self.rel} [{self.what}] {self.outcome or '?'} rows={rows or '-'} {len(self.data)} bytes>"

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    def count(self, *, valid: bool | None = None, repeat: bool = False) -> int:
        """Rows certainly read, of a kind: valid (and new), invalid, or already landed before."""
        rows = [r for r in self.rows if not r.cut]
        if repeat:
            return sum(r.repeat for r in rows)
        return sum(1 for r in rows if not r.repeat and (valid is None or r.valid == valid))

    @property
    def uncertain(self) -> int:
        return sum(r.cut for r in self.rows)


@dataclass
class Submission:
    files: list[FileExpect]
    received: float  # epoch seconds of the first file; each later file a minute later

    def __repr__(self) -> str:
        return "Submission(\n  " + "\n  ".join(map(repr, self.files)) + "\n)"

    def _repr_pretty_(self, printer, cycle) -> None:  # how Hypothesis shows a falsifying example
        printer.text(repr(self))

    def write(self, raw: Path) -> None:
        """Write the files under raw/<source>/; their times give the order ingest sees them in."""
        for i, f in enumerate(self.files):
            path = raw / f.rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
            os.utime(path, (self.received + 60 * i, self.received + 60 * i))

    def settle(self) -> None:
        """Work out each file's outcome: a copy is a duplicate (or rejected with its original), and of the
        files of one slice the last with any data row lands while the earlier ones are superseded."""
        last: dict[tuple, FileExpect] = {}
        for f in self.files:
            if f.copy_of is not None:
                f.outcome = "rejected" if f.copy_of.outcome == "rejected" else "duplicate"
                f.reject = f.copy_of.reject
            elif f.reject:
                f.outcome = "rejected"
            else:
                f.outcome = "landed"
                if f.slice is not None:
                    if f.slice in last:
                        last[f.slice].outcome = "superseded"
                    last[f.slice] = f

    def landing(self) -> list[Row]:
        """Every row that must be in the lake once: the valid, new rows of the files that land."""
        return [r for f in self.files if f.outcome == "landed" for r in f.rows if r.valid and not r.cut and not r.repeat]
