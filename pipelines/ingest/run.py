"""Ingest every new or changed file under `raw/` into the lake (DESIGN.md §2–§4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from pipelines.core.settings import Paths
from pipelines.core.texts import LEDGER
from pipelines.ingest import hotline, lake
from pipelines.ingest.contracts import SOURCES, Contract, default_contracts
from pipelines.ingest.errors import FileRejected, rejection
from pipelines.ingest.identity import Pseudonymiser, pii_key
from pipelines.ingest.locate import locate
from pipelines.ingest.place import overlap, pieces_of, place, supersede
from pipelines.ingest.placement import Gazetteer
from pipelines.ingest.readers import RawTable, read_file
from pipelines.ingest.table import SHEET
from pipelines.ingest.validate import month_bounds, validate

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
    community: str | None  # the community its title or name gives (a hint for a log)
    month: str | None  # the month its title or name gives (a register's month; a hint for a log)
    slice_key: str | None  # a grid table's street; a register's community (None: street-wide)
    month_end: dt.datetime | None


STREET_CLOCK = ZoneInfo("Asia/Shanghai")  # the times in the files are the street's (naive) clock


def street_now() -> dt.datetime:
    return dt.datetime.now(STREET_CLOCK).replace(tzinfo=None, microsecond=0)


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
    def __init__(self, paths: Paths, contracts: dict[str, Contract] | None = None, street_code: str | None = None,
                 readonly: bool = False):
        """`readonly` (a dry run: `gridpulse check`) reads the ledger and the lake and writes nothing:
        no sweep, and without a key yet a throwaway one (its digests are never shown)."""
        self.paths = paths
        self.contracts = contracts or default_contracts()
        self.street = street_code or paths.street  # the street (or city) this installation serves
        fresh = readonly and not os.environ.get("GRIDPULSE_PII_KEY") and not paths.pii_key_file.exists()
        self.key = Pseudonymiser(secrets.token_bytes(32) if fresh else pii_key(paths.pii_key_file))
        self.now = street_now()  # a log's time after this (the street's clock) is in the future
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
        if not readonly:
            self._sweep()
        self._refresh_grids()
        self._gazetteer = None  # the hotline's placement gazetteer, built when first needed

    def gazetteer(self):
        """The hotline placement's gazetteer (built from the divisions and the lake's grid table, once a run)."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.build(self.paths)
        return self._gazetteer

    def _sweep(self) -> None:
        """Remove parts no landed file names (what a run that stopped before writing its ledger left)
        and parts whose write did not finish.

        Their files are not in the ledger, so they are ingested again; without the sweep their rows
        would then be in the lake twice.
        """
        named = {(e["source"], month, e["lake_part"]) for e in self._entries.values() if e["status"] == "landed"
                 for month in _months(e)}
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
            for month, slice_key in _pieces(e):
                if slice_key:  # rows no community placed are no slice another file could replace
                    self._landed[(e["source"], month, slice_key)] = key

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
        # grids the table names but whose rows were quarantined: rows on them are the table's fault
        bad = lake.read_lake(self.paths.quarantine, "grids")
        self.quarantined_grids = [] if bad is None or "record_key" not in bad.columns else \
            sorted(set(bad["record_key"].drop_nulls().to_list()) - set(self.known_grids or ()))

    def _record(self, f: RawFile, **values) -> None:
        row = {k: None for k in lake.LEDGER_SCHEMA} | {
            "file_path": f.rel, "file_hash": f.sha256, "source": f.source, "received_at": f.received_at,
            "rows_read": 0, "rows_landed": 0, "rows_quarantined": 0, "rows_already_landed": 0,
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

    def copies(self, sha256: str, other_than: str | None = None) -> list[str]:
        """Paths of the ledger's landed (or since superseded) files with these bytes."""
        return [p for p in self._by_hash.get(sha256, ()) if p != other_than
                and self._entries[(p, sha256)]["status"] in ("landed", "superseded")]

    def dry_read(self, f: RawFile) -> tuple[Prepared | None, FileRejected | None, dict | None]:
        """Read, locate and prepare one file as a run would: (prepared, its rejection, its ledger entry
        when it was rejected or is a copy). Recorded in memory only: nothing is written."""
        read = self._read(f)
        prepared = self._prepare(f, read, {})
        return prepared, read if isinstance(read, FileRejected) else None, \
            None if prepared else self._entries[(f.rel, f.sha256)]

    def _prepare(self, f: RawFile, read: tuple | FileRejected, in_batch: dict[str, str]) -> Prepared | None:
        """Record rejections and duplicates (which give None); otherwise the file is ready to land."""
        twin = self.copies(f.sha256, other_than=f.rel)
        # a copy met earlier in this run, unless that one turned out empty (rejected when its batch landed)
        seen = in_batch.get(f.sha256)
        if seen and seen != f.rel and self._entries.get((seen, f.sha256), {}).get("status") != "rejected":
            twin = twin or [seen]
        if twin:
            self._record(f, status="duplicate", duplicate_of=twin[0],
                         message=LEDGER["duplicate"].format(file=twin[0]))
            return None
        if isinstance(read, FileRejected):
            self._reject(f, read)
            return None
        table, community, month, slice_key = read
        in_batch[f.sha256] = f.rel
        return Prepared(f, table, community, month, slice_key, month_bounds(month)[1] if month else None)

    def _land(self, source: str, batch: list[Prepared]) -> None:
        """Validate a batch of files in one pass, place each row, then write one part per month."""
        if not batch:
            return
        placed = self.place(source, batch)
        for i, p in enumerate(batch):
            if not placed.read[i]:
                self._reject_empty(p.file)
        keep = [i for i in range(len(batch)) if placed.read[i] and i not in placed.superseded]
        self._retire(source, [(batch[i], placed.pieces.get(i, [])) for i in keep])
        parts = self._write_parts(source, batch, keep, placed)
        for i, p in enumerate(batch):
            if not placed.read[i]:
                continue
            status = "landed" if i in parts else "superseded"
            counts = {"rows_read": placed.read[i], "rows_landed": placed.landed_n.get(i, 0),
                      "rows_quarantined": placed.quarantined_n.get(i, 0), "rows_already_landed": placed.already_n.get(i, 0)}
            log.info("%s %s: %s", status, p.file.rel, counts)
            pieces = placed.pieces.get(i, [])
            months = sorted({m for m, _ in pieces})
            slices = sorted({s for _, s in pieces if s})
            self._record(p.file, community_code=p.community or (slices[0] if len(slices) == 1 and
                                                                 self.contracts[source].slice == "community_month" else None),
                         report_month=p.month or (months[0] if months else None),
                         slice_key=p.slice_key or (slices[0] if len(slices) == 1 else None),
                         sheet=p.table.sheet, status=status, lake_part=parts.get(i),
                         months=",".join(months), pieces=",".join(f"{m}:{s}" for m, s in pieces),
                         message=placed.notes.get(i) or _all_known(counts), **counts)

    def place(self, source: str, batch: list[Prepared]) -> Placement:
        """Validate a batch and place its rows (months, communities, slices, rows landed before); no
        file is written, so `gridpulse check` shows what ingest would do with the same code."""
        contract = self.contracts[source]
        heights = [p.table.frame.height for p in batch]
        files = pl.DataFrame({
            "_file": range(len(batch)), "month": [p.month for p in batch], "community": [p.community for p in batch],
            "slice_key": [p.slice_key for p in batch],
            "received_month": [p.file.received_at.strftime("%Y-%m") for p in batch],
            "_month_end": [p.month_end for p in batch]},
            schema={"_file": pl.Int32, "month": pl.String, "community": pl.String, "slice_key": pl.String,
                    "received_month": pl.String, "_month_end": pl.Datetime("us")})
        per_row = files.select("_file", "_month_end")[np.repeat(np.arange(len(batch)), heights)]
        # one chunk per column: the reads come in many small chunks, which every pass below would pay for
        frame = pl.concat([p.table.frame for p in batch], how="diagonal_relaxed", rechunk=True).with_columns(
            per_row.get_columns())
        ctx = {"month_end": pl.col("_month_end"), "received": self.now,
               "known_grids": self.known_grids if source != "grids" else None,
               "quarantined_grids": self.quarantined_grids}
        landed, quarantined = validate(frame, contract, ctx, self.key, group="_file")
        if contract.versioned:
            landed = hotline.row_version(landed, contract)
        if source == "hotline":
            landed = hotline.add_places(landed, self.gazetteer)
        landed, quarantined = place(contract, files, landed, quarantined, self.grid_communities)
        read = _count(landed, len(batch), _count(quarantined, len(batch)))
        already = dict.fromkeys(range(len(batch)), 0)
        superseded: set[int] = set()
        notes: dict[int, str] = {}
        if contract.is_log:
            seen = overlap(contract, landed, self._landed_keys(source, contract, landed, batch))
            if seen.any():
                already = _count(landed.filter(seen), len(batch))
                landed = landed.filter(~seen)
        else:
            as_read = _count(landed, len(batch)), _count(quarantined, len(batch)), _pieces_of(landed, quarantined)
            landed, quarantined, lost = supersede(landed, quarantined)
            kept = _count(landed, len(batch), _count(quarantined, len(batch)))
            superseded = {i for i in lost if not kept.get(i)}
            for i in lost - superseded:  # some of its slices are in a later file of the batch
                notes[i] = LEDGER["superseded_in_batch"].format(rows=read[i] - kept[i])
                read[i] = kept[i]
        pieces = _pieces_of(landed, quarantined)
        n_landed, n_quarantined = _count(landed, len(batch)), _count(quarantined, len(batch))
        for i in superseded:  # a file a later one replaces whole keeps what it was read with
            n_landed[i], n_quarantined[i], pieces[i] = as_read[0][i], as_read[1][i], as_read[2].get(i, [])
        return Placement(landed, quarantined, read, n_landed, n_quarantined, already, superseded, pieces, notes)

    def _landed_keys(self, source: str, contract: Contract, landed: pl.DataFrame,
                     batch: list[Prepared]) -> pl.DataFrame | None:
        """The keys the lake holds in the batch's months, from files other than the batch's own
        (a file read again replaces its own rows)."""
        months = landed["_month"].unique().drop_nulls().to_list()
        own = [p.file.sha256 for p in batch]
        paths = [p for m in months for p in (self.paths.lake / source / f"month={m}").glob("*.parquet")]
        if not paths:
            return None
        return pl.scan_parquet(paths, missing_columns="insert").filter(~pl.col("file_hash").is_in(own)).select(
            list(contract.merge_key)).collect()

    def _retire(self, source: str, landing: list[tuple[Prepared, list[tuple[str, str]]]]) -> None:
        """Before files land: drop from the lake and the quarantine the rows that earlier files hold
        of the same slices (a register), or, for a log, the rows of the same file read before."""
        log_source = self.contracts[source].is_log
        gone: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
        for p, pieces in landing:
            own = (p.file.rel, p.file.sha256)
            if log_source:
                e = self._entries.get(own)
                taken = [(e, piece) for piece in _pieces(e)] if e and e["status"] == "landed" else []
            else:
                taken = [(self._entries.get(self._landed.get((source, *piece))), piece) for piece in pieces if piece[1]]
            for e, (month, slice_key) in taken:
                if e is None or e["status"] != "landed":
                    continue
                self._landed.pop((source, month, slice_key), None)
                gone.setdefault((source, month, e["lake_part"]), set()).add((e["file_hash"], slice_key))
                left = [x for x in _pieces(e) if x != (month, slice_key)]
                if left and not any(s for _, s in left):  # only rows no community placed: they go too
                    for m, s in left:
                        gone.setdefault((source, m, e["lake_part"]), set()).add((e["file_hash"], s))
                    left = []
                e["pieces"] = ",".join(f"{m}:{s}" for m, s in left) or e["pieces"]
                if not left and (e["file_path"], e["file_hash"]) != own:
                    e["status"] = "superseded"
        if gone:
            self._flush()
        for (src, month, part), pairs in gone.items():
            hashes = {h for h, _ in pairs}
            landed = lake.drop_files(self.paths.lake, src, month, part, hashes, pairs)
            quarantined = lake.drop_files(self.paths.quarantine, src, month, part, hashes, pairs)
            self._partly_replaced(landed, quarantined, month)

    def _partly_replaced(self, landed: dict[str, int], quarantined: dict[str, int], month: str) -> None:
        """An earlier file that keeps some of its slices (a street-wide register, a community of which
        was sent again): its counts no longer include the rows it lost, and its message says so."""
        for h in set(landed) | set(quarantined):
            for path in self._by_hash.get(h, ()):
                e = self._entries.get((path, h))
                if e and e["status"] == "landed" and e["pieces"]:
                    n, q = landed.get(h, 0), quarantined.get(h, 0)
                    e |= {"rows_read": e["rows_read"] - n - q, "rows_landed": e["rows_landed"] - n,
                          "rows_quarantined": e["rows_quarantined"] - q,
                          "message": LEDGER["partly_replaced"].format(month=month, rows=n + q)}

    def _write_parts(self, source: str, batch: list[Prepared], keep: list[int],
                     placed: Placement) -> dict[int, str]:
        """Write the kept files' rows, one lake part (and quarantine part) per month; file -> part.

        A batch's parts share one name in every month folder; each part gets its lineage and is
        written in a writer thread, so the months are worked on two at a time.
        """
        if not keep:
            return {}
        part = "part-" + hashlib.sha256("".join(batch[i].file.sha256 for i in keep).encode()).hexdigest()[:16]
        lineage = [_per_file(batch, LANDED_LINEAGE), _per_file(batch, QUARANTINE_LINEAGE)]  # once per batch
        community = self.contracts[source].slice == "community_month"
        wanted = pl.col("_file").is_in(keep)
        landed = placed.landed.filter(wanted)
        landed = landed.rename({"_community": "community_code"}) if community else landed.drop("_community")
        split = [_by_month(landed), _by_month(placed.quarantined.filter(wanted).drop("_community"))]
        for month in sorted(set(split[0]) | set(split[1])):
            self._submit(_write_part, self.paths, source, month, part,
                         split[0].get(month, landed.clear()), split[1].get(month), lineage)
        return dict.fromkeys(keep, part)

    def _submit(self, fn, *args) -> None:
        self._writes.append(self._writer.submit(fn, *args))

    def _flush(self) -> None:
        """Wait for the parts being written; a failed write raises here (so the ledger is not written)."""
        writes, self._writes = self._writes, []
        for w in writes:
            w.result()

    def _reject_empty(self, f: RawFile) -> None:
        """A file whose rows were all blank or totals; a copy of it met in the same batch goes with it."""
        self._reject(f, rejection("empty", f.path.name))
        for path in self._by_hash.get(f.sha256, ()):
            e = self._entries[(path, f.sha256)]
            if e["status"] == "duplicate" and e["duplicate_of"] == f.rel:
                e |= {"status": "rejected", "duplicate_of": None, "reject_code": "empty",
                      "message": rejection("empty", Path(path).name).message}

    def _reject(self, f: RawFile, exc: FileRejected) -> None:
        log.warning("rejected %s: %s", f.rel, exc.code)
        self._record(f, status="rejected", reject_code=exc.code, message=exc.message)

    def pending(self, source: str, months: set[str] | None, force: bool) -> list[RawFile]:
        files = scan(self.paths, source)
        if force:
            return files
        done = {(e["file_path"], e["file_hash"]): set(_months(e)) for e in self.entries if e["source"] == source}
        return [f for f in files if (f.rel, f.sha256) not in done
                or (months is not None and done[(f.rel, f.sha256)] & months)]

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
            if source == "grids":
                self._refresh_grids()
                self._gazetteer = None  # placement reads the grid table just landed
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
            if contract.versioned:
                landed = hotline.row_version(landed, contract)
            if source == "hotline":
                landed = hotline.unplaced(landed)
            lake.write_atomic(landed.with_columns(
                source_file=pl.lit(None, pl.String), source_sheet=pl.lit(None, pl.String),
                file_hash=pl.lit(None, pl.String), report_month=pl.lit(None, pl.String),
                community_code=pl.lit(None, pl.String)), anchor)
        qanchor = lake.part_path(self.paths.quarantine, "_anchor", "0000-00", "_empty")
        if not qanchor.exists():
            lake.write_atomic(pl.DataFrame(schema=lake.QUARANTINE_SCHEMA), qanchor)


@dataclass
class Placement:
    """What a batch would land (`Ingestor.place`): the rows with `_file`, `_month`, `_slice`, and per
    file (by number) the rows read, landed, quarantined and landed before, the files a later file of
    the batch supersedes, each file's (month, slice) pieces and a note for the ledger."""

    landed: pl.DataFrame
    quarantined: pl.DataFrame
    read: dict[int, int]
    landed_n: dict[int, int]
    quarantined_n: dict[int, int]
    already_n: dict[int, int]
    superseded: set[int]
    pieces: dict[int, list[tuple[str, str]]]
    notes: dict[int, str]


def _count(frame: pl.DataFrame, n: int, add: dict[int, int] | None = None) -> dict[int, int]:
    """Rows per file number (plus `add`)."""
    out = dict(add or {})
    for f, k in frame.group_by("_file").len().iter_rows():
        out[f] = out.get(f, 0) + k
    return {i: out.get(i, 0) for i in range(n)}


def _pieces_of(landed: pl.DataFrame, quarantined: pl.DataFrame) -> dict[int, list[tuple[str, str]]]:
    return pieces_of(pl.concat([f.select("_file", "_month", "_slice") for f in (landed, quarantined)]))


def _months(entry: dict) -> list[str]:
    return [m for m in (entry.get("months") or entry.get("report_month") or "").split(",") if m]


def _all_known(counts: dict[str, int]) -> str | None:
    """A log export every row of which an earlier file had landed says so."""
    if counts["rows_already_landed"] and not counts["rows_landed"] and not counts["rows_quarantined"]:
        return LEDGER["all_known"].format(rows=counts["rows_already_landed"])
    return None


def _pieces(entry: dict) -> list[tuple[str, str]]:
    """A ledger entry's (month, slice key) pieces ('' for a file that holds no row; an entry from
    before pieces: its month and slice)."""
    text = entry.get("pieces")
    if text is None:
        text = f"{entry['report_month']}:{entry.get('slice_key') or ''}" if entry.get("report_month") else ""
    return [tuple(x.split(":", 1)) for x in text.split(",") if x]


def _by_month(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The rows of each month (`_month`), with it as their `report_month` and `_slice` as `slice_key`."""
    frame = frame.rename({"_month": "report_month", "_slice": "slice_key"})
    return {k[0]: v.with_columns(report_month=pl.lit(k[0]))
            for k, v in frame.partition_by("report_month", as_dict=True).items()}


def _per_file(batch: list[Prepared], columns: dict[str, Callable]) -> pl.DataFrame:
    """The batch's lineage columns (name -> value of a file), a row per file."""
    return pl.DataFrame({name: [value(p) for p in batch] for name, value in columns.items()},
                        schema={name: pl.String for name in columns})


def _lineage(rows: pl.DataFrame, per_file: pl.DataFrame) -> pl.DataFrame:
    """A part's rows with their file's lineage columns, taken by each row's `_file`; a row read from one
    sheet of a workbook read sheet by sheet (`_sheet`) names its own sheet."""
    out = rows.drop(["_file", *(c for c in per_file.columns if c in rows.columns)]).hstack(per_file[rows["_file"]])
    if SHEET not in out.columns:
        return out
    sheet = "source_sheet" if "source_sheet" in out.columns else "sheet"
    return out.with_columns(pl.coalesce(SHEET, sheet).alias(sheet)).drop(SHEET)


LANDED_LINEAGE = {"source_file": lambda p: p.file.rel, "source_sheet": lambda p: p.table.sheet,
                  "file_hash": lambda p: p.file.sha256}
QUARANTINE_LINEAGE = {"source": lambda p: p.file.source, "file_path": lambda p: p.file.rel,
                      "file_hash": lambda p: p.file.sha256, "sheet": lambda p: p.table.sheet}


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
