"""Ingest every new or changed file under `raw/` into the lake (DESIGN.md §2–§4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl

from ..build_scope import note_landed
from ..config import STREET_CODE, Paths
from . import lake
from .contracts import SOURCES, Contract, default_contracts
from .errors import FileRejected
from .identity import Pseudonymiser, pii_key
from .locate import locate
from .readers import RawTable, read_file
from .validate import month_bounds, validate

log = logging.getLogger("gridpulse.ingest")
Progress = Callable[[str, int, int, str], None]


BATCH_ROWS = int(os.environ.get("GRIDPULSE_INGEST_BATCH_ROWS", 400_000))  # rows validated in one pass
READ_THREADS = int(os.environ.get("GRIDPULSE_INGEST_READ_THREADS", min(4, os.cpu_count() or 1)))
READ_AHEAD = int(os.environ.get("GRIDPULSE_INGEST_READ_AHEAD", 6))  # files read while a batch is landed


@dataclass
class RawFile:
    source: str
    path: Path
    rel: str
    sha256: str
    received_at: dt.datetime


@dataclass
class Prepared:
    file: RawFile
    table: RawTable
    community: str | None
    month: str
    slice_key: str
    month_end: dt.datetime
    file_end: dt.datetime


def prefetch(fn, items: list, threads: int = READ_THREADS, ahead: int = READ_AHEAD):
    """Yield (item, fn(item)) in order while up to `ahead` items are worked on in threads.

    fastexcel and polars release the GIL while decoding, so reading overlaps across cores;
    the window bounds how many decoded files wait in memory.
    """
    with ThreadPoolExecutor(threads) as pool:
        pending: deque = deque()
        for item in items:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) > ahead:
                head, future = pending.popleft()
                yield head, future.result()
        while pending:
            head, future = pending.popleft()
            yield head, future.result()


def scan(paths: Paths, source: str) -> list[RawFile]:
    """Files under raw/<source>/, oldest first (a re-submission comes after what it corrects)."""
    root = paths.raw / source
    found = []
    for p in sorted(root.rglob("*")) if root.exists() else []:
        if p.is_file() and not p.name.startswith((".", "~$")) and p.name != "README.md":
            found.append(RawFile(source, p, p.relative_to(paths.raw).as_posix(),
                                 hashlib.sha256(p.read_bytes()).hexdigest(),
                                 dt.datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0)))
    return sorted(found, key=lambda f: (f.received_at, f.rel))


class Ingestor:
    def __init__(self, paths: Paths, contracts: dict[str, Contract] | None = None, street_code: str = STREET_CODE):
        self.paths = paths
        self.contracts = contracts or default_contracts()
        self.street = street_code
        self.key = Pseudonymiser(pii_key(paths.pii_key_file))
        # Parts are written in threads of their own while the next batch is read and validated;
        # `_flush` waits for them (before the ledger names them, and before a part is rewritten).
        self._writer = ThreadPoolExecutor(2, thread_name_prefix="gridpulse-write")
        self._writes: list = []
        # The ledger is file metadata (one row per file, not data rows): kept as records in memory,
        # keyed by (path, hash) and indexed by hash and by landed slice so that each file costs O(1).
        self._entries: dict[tuple[str, str], dict] = {}
        self._by_hash: dict[str, dict[str, None]] = {}  # hash -> paths, in the order first seen
        self._landed: dict[tuple[str, str, str], tuple[str, str]] = {}
        for e in lake.read_ledger(paths.ledger).to_dicts():
            self._put(e)
        self._sweep()
        self._refresh_grids()

    def _sweep(self) -> None:
        """Remove parts no landed file names (what a run that stopped before writing its ledger left)
        and parts whose write did not finish.

        Their files are not in the ledger, so they are ingested again; without the sweep their rows
        would then be in the lake twice.
        """
        named = {(e["source"], e["report_month"], e["lake_part"]) for e in self._entries.values()
                 if e["status"] == "landed"}
        for root in (self.paths.lake, self.paths.quarantine):
            for source in SOURCES:
                for path in (root / source).glob("month=*/*.parquet"):
                    month = path.parent.name.removeprefix("month=")
                    if path.stem != "_empty" and (source, month, path.stem) not in named:
                        log.warning("removing %s: no landed file in the ledger names it", path)
                        path.unlink()
                for path in (root / source).glob("month=*/.*.tmp"):  # a write cut short
                    log.warning("removing %s: a part whose write did not finish", path)
                    path.unlink()

    @property
    def entries(self) -> list[dict]:
        return list(self._entries.values())

    def _put(self, e: dict) -> None:
        key = (e["file_path"], e["file_hash"])
        self._entries.pop(key, None)  # a re-read file's record moves to the end
        self._entries[key] = e
        self._by_hash.setdefault(e["file_hash"], {})[e["file_path"]] = None
        if e["status"] == "landed":
            self._landed[(e["source"], e["report_month"], e["slice_key"])] = key

    @property
    def ledger(self) -> pl.DataFrame:
        return pl.DataFrame(self.entries, schema=lake.LEDGER_SCHEMA, orient="row") if self.entries else \
            pl.DataFrame(schema=lake.LEDGER_SCHEMA)

    def _refresh_grids(self) -> None:
        grids = lake.read_lake(self.paths.lake, "grids")
        if grids is None:
            self.known_grids, self.grid_communities = None, {}
        else:
            pairs = grids.select("grid_code", "community_code").unique("grid_code", keep="last")
            self.known_grids = pairs["grid_code"].to_list()
            self.grid_communities = dict(pairs.iter_rows())

    def _record(self, f: RawFile, **values) -> None:
        row = {k: None for k in lake.LEDGER_SCHEMA} | {
            "file_path": f.rel, "file_hash": f.sha256, "source": f.source, "received_at": f.received_at,
            "rows_read": 0, "rows_landed": 0, "rows_quarantined": 0,
            "ingested_at": dt.datetime.now().replace(microsecond=0)} | values
        self._put(row)

    def _read(self, f: RawFile) -> tuple | FileRejected:
        """Read and locate one file (runs in a reader thread; touches no shared state)."""
        contract = self.contracts[f.source]
        try:
            table = read_file(f.path, contract)
            return (table, *locate(contract, table.frame, table.context, f.path, self.street, self.grid_communities))
        except FileRejected as exc:
            return exc

    def _prepare(self, f: RawFile, read: tuple | FileRejected, in_batch: dict[str, str]) -> "Prepared | None":
        """Record rejections and duplicates (which give None); otherwise the file is ready to land."""
        twin = [p for p in self._by_hash.get(f.sha256, ()) if p != f.rel
                and self._entries[(p, f.sha256)]["status"] in ("landed", "superseded")]
        # a copy met earlier in this run, unless that one turned out empty (rejected when its batch landed)
        seen = in_batch.get(f.sha256)
        if seen and seen != f.rel and self._entries.get((seen, f.sha256), {}).get("status") != "rejected":
            twin = twin or [seen]
        if twin:
            self._record(f, status="duplicate", duplicate_of=twin[0],
                         message=f"与已报送文件“{twin[0]}”内容完全相同，已跳过。")
            return None
        contract = self.contracts[f.source]
        if isinstance(read, FileRejected):
            self._reject(f, read)
            return None
        table, community, month, slice_key = read
        in_batch[f.sha256] = f.rel
        _, end = month_bounds(month)
        day_end = (dt.datetime.strptime(slice_key, "%Y%m%d") + dt.timedelta(days=1, microseconds=-1)
                   if contract.slice == "file_date" else end)
        return Prepared(f, table, community, month, slice_key, end, day_end)

    def _land(self, source: str, batch: list["Prepared"]) -> None:
        """Validate a batch of files in one pass, then write one part per month of the batch."""
        if not batch:
            return
        contract = self.contracts[source]
        # Each row's file number and date bounds, built once for the batch (not per file).
        heights = [p.table.frame.height for p in batch]
        bounds = pl.DataFrame({"_file": range(len(batch)), "_month_end": [p.month_end for p in batch],
                               "_file_end": [p.file_end for p in batch]},
                              schema={"_file": pl.Int32, "_month_end": pl.Datetime("us"), "_file_end": pl.Datetime("us")})
        per_row = bounds[np.repeat(np.arange(len(batch)), heights)]
        # one chunk per column: the reads come in many small chunks, which every pass below would pay for
        frame = pl.concat([p.table.frame for p in batch], how="diagonal_relaxed", rechunk=True).with_columns(
            per_row.get_columns())
        ctx = {"month_end": pl.col("_month_end"), "file_end": pl.col("_file_end"),
               "known_grids": self.known_grids if source != "grids" else None}
        landed, quarantined = validate(frame, contract, ctx, self.key, group="_file")
        n_landed = dict(landed.group_by("_file").len().iter_rows())
        n_quarantined = dict(quarantined.group_by("_file").len().iter_rows())
        read = {i: n_landed.get(i, 0) + n_quarantined.get(i, 0) for i in range(len(batch))}  # rows that are data
        for i, p in enumerate(batch):
            if not read[i]:
                self._reject_empty(p.file)
        # A slice met twice keeps the later file: the earlier one is superseded before it lands.
        last = {(p.month, p.slice_key): i for i, p in enumerate(batch) if read[i]}
        keep = sorted(last.values())
        self._retire([batch[i] for i in keep])
        parts = self._write_parts(source, batch, keep, landed, quarantined)
        for i, p in enumerate(batch):
            if read[i]:
                status = "landed" if i in parts else "superseded"
                log.info("%s %s: %d read, %d landed, %d quarantined", status, p.file.rel, read[i],
                         n_landed.get(i, 0), n_quarantined.get(i, 0))
                self._record(p.file, community_code=p.community, report_month=p.month, slice_key=p.slice_key,
                             sheet=p.table.sheet, rows_read=read[i], rows_landed=n_landed.get(i, 0),
                             rows_quarantined=n_quarantined.get(i, 0), status=status, lake_part=parts.get(i))

    def _retire(self, landing: list["Prepared"]) -> None:
        """Drop from the lake and the quarantine the rows of each slice's earlier file."""
        gone: dict[tuple[str, str, str], set[str]] = {}
        for p in landing:
            earlier = self._landed.pop((p.file.source, p.month, p.slice_key), None)
            if earlier and self._entries.get(earlier, {}).get("status") == "landed":
                e = self._entries[earlier]
                gone.setdefault((e["source"], e["report_month"], e["lake_part"]), set()).add(e["file_hash"])
                if earlier != (p.file.rel, p.file.sha256):
                    e["status"] = "superseded"
        if gone:
            self._flush()
        for (source, month, part), hashes in gone.items():
            lake.drop_files(self.paths.lake, source, month, part, hashes)
            lake.drop_files(self.paths.quarantine, source, month, part, hashes)

    def _write_parts(self, source: str, batch: list["Prepared"], keep: list[int], landed: pl.DataFrame,
                     quarantined: pl.DataFrame) -> dict[int, str]:
        """Write the kept files' rows, one lake part (and quarantine part) per month; file -> part.

        Each row is given its part's number and the rows are split by it in one pass (a file left out
        is superseded); each part gets its lineage and is written in a writer thread, so the months
        are worked on two at a time.
        """
        by_month: dict[str, list[int]] = {}
        for i in keep:
            by_month.setdefault(batch[i].month, []).append(i)
        number = np.full(len(batch), -1, dtype=np.int32)
        for n, members in enumerate(by_month.values()):
            number[members] = n
        split = [_by_part(frame, number) for frame in (landed, quarantined)]
        community = self.contracts[source].slice == "community_month"
        lineage = [_per_file(batch, LANDED_LINEAGE | ({"community_code": lambda p: p.community} if community else {})),
                   _per_file(batch, QUARANTINE_LINEAGE)]  # once per batch, for all its parts
        parts: dict[int, str] = {}
        for n, (month, members) in enumerate(by_month.items()):
            part = "part-" + hashlib.sha256("".join(batch[i].file.sha256 for i in members).encode()).hexdigest()[:16]
            self._submit(_write_part, self.paths, source, month, part, split[0].get(n, landed.clear()),
                         split[1].get(n), lineage)
            parts |= dict.fromkeys(members, part)
        return parts

    def _submit(self, fn, *args) -> None:
        self._writes.append(self._writer.submit(fn, *args))

    def _flush(self) -> None:
        """Wait for the parts being written; a failed write raises here (so the ledger is not written)."""
        writes, self._writes = self._writes, []
        for w in writes:
            w.result()

    def _reject_empty(self, f: RawFile) -> None:
        """A file whose rows were all blank or totals; a copy of it met in the same batch goes with it."""
        self._reject(f, FileRejected("empty", f"文件“{f.path.name}”没有数据行，请确认已填写后重新报送。"))
        for path in self._by_hash.get(f.sha256, ()):
            e = self._entries[(path, f.sha256)]
            if e["status"] == "duplicate" and e["duplicate_of"] == f.rel:
                e |= {"status": "rejected", "duplicate_of": None, "reject_code": "empty",
                      "message": f"文件“{Path(path).name}”没有数据行，请确认已填写后重新报送。"}

    def _reject(self, f: RawFile, exc: FileRejected) -> None:
        log.warning("rejected %s: %s", f.rel, exc.code)
        self._record(f, status="rejected", reject_code=exc.code, message=exc.message)

    def pending(self, source: str, months: set[str] | None, force: bool) -> list[RawFile]:
        files = scan(self.paths, source)
        if force:
            return files
        done = {(e["file_path"], e["file_hash"]): e["report_month"] for e in self.entries if e["source"] == source}
        return [f for f in files if (f.rel, f.sha256) not in done
                or (months is not None and done[(f.rel, f.sha256)] in months)]

    def run(self, sources: tuple[str, ...] = SOURCES, months: set[str] | None = None, force: bool = False,
            progress: Progress | None = None) -> list[dict]:
        outcomes = []
        for source in [s for s in SOURCES if s in sources]:
            todo = self.pending(source, months, force)
            batch, rows, in_batch = [], 0, {}
            for i, (f, read) in enumerate(prefetch(self._read, todo)):
                if progress:
                    progress(source, i, len(todo), f.rel)
                prepared = self._prepare(f, read, in_batch)
                if prepared:
                    batch.append(prepared)
                    rows += prepared.table.frame.height
                if rows >= BATCH_ROWS:
                    self._land(source, batch)
                    batch, rows = [], 0
            self._land(source, batch)
            self._flush()
            done = {(f.rel, f.sha256) for f in todo}
            outcomes += [dict(e) for e in self.entries if (e["file_path"], e["file_hash"]) in done]
            if progress:
                progress(source, len(todo), len(todo), "")
            lake.write_ledger(self.ledger, self.paths.ledger)
            if any(self._entries.get((f.rel, f.sha256), {}).get("status") == "landed" for f in todo):
                note_landed(self.paths, {source})  # the next dbt build must include its descendants
            if source == "grids":
                self._refresh_grids()
            self._anchor(source)
        return outcomes

    def _anchor(self, source: str) -> None:
        """Give dbt a typed, empty slice to read when a source has no data yet."""
        anchor = lake.part_path(self.paths.lake, source, "0000-00", "_empty")
        if any(p.name != anchor.name for p in (self.paths.lake / source).glob("month=*/*.parquet")):
            anchor.unlink(missing_ok=True)
        elif not anchor.exists():
            contract = self.contracts[source]
            empty = pl.DataFrame(schema={"_row": pl.Int64, **{f.name: pl.String for f in contract.fields}})
            landed, _ = validate(empty, contract, {}, self.key)
            lake.write_atomic(landed.with_columns(
                source_file=pl.lit(None, pl.String), source_sheet=pl.lit(None, pl.String),
                file_hash=pl.lit(None, pl.String), report_month=pl.lit(None, pl.String),
                community_code=pl.lit(None, pl.String)), anchor)
        qanchor = lake.part_path(self.paths.quarantine, "_anchor", "0000-00", "_empty")
        if not qanchor.exists():
            lake.write_atomic(pl.DataFrame(schema=lake.QUARANTINE_SCHEMA), qanchor)


