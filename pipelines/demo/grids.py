"""The street's structure: its 24 real communities, ~140 grids, workers, households, boundaries.

`build_street` is cheap (no files): tests use it to check the structure of a full street.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from pipelines.demo import identity, vocab
from pipelines.demo.common import DIVISIONS_CSV, STREET_CODE, stream

FAMILY_SIZES = np.array([1, 2, 3, 4, 5])
FAMILY_SIZE_P = np.array([0.25, 0.31, 0.21, 0.15, 0.08])
LATTICE = 5  # communities laid out on a 5 x 5 lattice of 1.6 km cells (~8 x 8 km)
CELL_KM = 1.6
CENTRE = (104.05, 30.50)
KM_LON = 1 / (111.32 * np.cos(np.radians(CENTRE[1])))
KM_LAT = 1 / 110.95


@dataclass(frozen=True)
class Redraw:
    community_code: str
    old_grid_code: str
    new_grid_codes: tuple[str, str]
    effective: date


@dataclass(frozen=True)
class Street:
    seed: int
    year: int
    months: int
    communities: pl.DataFrame  # community_code, community_name, display_name, position, chief_name
    grids: pl.DataFrame  # one row per grid version (see `build_street`)
    households: pl.DataFrame  # grid_code, household, size, later_grid_code
    redraw: Redraw | None

    def community_codes(self) -> list[str]:
        return self.communities["community_code"].to_list()

    def grids_of(self, community_code: str) -> pl.DataFrame:
        return self.grids.filter(pl.col("community_code") == community_code)

    def grids_active(self, community_code: str, month: int) -> pl.DataFrame:
        first = date(self.year, month, 1)
        return self.grids_of(community_code).filter(
            (pl.col("valid_from") <= first) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > first))
        )


def load_communities(street_code: str = STREET_CODE) -> pl.DataFrame:
    """The street's communities from the vendored NBS 2023 codes (codes read as strings)."""
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    return (
        divisions.filter((pl.col("parent_code") == street_code) & (pl.col("level") == "community"))
        .sort("code")
        .select(
            pl.col("code").alias("community_code"),
            pl.col("name").alias("community_name"),
            pl.col("name").str.replace("居委会$", "").alias("display_name"),
        )
        .with_row_index("position")
        .with_columns(pl.col("position").cast(pl.Int64))
    )


def _grid_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """3-9 grids per community, weighted, summing to a target of 136-144 for the full street."""
    weights = rng.gamma(4.0, 1.0, n)
    target = int(rng.integers(136, 145)) if n == 24 else int(round(140 * n / 24))
    counts = np.clip(np.round(weights / weights.sum() * target), 3, 9).astype(int)
    while counts.sum() != target:
        room = counts < 9 if counts.sum() < target else counts > 3
        if not room.any():
            break
        p = weights * room
        pick = rng.choice(n, p=p / p.sum())
        counts[pick] += 1 if counts.sum() < target else -1
    return counts


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> str:
    """A closed 5-point WKT ring from km offsets around the street centre."""
    def point(x: float, y: float) -> str:
        return f"{CENTRE[0] + x * KM_LON:.6f} {CENTRE[1] + y * KM_LAT:.6f}"

    ring = [point(x0, y0), point(x1, y0), point(x1, y1), point(x0, y1), point(x0, y0)]
    return f"POLYGON(({', '.join(ring)}))"


def _cells(position: int, count: int) -> list[tuple[float, float, float, float]]:
    """Sub-rectangles (km) of a community's lattice cell, one per grid."""
    cx0 = (position % LATTICE) * CELL_KM - LATTICE * CELL_KM / 2
    cy0 = (position // LATTICE) * CELL_KM - LATTICE * CELL_KM / 2
    cols = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / cols))
    cells = []
    for i in range(count):  # at most 9 grids per community: geometry, not data rows
        row = i // cols
        in_row = cols if row < rows - 1 else count - cols * (rows - 1)
        width, height = CELL_KM / in_row, CELL_KM / rows
        x0, y0 = cx0 + (i - row * cols) * width, cy0 + row * height
        cells.append((x0, y0, x0 + width, y0 + height))
    return cells


