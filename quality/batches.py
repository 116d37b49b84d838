"""Batches to validate, read from the file ledger, and the reference data their checks need.

A batch is a community's month of registers or patrol records (the rows of every landed file that
went there: a street-wide register or export adds to each community it covers, a patrol export
spanning months to each month), the street-wide grid table of a month, or the case steps of a street
× month, because a case's workflow runs over several days and twelve batches a year keep GX's
per-run cost small (quarantine shares are still checked per file). The ledger's `pieces` say which
(month, slice) each file's rows went to.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.core.settings import Paths
from pipelines.ingest import lake
from pipelines.ingest.locate import communities
from quality.config import GRID_SCOPED


@dataclass(frozen=True)
class LandedFile:
    file_path: str
    file_hash: str
    slice_key: str
    received_at: dt.datetime
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    lake_part: str = ""  # the part its rows landed in (a lake before parts: its slice key)
    whole: bool = False  # every slice of the file in that month (street-wide batches), not only `slice_key`


@dataclass(frozen=True)
class Batch:
    source: str
    month: str  # YYYY-MM
    scope: str  # community code, or the street code for street-wide sources
    files: tuple[LandedFile, ...]

    @property
    def key(self) -> str:
        return f"{self.source}/{self.scope}/{self.month}"

    @property
    def community_code(self) -> str | None:
        return None if self.source in GRID_SCOPED else self.scope

    @property
    def month_start(self) -> dt.date:
        return dt.date.fromisoformat(f"{self.month}-01")

    @property
    def month_end(self) -> dt.date:
        start = self.month_start
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)

    def parts(self) -> dict[str, list[tuple[str, str | None]]]:
        """Lake part -> (file hash, slice key or None for all its slices) of the batch's files in it."""
        out: dict[str, list[tuple[str, str | None]]] = {}
        for f in self.files:
            out.setdefault(f.lake_part or f.slice_key, []).append((f.file_hash, None if f.whole else f.slice_key))
        return out


def landed_pieces(ledger: pl.DataFrame) -> pl.DataFrame:
    """One row per landed file × (month, slice) its rows went to (`month`, `piece_slice`)."""
    landed = ledger.filter(pl.col("status") == "landed")
    return landed.with_columns(pl.col("pieces").str.split(",")).explode("pieces").filter(
        pl.col("pieces").is_not_null() & (pl.col("pieces") != "")).with_columns(
        month=pl.col("pieces").str.split_exact(":", 1).struct.field("field_0"),
        piece_slice=pl.col("pieces").str.split_exact(":", 1).struct.field("field_1"))


def list_batches(paths: Paths, street: str | None = None) -> list[Batch]:
    """Every batch with landed data, in source then month order (grids first: others depend on them)."""
    street = street or paths.street
    pieces = landed_pieces(lake.read_ledger(paths.ledger))
    order = {"grids": 0, "population": 1, "patrols": 2, "cases": 3, "hotline": 4}
    groups: dict[tuple[str, str, str], dict[str, LandedFile]] = {}
    # rows no community placed are quarantined rows only: they are in no community's batch
    placed = pl.col("source").is_in(GRID_SCOPED) | (pl.col("piece_slice") != "")
    for row in pieces.filter(placed).sort("source", "month", "piece_slice").iter_rows(named=True):
        # a grid table is one street's (its slice); case logs are the installation's; the rest a community's
        # (a log row whose grid the table did not know has no community: the street's)
        whole = row["source"] in GRID_SCOPED
        scope = row["piece_slice"] if row["source"] == "grids" else street if whole else row["piece_slice"]
        files = groups.setdefault((row["source"], row["month"], scope), {})
        files.setdefault(row["file_path"], LandedFile(
            row["file_path"], row["file_hash"], row["piece_slice"], row["received_at"],
            row["rows_read"], row["rows_landed"], row["rows_quarantined"], row["lake_part"], whole))
    batches = [Batch(s, m, c, tuple(files.values())) for (s, m, c), files in groups.items()]
    return sorted(batches, key=lambda b: (order.get(b.source, 9), b.month, b.scope))


