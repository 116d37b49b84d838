"""Ingest every new or changed file under `raw/` into the lake (DESIGN.md §2–§4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from ..config import STREET_CODE, Paths
from . import lake
from .contracts import SOURCES, Contract, default_contracts
from .errors import FileRejected
from .identity import pii_key
from .locate import locate
from .readers import read_file
from .validate import month_bounds, validate

log = logging.getLogger("gridpulse.ingest")
Progress = Callable[[str, int, int, str], None]


@dataclass
class RawFile:
    source: str
    path: Path
    rel: str
    sha256: str
    received_at: dt.datetime


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
        self.key = pii_key(paths.pii_key_file)
        self.ledger = lake.read_ledger(paths.ledger)
        self._refresh_grids()

    def _refresh_grids(self) -> None:
        grids = lake.read_lake(self.paths.lake, "grids")
        if grids is None:
            self.known_grids, self.grid_communities = None, {}
        else:
            pairs = grids.select("grid_code", "community_code").unique("grid_code", keep="last")
            self.known_grids = pairs["grid_code"].to_list()
            self.grid_communities = dict(pairs.iter_rows())

    def _record(self, f: RawFile, **values) -> dict:
        row = {k: None for k in lake.LEDGER_SCHEMA} | {
            "file_path": f.rel, "file_hash": f.sha256, "source": f.source, "received_at": f.received_at,
            "rows_read": 0, "rows_landed": 0, "rows_quarantined": 0,
            "ingested_at": dt.datetime.now().replace(microsecond=0)} | values
        keep = ~((pl.col("file_path") == f.rel) & (pl.col("file_hash") == f.sha256))
        self.ledger = pl.concat([self.ledger.filter(keep), pl.DataFrame([row], schema=lake.LEDGER_SCHEMA)])
        return row

    def ingest_file(self, f: RawFile) -> dict:
        twin = self.ledger.filter((pl.col("file_hash") == f.sha256) & (pl.col("file_path") != f.rel)
                                  & pl.col("status").is_in(["landed", "superseded"]))
        if twin.height:
            return self._record(f, status="duplicate", duplicate_of=twin["file_path"][0],
                                message=f"与已报送文件“{twin['file_path'][0]}”内容完全相同，已跳过。")
        contract = self.contracts[f.source]
        try:
            table = read_file(f.path, contract)
            community, month, slice_key = locate(contract, table.frame, table.context, f.path, self.street,
                                                  self.grid_communities)
        except FileRejected as exc:
            log.warning("rejected %s: %s", f.rel, exc.code)
            return self._record(f, status="rejected", reject_code=exc.code, message=exc.message)
        start, end = month_bounds(month)
        day_end = (dt.datetime.strptime(slice_key, "%Y%m%d") + dt.timedelta(days=1, microseconds=-1)
                   if contract.slice == "file_date" else end)
        ctx = {"month_end": end, "file_end": day_end,
               "known_grids": self.known_grids if f.source != "grids" else None}
        landed, quarantined = validate(table.frame, contract, ctx, self.key)
        lineage = {"source_file": pl.lit(f.rel), "source_sheet": pl.lit(table.sheet, pl.String),
                   "file_hash": pl.lit(f.sha256), "report_month": pl.lit(month)}
        if community:
            lineage["community_code"] = pl.lit(community)
        landed = landed.with_columns(**lineage).sort("source_row")
        lake.write_atomic(landed, lake.slice_path(self.paths.lake, f.source, month, slice_key))
        qpath = lake.slice_path(self.paths.quarantine, f.source, month, slice_key)
        if quarantined.height:
            q = quarantined.with_columns(source=pl.lit(f.source), file_path=pl.lit(f.rel), file_hash=pl.lit(f.sha256),
                                         sheet=pl.lit(table.sheet, pl.String), report_month=pl.lit(month),
                                         slice_key=pl.lit(slice_key))
            lake.write_atomic(q.select(list(lake.QUARANTINE_SCHEMA)).sort("source_row"), qpath)
        else:
            qpath.unlink(missing_ok=True)
        same_slice = ((pl.col("source") == f.source) & (pl.col("report_month") == month)
                      & (pl.col("slice_key") == slice_key) & (pl.col("status") == "landed"))
        self.ledger = self.ledger.with_columns(
            status=pl.when(same_slice & (pl.col("file_hash") != f.sha256)).then(pl.lit("superseded"))
            .otherwise(pl.col("status")))
        log.info("landed %s: %d read, %d landed, %d quarantined", f.rel, table.frame.height, landed.height,
                 quarantined.height)
        return self._record(f, community_code=community, report_month=month, slice_key=slice_key,
                            sheet=table.sheet, rows_read=table.frame.height, rows_landed=landed.height,
                            rows_quarantined=quarantined.height, status="landed")

    def pending(self, source: str, months: set[str] | None, force: bool) -> list[RawFile]:
        files = scan(self.paths, source)
        if force:
            return files
        seen = self.ledger.filter(pl.col("source") == source).select("file_path", "file_hash", "report_month")
        done = {(p, h): m for p, h, m in seen.iter_rows()}
        return [f for f in files if (f.rel, f.sha256) not in done
                or (months is not None and done[(f.rel, f.sha256)] in months)]

    def run(self, sources: tuple[str, ...] = SOURCES, months: set[str] | None = None, force: bool = False,
            progress: Progress | None = None) -> list[dict]:
        outcomes = []
        for source in [s for s in SOURCES if s in sources]:
            todo = self.pending(source, months, force)
            for i, f in enumerate(todo):
                if progress:
                    progress(source, i, len(todo), f.rel)
                outcomes.append(self.ingest_file(f))
            if progress:
                progress(source, len(todo), len(todo), "")
            lake.write_ledger(self.ledger, self.paths.ledger)
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
