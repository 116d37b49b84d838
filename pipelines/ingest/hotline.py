"""What ingest adds to the validated rows of the 12345 hotline (`hotline`): each row's version and its place.

- `row_version`: a digest of the order's values as landed (masked texts, canonical values). A later
  export may carry the same order with a newer status or reply: the lake keeps each distinct version,
  and a row whose order and version already landed counts as landed before (`Contract.merge_key`).
  dbt staging keeps the latest version per order.
- `add_places`: the street, community and grid of each order, from `pipelines.ingest.placement`
  (`Gazetteer.build`, `place`).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from pipelines.ingest import placement
from pipelines.ingest.contracts import Contract

# The columns placement adds, and their types in an empty lake.
PLACE_COLUMNS = {"street_code": pl.String, "community_code": pl.String, "grid_code": pl.String,
                 "place_words": pl.String, "place_confidence": pl.Float64, "place_method": pl.String}
VERSION = "row_version"
UNPLACED = "none"


def row_version(landed: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add `row_version`: the first 16 hex digits of the MD5 of the row's contract values.

    MD5 in DuckDB (vectorised, and fixed by its definition), not polars' own hash, which may change
    between polars versions: a lake written by an earlier version would then take every re-exported
    order for a new version."""
    fields = [f.name for f in contract.fields if f.name in landed.columns]
    values = landed.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in fields],
                                         separator="\x1f").alias("v")) if fields else \
        pl.DataFrame({"v": [""] * landed.height}, schema={"v": pl.String})
    con = duckdb.connect()
    try:
        con.register("rows", values)
        digests = con.sql("select left(md5(v), 16) as v from rows").pl()["v"]
    finally:
        con.close()
    return landed.with_columns(digests.alias(VERSION))


def add_places(landed: pl.DataFrame, gazetteer: Callable[[], placement.Gazetteer]) -> pl.DataFrame:
    """The placement columns of each order (`gazetteer()` builds the gazetteer once, when first needed)."""
    if landed.height == 0:
        return unplaced(landed)
    placed = placement.place(landed, gazetteer())
    return placed.with_columns(pl.col(c).cast(t) for c, t in PLACE_COLUMNS.items() if c in placed.columns)


def unplaced(landed: pl.DataFrame) -> pl.DataFrame:
    """Every order at no place: null codes, words and confidence, `place_method` none."""
    return landed.with_columns(
        *(pl.lit(None, t).alias(c) for c, t in PLACE_COLUMNS.items() if c != "place_method"),
        pl.lit(UNPLACED, pl.String).alias("place_method"))