def read_batch(paths: Paths, batch: Batch, parts: PartCache | None = None) -> pl.DataFrame:
    """The batch's rows as landed; with `parts`, taken from whole parts it keeps between batches."""
    if parts is None:
        frames = [lake.read_part(paths.lake, batch.source, batch.month, part, pairs)
                  for part, pairs in batch.parts().items()]
    else:
        frames = [parts.rows(lake.part_path(paths.lake, batch.source, batch.month, part), pairs)
                  for part, pairs in batch.parts().items()]
    frames = [f for f in frames if f is not None]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


class PartCache:
    """The lake parts read last, whole. A part holds the slices of many communities (a city's month of
    registers is a few dozen parts), and filtering one community's rows out of a part still decodes all
    of it: a gate run that takes its batches part by part reads each part once instead of once a batch."""

    def __init__(self, size: int = 2):
        self.size, self._parts = size, OrderedDict()

    def rows(self, path: Path, files: list[tuple[str, str | None]]) -> pl.DataFrame | None:
        """What `lake.read_part` gives for these (file hash, slice key or None) pairs, in the part's order."""
        if path not in self._parts:
            self._parts[path] = self._read(path)
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)
        self._parts.move_to_end(path)
        if self._parts[path] is None:
            return None
        frame, slices = self._parts[path]
        whole = [h for h, s in files if s is None]
        pieces = [frame.filter(pl.col("file_hash").is_in(whole))] if whole else []
        for key in dict.fromkeys(s for _, s in files if s is not None):
            hashes = [h for h, s in files if s == key]
            if slices is None:  # a part written without slices: its files' rows
                pieces.append(frame.filter(pl.col("file_hash").is_in(hashes)))
            elif key in slices:
                pieces.append(slices[key].filter(pl.col("file_hash").is_in(hashes)))
        if not pieces:
            return frame.clear().drop("_row")
        rows = pieces[0] if len(pieces) == 1 else pl.concat(pieces).unique("_row").sort("_row")
        return rows.drop("_row")

    @staticmethod
    def _read(path: Path) -> tuple[pl.DataFrame, dict[str, pl.DataFrame] | None] | None:
        """The part (with its row numbers) and its rows by slice key, once."""
        if not path.exists():
            return None
        frame = pl.read_parquet(path).with_row_index("_row")
        if "slice_key" not in frame.columns:
            return frame, None
        by_slice = frame.with_columns(pl.col("slice_key").fill_null("")).partition_by("slice_key", as_dict=True)
        return frame, {key[0]: part for key, part in by_slice.items()}


