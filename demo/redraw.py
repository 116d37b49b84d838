"""The July boundary adjustment of Huayang Street (the street demo only; city mode has no redraw)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from demo import identity
from demo.common import FAMILY_SIZE_P, FAMILY_SIZES


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


def redraw_grids(rng, grids: pl.DataFrame, hh: pl.DataFrame, year: int, total: int):
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
