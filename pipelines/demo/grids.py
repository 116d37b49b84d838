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
    """The July boundary adjustment of two neighbouring standard grids A and B of one community.

    From `effective` A and B are re-issued under their own codes as new versions (fewer households) and
    a new grid C (the community's next sequence number, a new worker) takes the households between them.
    """

    community_code: str
    adjusted_grid_codes: tuple[str, str]  # A, B
    new_grid_code: str  # C
    effective: date
    moved_shares: tuple[float, float]  # share of A's and of B's January households that move to C


@dataclass(frozen=True)
class Street:
    seed: int
    year: int
    months: int
    communities: pl.DataFrame  # community_code, community_name, display_name, position, chief_name
    # One row per grid version, unique by (grid_code, valid_from). `valid_to` is EXCLUSIVE: the first day the
    # version no longer holds (the next version's `valid_from`), null while current.
    grids: pl.DataFrame
    households: pl.DataFrame  # grid_code, household, size, later_grid_code
    redraw: Redraw | None

    def community_codes(self) -> list[str]:
        return self.communities["community_code"].to_list()

    def grids_of(self, community_code: str) -> pl.DataFrame:
        return self.grids.filter(pl.col("community_code") == community_code)

    def grid_table(self, month: int) -> pl.DataFrame:
        """The street's grid versions in force on the 1st of `month` (what a grid table sent then lists)."""
        first = date(self.year, month, 1)
        return self.grids.filter(
            (pl.col("valid_from") <= first) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > first))
        )

    def grids_active(self, community_code: str, month: int) -> pl.DataFrame:
        return self.grid_table(month).filter(pl.col("community_code") == community_code)


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
        grids, hh, redraw = _redraw(stream(seed, "redraw"), grids, hh, year, m)
    communities_df = keep.with_columns(pl.Series("chief_name", chiefs[: keep.height]))
    columns = [
        "grid_code", "community_code", "seq", "ordinal", "grid_name", "grid_type", "households", "persons",
        "chief_name", "worker_name", "worker_id", "backup_worker_id", "valid_from", "valid_to", "boundary",
    ]
    return Street(seed, year, months, communities_df, grids.select(columns).sort("grid_code", "valid_from"), hh, redraw)