class Context:
    """Reference data shared by the batches of one gate run, each piece read once and only when needed."""

    def __init__(self, paths: Paths, street: str | None = None):
        self.paths, self.street = paths, street or paths.street
        self._grid_tables: dict[str, dict[str, pl.DataFrame]] | None = None  # street -> month -> table
        self._as_of: dict[str, pl.DataFrame] = {}
        self._grids_by_community: dict[tuple[str, bool], dict[str, list[str]]] = {}
        self._residents: dict[tuple[str, tuple[str, ...]], dict[str, int]] = {}
        self._registers: dict[str, list[str]] | None = None
        self._worker_medians: dict[str, float | None] = {}
        self._ledger: pl.DataFrame | None = None
        self._pieces: pl.DataFrame | None = None

    @property
    def landed(self) -> pl.DataFrame:
        """The ledger's landed files (read once)."""
        if self._ledger is None:
            self._ledger = lake.read_ledger(self.paths.ledger).filter(pl.col("status") == "landed")
        return self._ledger

    @property
    def pieces(self) -> pl.DataFrame:
        if self._pieces is None:
            self._pieces = landed_pieces(self.landed)
        return self._pieces

    def _landed_slice(self, source: str, month: str, slice_key: str) -> pl.DataFrame | None:
        """The rows a slice's landed file holds (None when no file of it landed)."""
        hit = self.pieces.filter((pl.col("source") == source) & (pl.col("month") == month)
                                 & (pl.col("piece_slice") == slice_key))
        if hit.height == 0:
            return None
        return lake.read_part(self.paths.lake, source, month, hit["lake_part"][0],
                              [(h, slice_key) for h in hit["file_hash"].to_list()])

    @property
    def street_communities(self) -> list[str]:
        return sorted(set(communities(self.street).values()))

    def grid_tables(self) -> dict[str, dict[str, pl.DataFrame]]:
        if self._grid_tables is None:
            self._grid_tables = {}
            grids = self.pieces.filter(pl.col("source") == "grids").sort("month", "piece_slice")
            for month, street in grids.select("month", "piece_slice").iter_rows():  # one row per table
                self._grid_tables.setdefault(street, {})[month] = self._landed_slice("grids", month, street).select(
                    "grid_code", "community_code", "grid_type", "valid_from")
        return self._grid_tables

    def grids_as_of(self, month: str) -> pl.DataFrame:
        """Every street's grid table in force in `month`: its latest received up to that month (else its first)."""
        if month not in self._as_of:
            frames = []
            for tables in self.grid_tables().values():
                usable = [m for m in tables if m <= month] or [min(tables)]
                frames.append(tables[max(usable)])
            self._as_of[month] = pl.concat(frames) if frames else pl.DataFrame(
                schema={"grid_code": pl.String, "community_code": pl.String, "grid_type": pl.String,
                        "valid_from": pl.Date})
        return self._as_of[month]

    def grid_codes(self, month: str, community: str | None = None) -> list[str]:
        if community is None:
            return sorted(self.grids_as_of(month)["grid_code"].unique().to_list())
        return self._community_grids(month, in_force=False).get(community, [])

    def grids_in_force(self, month: str, community: str) -> list[str]:
        """Grids of the community whose current version started by the end of the month."""
        return self._community_grids(month, in_force=True).get(community, [])

    def _community_grids(self, month: str, in_force: bool) -> dict[str, list[str]]:
        """Community -> its sorted grid codes in the month's tables (one pass per month for every batch)."""
        key = (month, in_force)
        if key not in self._grids_by_community:
            grids = self.grids_as_of(month)
            if in_force:
                grids = grids.filter(pl.col("valid_from") <= Batch("grids", month, "", ()).month_end)
            grouped = grids.group_by("community_code").agg(pl.col("grid_code").unique().sort())
            self._grids_by_community[key] = dict(zip(grouped["community_code"].to_list(),
                                                     grouped["grid_code"].to_list(), strict=True))
        return self._grids_by_community[key]

    def residents(self, community: str, month: str, statuses: list[str]) -> int | None:
        """Residents (status in `statuses`) of a community's landed register of a month, if any."""
        key = (month, tuple(statuses))
        if key not in self._residents:
            self._residents[key] = self._count_residents(month, statuses)
        return self._residents[key].get(community)

    def _count_residents(self, month: str, statuses: list[str]) -> dict[str, int]:
        """Community -> residents of its landed register of `month`, for every community at once: each
        lake part of the month is read once (three columns), its rows matched to the landed (file, slice)
        pieces. A community whose part is gone is left out (no register)."""
        pieces = self.pieces.filter((pl.col("source") == "population") & (pl.col("month") == month)
                                    & (pl.col("piece_slice") != "")).select("lake_part", "file_hash", "piece_slice")
        counted, present = [], set()
        for (part,), wanted in pieces.group_by("lake_part"):
            path = lake.part_path(self.paths.lake, "population", month, part)
            if not path.exists():
                continue
            present |= set(wanted["piece_slice"].to_list())
            columns = pl.read_parquet_schema(path)
            status = pl.col("residence_status") if "residence_status" in columns else pl.lit(None, pl.String)
            rows = pl.scan_parquet(path).select(
                "file_hash", status.is_in(statuses).fill_null(False).alias("resident"),
                *(["slice_key"] if "slice_key" in columns else []))
            # a part written without slices: its files' rows count for each of their slices
            on = ["file_hash", "slice_key"] if "slice_key" in columns else ["file_hash"]
            counted.append(rows.join(wanted.lazy().select("file_hash", slice_key="piece_slice").unique(), on=on)
                           .group_by("slice_key").agg(pl.col("resident").sum()).collect())
        totals = (pl.concat(counted).group_by("slice_key").agg(pl.col("resident").sum()) if counted
                  else pl.DataFrame(schema={"slice_key": pl.String, "resident": pl.Int64}))
        found = dict(zip(totals["slice_key"].to_list(), totals["resident"].to_list(), strict=True))
        return {community: int(found.get(community, 0)) for community in present}

    def previous_register(self, community: str, month: str) -> str | None:
        """The latest month before `month` with a landed register of the community."""
        if self._registers is None:
            grouped = (self.pieces.filter(pl.col("source") == "population").group_by("piece_slice")
                       .agg(pl.col("month").unique().sort()))
            self._registers = dict(zip(grouped["piece_slice"].to_list(), grouped["month"].to_list(), strict=True))
        earlier = [m for m in self._registers.get(community, []) if m < month]
        return earlier[-1] if earlier else None

    def earlier_files_digest(self, source: str, month: str) -> str:
        """A digest of the landed files of `source` before `month` (a check that reads history uses it)."""
        import hashlib

        hashes = self.pieces.filter((pl.col("source") == source) & (pl.col("month") < month)).sort(
            "file_path")["file_hash"].unique(maintain_order=True).to_list()
        return hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]

    def earlier_steps(self, month: str, case_ids: pl.Series) -> pl.DataFrame:
        """Workflow steps of these cases landed in months before `month` (case_id, action, step_at)."""
        files = [p for p in sorted((self.paths.lake / "cases").glob("month=*/*.parquet"))
                 if "0000-00" < p.parent.name.removeprefix("month=") < month]
        if not files:
            return pl.DataFrame(schema={"case_id": pl.String, "action": pl.String, "step_at": pl.Datetime("us")})
        return (pl.scan_parquet(files).select("case_id", "action", "step_at")
                .filter(pl.col("case_id").is_in(case_ids.implode())).collect())

    def worker_median(self, month: str, min_records: int) -> float | None:
        """Median records per worker over the whole street in the month (workers below `min_records` left out)."""
        if month not in self._worker_medians:
            files = sorted((self.paths.lake / "patrols" / f"month={month}").glob("*.parquet"))
            counts = pl.concat([pl.read_parquet(f, columns=["worker_id"]) for f in files]).group_by(
                "worker_id").len() if files else pl.DataFrame(schema={"worker_id": pl.String, "len": pl.UInt32})
            counts = counts.filter(pl.col("len") >= min_records)
            self._worker_medians[month] = float(counts["len"].median()) if counts.height else None
        return self._worker_medians[month]


@cache
def required_columns(source: str) -> tuple[str, ...]:
    """Landed columns of the contract's required fields (the ID number lands as its keyed hash)."""
    from pipelines.ingest.contracts import default_contracts

    contract = default_contracts()[source]
    return tuple("person_id" if f.type == "id_number" else f.name for f in contract.fields if f.required)


@cache
def field_labels(source: str) -> dict[str, str]:
    """Landed column or quarantined row's `field` -> how a clerk's text names it: its contract field's
    title (`Contract.field_titles`); `person_id` is the ID number's."""
    from pipelines.ingest.contracts import default_contracts

    contract = default_contracts()[source]
    ids = [f.title for f in contract.fields if f.type == "id_number"]
    return contract.field_titles() | ({"person_id": ids[0]} if ids else {})
