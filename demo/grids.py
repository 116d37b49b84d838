"""The street's structure: its 24 real communities, ~140 grids, workers, households, boundaries.

`build_street` is cheap (no files): tests use it to check the structure of a full street.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from demo import identity, vocab
from demo.common import DIVISIONS_CSV, FAMILY_SIZE_P, FAMILY_SIZES, STREET_CODE, STREET_NAME, stream
from demo.redraw import Redraw, redraw_grids

LATTICE = 5  # communities laid out on a 5 x 5 lattice of 1.6 km cells (~8 x 8 km)
CELL_KM = 1.6
CENTRE = (104.05, 30.50)
KM_LON = 1 / (111.32 * np.cos(np.radians(CENTRE[1])))
KM_LAT = 1 / 110.95
NAME_SUFFIXES = r"(居民委员会|居委会|村民委员会|村委会)$"  # dropped from community names for display


@dataclass(frozen=True)
class CityIds:
    """City mode: the street's district and the other district codes of the city (person ID regions).

    Each community's place in the city-wide and the district-wide list of communities (columns
    `global_index` and `district_index` of `Street.communities`) keeps ID numbers apart, see
    `identity.city_birth_and_sequence`.
    """

    district: str
    others: tuple[str, ...]
    district_count: int  # communities in the district
    global_count: int  # communities in the city


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
    code: str = STREET_CODE
    name: str = STREET_NAME
    id_prefix: str = ""  # city mode: makes worker and patrol record ids unique across streets
    ids: CityIds | None = None  # city mode: how person ID numbers stay unique across the city

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
            pl.col("name").str.replace(NAME_SUFFIXES, "").alias("display_name"),
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


def _rectangle(x0: float, y0: float, x1: float, y1: float, centre: tuple[float, float] = CENTRE) -> str:
    """A closed 5-point WKT ring from km offsets around the street centre."""
    km_lon = KM_LON if centre == CENTRE else 1 / (111.32 * np.cos(np.radians(centre[1])))

    def point(x: float, y: float) -> str:
        return f"{centre[0] + x * km_lon:.6f} {centre[1] + y * KM_LAT:.6f}"

    ring = [point(x0, y0), point(x1, y0), point(x1, y1), point(x0, y1), point(x0, y0)]
    return f"POLYGON(({', '.join(ring)}))"


def _cells(position: int, count: int, lattice: int = LATTICE, cell_km: float = CELL_KM) -> list[tuple[float, float, float, float]]:
    """Sub-rectangles (km) of a community's lattice cell, one per grid."""
    cx0 = (position % lattice) * cell_km - lattice * cell_km / 2
    cy0 = (position // lattice) * cell_km - lattice * cell_km / 2
    cols = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / cols))
    cells = []
    for i in range(count):  # at most 9 grids per community: geometry, not data rows
        row = i // cols
        in_row = cols if row < rows - 1 else count - cols * (rows - 1)
        width, height = cell_km / in_row, cell_km / rows
        x0, y0 = cx0 + (i - row * cols) * width, cy0 + row * height
        cells.append((x0, y0, x0 + width, y0 + height))
    return cells


def build_street(
    seed: int = 2025, year: int = 2025, communities: int | None = None, months: int = 12, *,
    street_code: str = STREET_CODE, street_name: str = STREET_NAME, keep: list[str] | None = None,
    redraw: bool = True, id_prefix: str = "", centre: tuple[float, float] = CENTRE, ids: CityIds | None = None,
    community_index: pl.DataFrame | None = None,
) -> Street:
    """Communities, grid versions (with the July redraw if `months` reaches July) and households.

    The defaults build Huayang Street. City mode passes another street, the community codes to `keep`,
    `redraw=False`, an `id_prefix` for worker ids, the street's map `centre`, and `ids` with a
    `community_index` frame (community_code, global_index, district_index).
    """
    all_communities = load_communities(street_code)
    n = all_communities.height
    huayang = street_code == STREET_CODE
    rng = stream(seed, "street", *(() if huayang else (street_code,)))
    counts = _grid_counts(rng, n)
    exclusive_pool = np.flatnonzero(counts >= 4)
    k = min(8 if huayang else int(round(n / 3)), len(exclusive_pool))
    exclusive = set(rng.choice(exclusive_pool, size=k, replace=False).tolist())
    pool = vocab.exclusive_places(street_name)
    places = [pool[i] for i in rng.permutation(len(pool))]
    place_of = {pos: (places[i % len(places)][0] + ("" if i < len(places) else f"（{i // len(places) + 1}）"),
                      places[i % len(places)][1]) for i, pos in enumerate(sorted(exclusive))}
    chiefs = identity.person_names(rng, rng.random(n) < 0.5)
    lattice = LATTICE if huayang else int(np.ceil(np.sqrt(n)))
    cell_km = LATTICE * CELL_KM / lattice

    rows = []
    ordinal = 0
    for pos, row in enumerate(all_communities.iter_rows(named=True)):  # 24 communities
        cells = _cells(pos, int(counts[pos]), lattice, cell_km)
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
                "worker_id": f"{id_prefix}{1001 + ordinal:05d}",
                "chief_name": str(chiefs[pos]),
                "boundary": _rectangle(*cells[seq - 1], centre=centre),
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

    communities_df = all_communities.with_columns(pl.Series("chief_name", chiefs))
    if keep is not None:
        communities_df = communities_df.filter(pl.col("community_code").is_in(keep))
    elif communities:
        communities_df = communities_df.head(communities)
    if community_index is not None:
        communities_df = communities_df.join(community_index, on="community_code", how="left")
    keep_codes = communities_df["community_code"]
    grids = grids.filter(pl.col("community_code").is_in(keep_codes.implode()))
    hh = hh.filter(pl.col("grid_code").is_in(grids["grid_code"].implode()))
    changed = None
    if months >= 7 and redraw:
        grids, hh, changed = redraw_grids(stream(seed, "redraw"), grids, hh, year, m)
    columns = [
        "grid_code", "community_code", "seq", "ordinal", "grid_name", "grid_type", "households", "persons",
        "chief_name", "worker_name", "worker_id", "backup_worker_id", "valid_from", "valid_to", "boundary",
    ]
    grids = grids.select(columns).sort("grid_code", "valid_from")
    return Street(seed, year, months, communities_df, grids, hh, changed, street_code, street_name, id_prefix, ids)