def _by_part(frame: pl.DataFrame, number: np.ndarray) -> dict[int, pl.DataFrame]:
    """The rows of each part, by part number (`number[file]`, -1 for a file that is not written)."""
    numbered = frame.with_columns(_part=pl.Series(number)[frame["_file"]])
    return {k[0]: v for k, v in numbered.partition_by("_part", as_dict=True, include_key=False).items() if k[0] >= 0}


def _per_file(batch: list[Prepared], columns: dict[str, Callable]) -> pl.DataFrame:
    """The batch's lineage columns (name -> value of a file), a row per file."""
    return pl.DataFrame({name: [value(p) for p in batch] for name, value in columns.items()},
                        schema={name: pl.String for name in columns})


def _lineage(rows: pl.DataFrame, per_file: pl.DataFrame) -> pl.DataFrame:
    """A part's rows with their file's lineage columns, taken by each row's `_file`."""
    return rows.drop(["_file", *(c for c in per_file.columns if c in rows.columns)]).hstack(per_file[rows["_file"]])


LANDED_LINEAGE = {"source_file": lambda p: p.file.rel, "source_sheet": lambda p: p.table.sheet,
                  "file_hash": lambda p: p.file.sha256, "report_month": lambda p: p.month,
                  "slice_key": lambda p: p.slice_key}
QUARANTINE_LINEAGE = {"source": lambda p: p.file.source, "file_path": lambda p: p.file.rel,
                      "file_hash": lambda p: p.file.sha256, "sheet": lambda p: p.table.sheet,
                      "report_month": lambda p: p.month, "slice_key": lambda p: p.slice_key}


def _write_part(paths: Paths, source: str, month: str, part: str, rows: pl.DataFrame, bad: pl.DataFrame | None,
                lineage: list[pl.DataFrame]) -> None:
    """One month's part of a batch: the lake rows and the quarantined rows, if any, with the lineage
    of their files (`_per_file` for the lake and the quarantine); runs in a writer thread."""
    lake.write_atomic(_lineage(rows, lineage[0]), lake.part_path(paths.lake, source, month, part))
    qpath = lake.part_path(paths.quarantine, source, month, part)
    if bad is not None:
        lake.write_atomic(_lineage(bad, lineage[1]).select(list(lake.QUARANTINE_SCHEMA)), qpath)
    else:
        qpath.unlink(missing_ok=True)


def ingest(paths: Paths, **kwargs) -> list[dict]:
    return Ingestor(paths).run(**kwargs)
