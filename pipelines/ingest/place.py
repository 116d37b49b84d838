"""Where each validated row of a batch lands: its month, its community and its slice (DESIGN.md §3).

- A log (cases, patrols) is a system export: each row lands in the month of its own timestamp and
  in the community of its own grid; the month and community a file's title or name gives are hints
  for the rows that say nothing (quarantined rows, grids the table does not know). An export may
  span any range, and one that overlaps an earlier one adds only the rows whose key did not land
  before (`overlap`).
- A register is a community's month: the community its title or name gives, or, for a street-wide
  register, each row's grid's community. A slice (month × community) met in two files of a batch
  keeps the later file's rows (`supersede`).
- A grid table is one street's month.
"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.contracts import Contract

PLACE = ["_month", "_slice", "_community"]  # the columns `place` adds


def place(contract: Contract, files: pl.DataFrame, landed: pl.DataFrame, quarantined: pl.DataFrame,
          grid_communities: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add `_month`, `_slice` and `_community` to the rows; `files` has a row per file of the batch
    (by `_file`): `month` and `community` (the hints), `slice_key` and `received_month`."""
    per_file = files.select("month", "community", "slice_key")
    hint = per_file[landed["_file"]]
    grids = "grid_code" in landed.columns and contract.source != "grids"
    by_grid = pl.col("grid_code").replace_strict(grid_communities, default=None, return_dtype=pl.String) \
        if grids and grid_communities else pl.lit(None, pl.String)
    if contract.is_log:
        month = pl.col(contract.month_from).dt.strftime("%Y-%m")
        community = pl.coalesce(by_grid, pl.col("_hint_community"))
    else:
        month = pl.col("_hint_month")
        community = pl.coalesce(pl.col("_hint_community"), by_grid)
    landed = landed.with_columns(_hint_month=hint["month"], _hint_community=hint["community"],
                                 _hint_slice=hint["slice_key"]).with_columns(
        _month=month, _community=community if grids else pl.lit(None, pl.String))
    slice_key = pl.col("_hint_slice") if contract.slice == "street_month" else pl.col("_community").fill_null("")
    landed = landed.with_columns(_slice=slice_key).drop("_hint_month", "_hint_community", "_hint_slice")
    # a quarantined row says nothing reliable: it goes to its file's month (the hint, else the first
    # month the file's rows landed in, else the month the file was received) and the file's community
    first = landed.group_by("_file").agg(pl.col("_month").min().alias("_first"))
    home = files.select("_file", "month", "received_month", "community", "slice_key").join(
        first, on="_file", how="left").select(
        "_file", _month=pl.coalesce("month", "_first", "received_month"),
        _slice=pl.coalesce("slice_key", "community", pl.lit("")) if contract.slice != "street_month"
        else pl.col("slice_key"), _community=pl.col("community"))
    quarantined = quarantined.join(home, on="_file", how="left")
    return landed, quarantined


def overlap(contract: Contract, landed: pl.DataFrame, existing: pl.DataFrame | None) -> pl.Series:
    """Which rows of a log's batch landed before: their key (`merge_key`) is in `existing` (the lake's rows
    of the same months from other files), or an earlier file of the batch has it."""
    key = list(contract.merge_key)  # a versioned log: order and version
    seen = ~pl.struct(key).is_first_distinct()
    marked = landed.select(seen.alias("_seen")).to_series()
    if existing is not None and existing.height:
        earlier = landed.select(key).with_row_index("_i").join(existing.select(key).unique(), on=key, how="semi")
        marked = marked.scatter(earlier["_i"], True)
    return marked


def supersede(landed: pl.DataFrame, quarantined: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, set[int]]:
    """A slice (month × slice key) that several files of a batch hold keeps the last file's rows;
    returns the kept rows and the files that lost a slice to a later one.

    The rows no community placed (a street-wide register's quarantined rows: slice '') belong to no
    slice: they stay with their file, unless the file lost every slice it had, and then go with it.
    """
    pieces = pl.concat([f.select("_file", "_month", "_slice") for f in (landed, quarantined)]).unique()
    placed = pieces.filter(pl.col("_slice") != "")
    winner = placed.group_by("_month", "_slice").agg(pl.col("_file").max().alias("_winner"))
    losing = placed.join(winner, on=["_month", "_slice"]).filter(pl.col("_file") != pl.col("_winner"))
    lost = set(losing["_file"].unique().to_list())
    if not lost:
        return landed, quarantined, lost
    left = set(placed.join(losing, on=["_file", "_month", "_slice"], how="anti")["_file"].to_list())
    gone = sorted(lost - left)  # files with no slice left: their unplaced rows go too

    def kept(frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.join(losing.select("_file", "_month", "_slice"), on=["_file", "_month", "_slice"], how="anti")
        return frame.filter(~pl.col("_file").is_in(gone)) if gone else frame
    return kept(landed), kept(quarantined), lost


def pieces_of(frame: pl.DataFrame) -> dict[int, list[tuple[str, str]]]:
    """Each file's (month, slice key) pieces, sorted."""
    out: dict[int, list[tuple[str, str]]] = {}
    for f, m, s in frame.select("_file", "_month", "_slice").unique().sort("_file", "_month", "_slice").iter_rows():
        out.setdefault(f, []).append((m, s))
    return out
