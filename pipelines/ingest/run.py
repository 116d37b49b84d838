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


BATCH_ROWS = 400_000  # rows validated in one pass; bounds memory at city scale
READ_THREADS = min(4, os.cpu_count() or 1)


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


def prefetch(fn, items: list, threads: int = READ_THREADS, ahead: int = 6):
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
        # The ledger is file metadata (one row per file, not data rows): kept as records in memory,
        # keyed by (path, hash) and indexed by hash and by landed slice so that each file costs O(1).
        self._entries: dict[tuple[str, str], dict] = {}
        self._by_hash: dict[str, dict[str, None]] = {}  # hash -> paths, in the order first seen
        self._landed: dict[tuple[str, str, str], tuple[str, str]] = {}
        for e in lake.read_ledger(paths.ledger).to_dicts():
            self._put(e)
        self._refresh_grids()

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
        twin = twin or ([in_batch[f.sha256]] if f.sha256 in in_batch and in_batch[f.sha256] != f.rel else [])
        if twin:
            self._record(f, status="duplicate", duplicate_of=twin[0],
                         message=f"与已报送文件“{twin[0]}”内容完全相同，已跳过。")
            return None
        contract = self.contracts[f.source]
        if isinstance(read, FileRejected):
            log.warning("rejected %s: %s", f.rel, read.code)
            self._record(f, status="rejected", reject_code=read.code, message=read.message)
            return None
        table, community, month, slice_key = read
        in_batch[f.sha256] = f.rel
        _, end = month_bounds(month)
        day_end = (dt.datetime.strptime(slice_key, "%Y%m%d") + dt.timedelta(days=1, microseconds=-1)
                   if contract.slice == "file_date" else end)
        return Prepared(f, table, community, month, slice_key, end, day_end)

    def _land(self, source: str, batch: list["Prepared"]) -> None:
        """Validate a batch of files in one pass, then write each file's slice in arrival order."""
        if not batch:
            return
        contract = self.contracts[source]
        # Each row's file number and date bounds, built once for the batch (not per file).
        heights = [p.table.frame.height for p in batch]
        bounds = pl.DataFrame({"_file": range(len(batch)), "_month_end": [p.month_end for p in batch],
                               "_file_end": [p.file_end for p in batch]},
                              schema={"_file": pl.Int32, "_month_end": pl.Datetime("us"), "_file_end": pl.Datetime("us")})
        per_row = bounds[np.repeat(np.arange(len(batch)), heights)]
        frame = pl.concat([p.table.frame for p in batch], how="diagonal_relaxed").with_columns(per_row.get_columns())
        ctx = {"month_end": pl.col("_month_end"), "file_end": pl.col("_file_end"),
               "known_grids": self.known_grids if source != "grids" else None}
        landed, quarantined = validate(frame, contract, ctx, self.key, group="_file")
        landed_parts = landed.partition_by("_file", as_dict=True, include_key=False)
        quarantined_parts = quarantined.partition_by("_file", as_dict=True, include_key=False)
        empty_landed, empty_quarantined = landed.clear().drop("_file"), quarantined.clear().drop("_file")
        for i, p in enumerate(batch):
            self._write(p, landed_parts.get((i,), empty_landed), quarantined_parts.get((i,), empty_quarantined))

    def _write(self, p: "Prepared", landed: pl.DataFrame, quarantined: pl.DataFrame) -> None:
        f = p.file
        lineage = {"source_file": pl.lit(f.rel), "source_sheet": pl.lit(p.table.sheet, pl.String),
                   "file_hash": pl.lit(f.sha256), "report_month": pl.lit(p.month)}
        if p.community:
            lineage["community_code"] = pl.lit(p.community)
        landed = landed.with_columns(**lineage)  # rows keep the file's order through validation
        lake.write_atomic(landed, lake.slice_path(self.paths.lake, f.source, p.month, p.slice_key))
        qpath = lake.slice_path(self.paths.quarantine, f.source, p.month, p.slice_key)
        if quarantined.height:
            q = quarantined.with_columns(source=pl.lit(f.source), file_path=pl.lit(f.rel), file_hash=pl.lit(f.sha256),
                                         sheet=pl.lit(p.table.sheet, pl.String), report_month=pl.lit(p.month),
                                         slice_key=pl.lit(p.slice_key))
            lake.write_atomic(q.select(list(lake.QUARANTINE_SCHEMA)), qpath)
        else:
            qpath.unlink(missing_ok=True)
        earlier = self._landed.get((f.source, p.month, p.slice_key))
        if earlier and earlier[1] != f.sha256 and self._entries[earlier]["status"] == "landed":
            self._entries[earlier]["status"] = "superseded"  # the slice's earlier submission is replaced
        read = p.table.frame.height
        log.info("landed %s: %d read, %d landed, %d quarantined", f.rel, read, landed.height, quarantined.height)
        self._record(f, community_code=p.community, report_month=p.month, slice_key=p.slice_key,
                     sheet=p.table.sheet, rows_read=read, rows_landed=landed.height,
                     rows_quarantined=quarantined.height, status="landed")

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
        anchor = lake.slice_path(self.paths.lake, source, "0000-00", "_empty")
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
        qanchor = lake.slice_path(self.paths.quarantine, "_anchor", "0000-00", "_empty")
        if not qanchor.exists():
            lake.write_atomic(pl.DataFrame(schema=lake.QUARANTINE_SCHEMA), qanchor)


def ingest(paths: Paths, **kwargs) -> list[dict]:
    return Ingestor(paths).run(**kwargs)
