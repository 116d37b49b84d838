"""What ingest adds to the validated rows of the 12345 hotline (`hotline`): each row's version and its place.

- `row_version`: a hash of the order's values as landed (masked texts, canonical values). A later export
  may carry the same order with a newer status or reply: the lake keeps each distinct version, and a
  row whose order and version already landed counts as landed before (`Contract.merge_key`). dbt
  staging keeps the latest version per order.
- `add_places`: the street, community and grid of each order, from `pipelines.ingest.placement`
  (`Gazetteer.build`, `place`). Until that module is in the tree the placement columns stay empty and
  `place_method` is `none`, so the lake keeps its shape and every order lands, unplaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import polars as pl

from pipelines.ingest.contracts import Contract

# The columns placement adds (docs: /work/spec/hotline.md), and their types in an empty lake.
PLACE_COLUMNS = {"street_code": pl.String, "community_code": pl.String, "grid_code": pl.String,
                 "place_words": pl.String, "place_confidence": pl.Float64, "place_method": pl.String}
VERSION = "row_version"
UNPLACED = "none"


def row_version(landed: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add `row_version`: 16 hex digits of BLAKE2b over the row's contract values.

    Computed in Python over the joined values (about a million rows a second), not with polars' own
    hash, which may change between polars versions: a lake written by an earlier version would then
    take every re-exported order for a new version."""
    fields = [f.name for f in contract.fields if f.name in landed.columns]
    joined = landed.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in fields],
                                         separator="\x1f").alias("_v")).to_series() if fields else \
        pl.Series("_v", [""] * landed.height, dtype=pl.String)
    digests = [hashlib.blake2b(v.encode("utf-8"), digest_size=8).hexdigest() for v in joined.to_list()]
    return landed.with_columns(pl.Series(VERSION, digests, dtype=pl.String))


def placement_module() -> Any | None:
    """`pipelines.ingest.placement` when it is in the tree, else None (imported lazily)."""
    try:
        from pipelines.ingest import placement
    except ImportError:
        return None
    return placement


def add_places(landed: pl.DataFrame, gazetteer: Callable[[], Any]) -> pl.DataFrame:
    """The placement columns of each order (`gazetteer()` builds the gazetteer once, when first needed);
    nulls and `none` when the placement module is not there yet."""
    module = placement_module()
    if module is None or landed.height == 0:
        return unplaced(landed)
    placed = module.place(landed, gazetteer())
    return placed.with_columns(pl.col(c).cast(t) for c, t in PLACE_COLUMNS.items() if c in placed.columns)


def unplaced(landed: pl.DataFrame) -> pl.DataFrame:
    """Every order at no place: null codes, words and confidence, `place_method` none."""
    return landed.with_columns(
        *(pl.lit(None, t).alias(c) for c, t in PLACE_COLUMNS.items() if c != "place_method"),
        pl.lit(UNPLACED, pl.String).alias("place_method"))
