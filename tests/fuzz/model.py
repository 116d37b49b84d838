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
    # (source, (year, month), community): a register's or grid table's month and the community (a grid
    # table: the street) its title or name gives; community None: a street-wide register, each row in
    # the community of its grid. None: a log, whose rows place themselves and replace nothing.
    slice: tuple | None = None
    reject: frozenset[str] = frozenset()  # reject codes one of which ingest must give (empty: not rejected)
    copy_of: FileExpect | None = None  # a byte-for-byte copy of an earlier file
    outcome: str = ""  # landed / superseded / rejected / duplicate, worked out over the whole submission
    tags: set[str] = field(default_factory=set)  # the shapes the file took (counted in the fuzz report)
    mutation: str = "none"  # how the whole file was broken: cut, drop (a column), hollow, zero (bytes)
    lost: set[tuple[str, str]] = field(default_factory=set)  # its (month, community) pieces later files took

    def __repr__(self) -> str:
        rows = "".join("v" if r.valid else "c" if r.cut else "r" if r.repeat else "x" for r in self.rows)
        lost = f" lost {','.join(f'{m}:{c}' for m, c in sorted(self.lost))}" if self.lost else ""
        return f"<{self.rel} [{self.what}] {self.outcome or '?'}{lost} rows={rows or '-'} {len(self.data)} bytes>"

    def piece(self, r: Row) -> tuple[str, str] | None:
        """The (month, community) slice a row of a register or grid table goes to (None: a log's row).
        A street-wide register's valid row goes to its grid's community; its broken rows to no
        community ('': kept with the file, never competing for a slice)."""
        if self.slice is None:
            return None
        _, (year, month), community = self.slice
        if community is None:
            community = r.expect["community_code"] if r.valid else ""
        return f"{year}-{month:02d}", community

    @property
    def pieces(self) -> set[tuple[str, str]]:
        """The pieces its rows cover as read (a cut row goes where the file's other rows go: only a
        file that names its community is cut)."""
        return {self.piece(r) for r in self.rows if not r.cut} - {None}

    @property
    def counted(self) -> list[Row]:
        """The rows its ledger counts: a landed file's rows but those of the slices it lost, a
        superseded file's rows as it was read."""
        if self.outcome != "landed" or not self.lost:
            return self.rows
        return [r for r in self.rows if self.piece(r) not in self.lost]

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    def count(self, *, valid: bool | None = None, repeat: bool = False) -> int:
        """Rows certainly read and counted (`counted`), of a kind: valid (and new), invalid, or already
        landed before."""
        rows = [r for r in self.counted if not r.cut]
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
        """Work out each file's outcome: a copy is a duplicate (or rejected with its original); of the
        files that hold a (month, community) slice the last one keeps it. A file that keeps none of the
        slices it placed rows in is superseded (with its rows no community placed); one that keeps some
        lands with what it keeps."""
        last: dict[tuple, FileExpect] = {}
        for f in self.files:
            f.lost = set()
            if f.copy_of is not None:
                f.outcome = "rejected" if f.copy_of.outcome == "rejected" else "duplicate"
                f.reject = f.copy_of.reject
            elif f.reject:
                f.outcome = "rejected"
            else:
                f.outcome = "landed"
                for piece in f.pieces:
                    if piece[1]:
                        last[(f.source, *piece)] = f
        for f in self.files:
            if f.outcome == "landed":
                placed = {p for p in f.pieces if p[1]}
                f.lost = {p for p in placed if last[(f.source, *p)] is not f}
                if f.lost and f.lost == placed:
                    f.outcome = "superseded"
                elif f.lost:
                    f.tags.add("partly_replaced")

    def landing(self) -> list[Row]:
        """Every row that must be in the lake once: the valid, new rows that the files that land keep."""
        return [r for f in self.files if f.outcome == "landed" for r in f.counted if r.valid and not r.cut and not r.repeat]