def build_street(seed: int = 2025, year: int = 2025, communities: int | None = None, months: int = 12) -> Street:
    """Communities, grid versions (with the July redraw if `months` reaches July) and households."""
    all_communities = load_communities()
    n = all_communities.height
    rng = stream(seed, "street")
    counts = _grid_counts(rng, n)
    exclusive_pool = np.flatnonzero(counts >= 4)
    exclusive = set(rng.choice(exclusive_pool, size=min(8, len(exclusive_pool)), replace=False).tolist())
    places = [vocab.EXCLUSIVE_PLACES[i] for i in rng.permutation(len(vocab.EXCLUSIVE_PLACES))]
    place_of = {pos: places[i % len(places)] for i, pos in enumerate(sorted(exclusive))}
    chiefs = identity.person_names(rng, rng.random(n) < 0.5)

    rows = []
    ordinal = 0
    for pos, row in enumerate(all_communities.iter_rows(named=True)):  # 24 communities
        cells = _cells(pos, int(counts[pos]))
        for seq in range(1, counts[pos] + 1):
            is_exclusive = pos in exclusive and seq == counts[pos]
            place, kind = place_of.get(pos, ("", "常规"))
            rows.append({
                "grid_code": f"{row['community_code']}{seq:03d}",
                "community_code": row["community_code"],
                "seq": seq,
                "ordinal": ordinal + 1,
                "grid_name": f"{place}专属网格" if is_exclusive else f"{row['display_name']}第{seq}网格",
                "grid_type": kind if is_exclusive else "常规",
                "worker_id": f"{1001 + ordinal:05d}",
                "chief_name": str(chiefs[pos]),
                "boundary": _rectangle(*cells[seq - 1]),
            })
            ordinal += 1
    grids = pl.DataFrame(rows)
    m = grids.height
    standard = (grids["grid_type"] == "常规").to_numpy()
    households = np.where(standard, rng.integers(300, 501, m), rng.integers(0, 81, m))
    worker_names = identity.person_names(rng, rng.random(m) < 0.45)
    grids = grids.with_columns(
        pl.Series("households", households, dtype=pl.Int64),
        pl.Series("worker_name", worker_names),
        pl.lit(date(year, 1, 1)).alias("valid_from"),
        pl.lit(None, dtype=pl.Date).alias("valid_to"),
    )
    # AB post: the next grid of the same community backs each worker up (cyclically).
    backup = grids.select(
        pl.col("worker_id").shift(-1).over("community_code").fill_null(pl.col("worker_id").first().over("community_code"))
    ).to_series()
    grids = grids.with_columns(backup.alias("backup_worker_id"))

    sizes = rng.choice(FAMILY_SIZES, size=int(households.sum()), p=FAMILY_SIZE_P)
    hh = pl.DataFrame({
        "grid_code": np.repeat(grids["grid_code"].to_numpy(), households),
        "household": np.concatenate([np.arange(h) for h in households]) if m else np.array([], int),
        "size": sizes,
    }).with_columns(pl.col("grid_code").alias("later_grid_code"))
    grids = grids.join(hh.group_by("grid_code").agg(pl.col("size").sum().alias("persons")), on="grid_code", how="left")
    grids = grids.with_columns(pl.col("persons").fill_null(0).cast(pl.Int64))

    keep = all_communities.head(communities) if communities else all_communities
    keep_codes = keep["community_code"]
    grids = grids.filter(pl.col("community_code").is_in(keep_codes.implode()))
    hh = hh.filter(pl.col("grid_code").is_in(grids["grid_code"].implode()))
    redraw = None
    if months >= 7:
        grids, hh, redraw = _redraw(stream(seed, "redraw"), grids, hh, keep_codes.to_list(), year, m)
    communities_df = keep.with_columns(pl.Series("chief_name", chiefs[: keep.height]))
    columns = [
        "grid_code", "community_code", "seq", "ordinal", "grid_name", "grid_type", "households", "persons",
        "chief_name", "worker_name", "worker_id", "backup_worker_id", "valid_from", "valid_to", "boundary",
    ]
    return Street(seed, year, months, communities_df, grids.select(columns).sort("grid_code", "valid_from"), hh, redraw)


def _redraw(rng, grids: pl.DataFrame, hh: pl.DataFrame, codes: list[str], year: int, total: int):
    """On 1 July one standard grid of one community is split into two new grids."""
    eligible = grids.filter(pl.col("grid_type") == "常规").group_by("community_code").len().filter(pl.col("len") >= 2)
    options = sorted(eligible["community_code"].to_list())
    if not options:
        return grids, hh, None
    community = options[int(rng.integers(len(options)))]
    mine = grids.filter(pl.col("community_code") == community)
    old = mine.filter(pl.col("grid_type") == "常规").sort("households", "seq", descending=[True, False]).row(0, named=True)
    effective = date(year, 7, 1)
    top = int(mine["seq"].max())
    new_codes = (f"{community}{top + 1:03d}", f"{community}{top + 2:03d}")
    side = rng.random(old["households"]) < 0.5
    mask = pl.col("grid_code") == old["grid_code"]
    later = np.where(side, new_codes[0], new_codes[1])
    hh_old = hh.filter(mask).sort("household").with_columns(pl.Series("later_grid_code", later))
    hh = pl.concat([hh.filter(~mask), hh_old]).sort("grid_code", "household")
    sizes = hh_old.group_by("later_grid_code").agg(pl.col("size").sum(), pl.len())
    x = [float(v) for v in old["boundary"][9:-2].replace(",", " ").split()]
    x0, y0, x1, y1 = min(x[0::2]), min(x[1::2]), max(x[0::2]), max(x[1::2])
    mid = (x0 + x1) / 2
    parts = []
    for i, code in enumerate(new_codes):
        size_row = sizes.filter(pl.col("later_grid_code") == code)
        lon0, lon1 = (x0, mid) if i == 0 else (mid, x1)
        ring = [(lon0, y0), (lon1, y0), (lon1, y1), (lon0, y1), (lon0, y0)]
        parts.append({
            **old,
            "grid_code": code,
            "seq": top + 1 + i,
            "ordinal": total + 1 + i,
            "grid_name": f"{grids_display(old['grid_name'])}第{top + 1 + i}网格",
            "households": int(size_row["len"].sum()),
            "persons": int(size_row["size"].sum()),
            "worker_id": old["worker_id"] if i == 0 else f"{1001 + total:05d}",
            "worker_name": old["worker_name"] if i == 0 else str(identity.person_names(rng, np.array([False]))[0]),
            "backup_worker_id": f"{1001 + total:05d}" if i == 0 else old["worker_id"],
            "valid_from": effective,
            "valid_to": None,
            "boundary": "POLYGON((" + ", ".join(f"{a:.6f} {b:.6f}" for a, b in ring) + "))",
        })
    grids = grids.with_columns(pl.when(mask).then(pl.lit(effective)).otherwise(pl.col("valid_to")).alias("valid_to"))
    grids = pl.concat([grids, pl.DataFrame(parts, schema=grids.schema)])
    return grids, hh, Redraw(community, old["grid_code"], new_codes, effective)


def grids_display(grid_name: str) -> str:
    """The community part of a standard grid name (the text before the grid number)."""
    return grid_name.split("第")[0]