def _neighbour_pairs(grids: pl.DataFrame) -> pl.DataFrame:
    """Pairs (A, B) of standard grids side by side in one row of their community's cell layout (see `_cells`)."""
    counts = grids.group_by("community_code").agg(pl.len().alias("count"))
    cells = grids.join(counts, on="community_code").with_columns(
        ((pl.col("seq") - 1) // pl.col("count").cast(pl.Float64).sqrt().ceil().cast(pl.Int64)).alias("row")
    )
    left = cells.filter(pl.col("grid_type") == "常规")
    right = left.select("community_code", "row", pl.col("seq") - 1, pl.col("households").alias("households_b"))
    return left.join(right, on=["community_code", "row", "seq"]).select(
        "community_code", "seq", (pl.col("households") + pl.col("households_b")).alias("together")
    ).sort("community_code", "seq")


def _bounds(boundary: str) -> tuple[float, float, float, float]:
    x = [float(v) for v in boundary[9:-2].replace(",", " ").split()]
    return min(x[0::2]), min(x[1::2]), max(x[0::2]), max(x[1::2])


def _ring(x0: float, y0: float, x1: float, y1: float) -> str:
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return "POLYGON((" + ", ".join(f"{a:.6f} {b:.6f}" for a, b in ring) + "))"


def _redraw(rng, grids: pl.DataFrame, hh: pl.DataFrame, year: int, total: int):
    """On 1 July two neighbouring standard grids A and B of one community give part of their households to a new grid C.

    A and B are re-issued under their own codes as versions valid from 1 July (their January versions get
    `valid_to` = 1 July, exclusive); C takes the band between them, the next sequence number and a new worker.
    A', B' and C each keep 300-500 households, which needs A + B >= 900: a pair that big is picked when there
    is one, otherwise the biggest pair gets new households in January (staying within 300-500).
    """
    pairs = _neighbour_pairs(grids)
    if pairs.height == 0:
        return grids, hh, None
    big = pairs.filter(pl.col("together") >= 900)
    if big.height:
        community, seq, _ = big.row(int(rng.integers(big.height)))
    else:
        community, seq, _ = pairs.sort("together", "community_code", "seq", descending=[True, False, False]).row(0)
    codes = (f"{community}{seq:03d}", f"{community}{seq + 1:03d}")
    old = [grids.filter(pl.col("grid_code") == code).row(0, named=True) for code in codes]
    size = [int(g["households"]) for g in old]

    # Top up the pair (new households in January) when it is short of 900 households.
    deficit = 900 + int(rng.integers(0, 41)) - sum(size) if sum(size) < 900 else 0
    add_a = min(500 - size[0], max(deficit - (500 - size[1]), (deficit + 1) // 2))
    extra = []
    for code, n_old, add in zip(codes, size, (add_a, deficit - add_a)):
        if add:
            extra.append(pl.DataFrame({
                "grid_code": [code] * add, "household": np.arange(n_old, n_old + add),
                "size": rng.choice(FAMILY_SIZES, size=add, p=FAMILY_SIZE_P),
            }, schema={"grid_code": pl.String, "household": hh["household"].dtype, "size": hh["size"].dtype}))
    if extra:
        hh = pl.concat([hh, pl.concat(extra).with_columns(pl.col("grid_code").alias("later_grid_code"))])
        size = [size[0] + add_a, size[1] + deficit - add_a]

    # C's size, then how many of A's and of B's households move to it (A' and B' keep at least 300).
    together = sum(size)
    c = int(rng.integers(300, min(500, together - 600) + 1))
    low, high = max(0, c - (size[1] - 300)), min(c, size[0] - 300)
    from_a = int(np.clip(round(c * (size[0] - 300) / (together - 600)), low, high))
    moved = (from_a, c - from_a)
    new_code = f"{community}{int(grids.filter(pl.col('community_code') == community)['seq'].max()) + 1:03d}"
    later = []
    for code, n, k in zip(codes, size, moved):
        chosen = np.zeros(n, dtype=bool)
        chosen[rng.choice(n, size=k, replace=False)] = True
        later.append(pl.DataFrame({"grid_code": [code] * n, "household": np.arange(n),
                                   "_later": np.where(chosen, new_code, code)},
                                  schema={"grid_code": pl.String, "household": hh["household"].dtype, "_later": pl.String}))
    hh = (
        hh.join(pl.concat(later), on=["grid_code", "household"], how="left")
        .with_columns(pl.col("_later").fill_null(pl.col("later_grid_code")).alias("later_grid_code"))
        .drop("_later").sort("grid_code", "household")
    )
    persons = dict(hh.group_by("grid_code").agg(pl.col("size").sum()).filter(pl.col("grid_code").is_in(codes)).iter_rows())
    after = dict(hh.filter(pl.col("grid_code").is_in(codes)).group_by("later_grid_code")
                 .agg(pl.len(), pl.col("size").sum()).select("later_grid_code", pl.struct("len", "size")).iter_rows())

    # Geometry: A is left of B in one row; A' keeps A's left part, B' B's right part, C the band between.
    (ax0, y0, ax1, y1), (bx0, _, bx1, _) = (_bounds(g["boundary"]) for g in old)
    a_edge = ax0 + (ax1 - ax0) * (size[0] - moved[0]) / size[0]
    b_edge = bx1 - (bx1 - bx0) * (size[1] - moved[1]) / size[1]
    effective = date(year, 7, 1)
    rows = []
    for g, code, n, ring in zip(old, codes, size, (_ring(ax0, y0, a_edge, y1), _ring(b_edge, y0, bx1, y1))):
        rows.append({**g, "households": n, "persons": persons[code], "valid_to": effective})  # January version
        rows.append({**g, "households": after[code]["len"], "persons": after[code]["size"], "boundary": ring,
                     "valid_from": effective, "valid_to": None})  # July version, same code
    worker = f"{1001 + total:05d}"  # workers are numbered by the street's grid ordinal: the next one
    seq_c = int(new_code[-3:])
    rows.append({
        **old[0], "grid_code": new_code, "seq": seq_c, "ordinal": total + 1,
        "grid_name": f"{grids_display(old[0]['grid_name'])}第{seq_c}网格",
        "households": after[new_code]["len"], "persons": after[new_code]["size"],
        "worker_id": worker, "worker_name": str(identity.person_names(rng, np.array([rng.random() < 0.45]))[0]),
        "backup_worker_id": old[1]["worker_id"], "valid_from": effective, "valid_to": None,
        "boundary": _ring(a_edge, y0, b_edge, y1),
    })
    grids = pl.concat([grids.filter(~pl.col("grid_code").is_in(codes)), pl.DataFrame(rows, schema=grids.schema)])
    shares = (moved[0] / size[0], moved[1] / size[1])
    return grids, hh, Redraw(community, codes, new_code, effective, shares)


def grids_display(grid_name: str) -> str:
    """The community part of a standard grid name (the text before the grid number)."""
    return grid_name.split("第")[0]
