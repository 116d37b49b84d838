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
from dataclasses import dataclass
from functools import cache

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


def read_batch(paths: Paths, batch: Batch) -> pl.DataFrame:
    frames = [lake.read_part(paths.lake, batch.source, batch.month, part, pairs)
              for part, pairs in batch.parts().items()]
    frames = [f for f in frames if f is not None]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


class Context:
    """Reference data shared by the batches of one gate run, each piece read once and only when needed."""

    def __init__(self, paths: Paths, street: str | None = None):
        self.paths, self.street = paths, street or paths.street
        self._grid_tables: dict[str, dict[str, pl.DataFrame]] | None = None  # street -> month -> table
        self._as_of: dict[str, pl.DataFrame] = {}
        self._residents: dict[tuple[str, str], int] = {}
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
        grids = self.grids_as_of(month)
        if community is not None:
            grids = grids.filter(pl.col("community_code") == community)
        return sorted(grids["grid_code"].unique().to_list())

    def grids_in_force(self, month: str, community: str) -> list[str]:
        """Grids of the community whose current version started by the end of the month."""
        end = Batch("grids", month, "", ()).month_end
        grids = self.grids_as_of(month).filter((pl.col("community_code") == community) & (pl.col("valid_from") <= end))
        return sorted(grids["grid_code"].unique().to_list())

    def residents(self, community: str, month: str, statuses: list[str]) -> int | None:
        """Residents (status in `statuses`) of a community's landed register of a month, if any."""
        key = (community, month)
        if key not in self._residents:
            register = self._landed_slice("population", month, community)
            self._residents[key] = None if register is None else register.filter(
                pl.col("residence_status").is_in(statuses)).height
        return self._residents[key]

    def previous_register(self, community: str, month: str) -> str | None:
        """The latest month before `month` with a landed register of the community."""
        months = sorted(self.pieces.filter((pl.col("source") == "population") & (pl.col("piece_slice") == community))
                        ["month"].to_list())
        earlier = [m for m in months if m < month]
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
