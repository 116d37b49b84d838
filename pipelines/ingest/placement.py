"""Placing 12345 hotline orders in a street, a community and a grid.

A hotline order rarely carries its place in a column: the street and community are named in its title
and text (…街道, …社区, …小区, roads, buildings). `Gazetteer.build` gathers the names the project
knows; `place` finds them in each order with one Aho-Corasick pass (polars `str.extract_many`) and
decides per order with frame operations, never a Python loop over orders.

The gazetteer (one row per word and place it may mean):

| kind | rank | words | from |
|---|---|---|---|
| district | 0 | 双流区 | every district of the divisions seed |
| street | 1 | 华阳街道, 华阳 (short forms for the served streets only) | every street of the seed |
| road | 2 | 正东街 (a road listed in one community's grids) | the grid table's optional `roads` |
| community | 3 | 锦江社区居委会, 锦江社区, 锦江居委会; for the served streets also 锦江, 锦江片区 | every community of the seed |
| grid | 4 | grid names, exclusive grids' places (华阳中学 of 华阳中学专属网格), estates (小区) | the latest grid table |

Rules, in order (each measurable by the tests in tests/pipelines/ingest/test_placement.py):

1. Structured columns first: `community`/`street` (names or codes), a `handling_unit` naming a
   community (…社区居委会) and the `district` column. A community they name wins over the text
   (place_method `column`); the district column narrows shared names like a district in the text.
2. Text: title + content with whitespace removed, matched leftmost-longest, so 沙河街道 is a street and
   not the community 沙河, and 锦江区 is a district and not the community 锦江.
3. A word meaning several places (a community name shared by two streets) counts only when a street
   named in the text, else a district named in the text or the district column, leaves one of them.
4. A street (or a community resolved to a street) outside the served streets, named without any served
   street, means "not ours": street_code is that street, community and grid stay null.
5. Otherwise the most specific match wins (grid/estate > community > road > street); between equally
   specific ones the first named. Another community named anywhere in the order (by its name, an estate
   or a road) lowers the confidence by CONFLICT_FACTOR.
6. A shared name left unresolved places nothing: codes null, its words in place_words, place_method
   `text`, confidence 0.2, so data staff see why.
7. Nothing placeable: street, community and grid null, place_method `none`; the order is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.core.settings import DIVISIONS_CSV, STREET_DIGITS, Paths
from pipelines.core.texts import PLACE
from pipelines.ingest.lake import latest_grid_tables, read_lake

PLACE_COLUMNS = ["street_code", "community_code", "grid_code", "place_words", "place_confidence", "place_method"]
COMMUNITY_SUFFIXES = r"(社区居民委员会|社区居委会|居民委员会|村民委员会|村委会|居委会|社区|村)$"
STREET_SUFFIXES = r"(街道办事处|街道|镇|乡)$"
ESTATE_SEPARATORS = r"[、，,;；/\s]+"
GRID_SUFFIX = r"专属网格$"
RANK = {"district": 0, "street": 1, "road": 2, "community": 3, "grid": 4}
# Confidence of a placement by the kind of word that decided it (before a conflict lowers it).
CONFIDENCE = {"grid": 0.9, "community": 0.85, "community_short": 0.7, "road": 0.7, "street": 0.5, "other_street": 0.8,
              "ambiguous": 0.2}
CONFLICT_FACTOR = 0.6
COLUMN_CONFIDENCE = 1.0
CORRECTIONS = ("corrections", "hotline_places.csv")  # under the data folder, next to the lake
CORRECTION_COLUMNS = ("order_id", "community_code", "grid_code", "corrected_at")
ENTRY_SCHEMA = {
    "word": pl.String, "kind": pl.String, "short": pl.Boolean, "district_code": pl.String, "street_code": pl.String,
    "community_code": pl.String, "grid_code": pl.String,
}


@dataclass(frozen=True)
class Gazetteer:
    """The place words of one installation: `entries` (ENTRY_SCHEMA, one row per word and place) and
    `streets`, the division code prefix of the served streets (9 digits, or a city's 4 / district's 6)."""

    entries: pl.DataFrame
    streets: str

    @classmethod
    def build(cls, paths: Paths) -> Gazetteer:
        """From the divisions seed and the latest grid table in the lake (none yet: divisions only)."""
        divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
        return cls.from_frames(divisions, latest_grid_tables(paths.lake), paths.street)

    @classmethod
    def from_frames(cls, divisions: pl.DataFrame, grids: pl.DataFrame | None, streets: str) -> Gazetteer:
        """From a divisions frame (code, name, level, parent_code) and a grid table (grid_code, grid_name,
        community_code, optional grid_type, estates, roads), serving the streets under `streets`."""
        parts = [_division_words(divisions, streets)]
        if grids is not None and grids.height:
            parts.append(_grid_words(grids.filter(pl.col("community_code").str.starts_with(streets)), divisions))
        entries = (
            pl.concat(parts, how="vertical_relaxed")
            .filter(pl.col("word").str.len_chars() >= 2)
            .with_columns(rank=pl.col("kind").replace_strict(RANK, return_dtype=pl.Int8))
            # one row per word and place: the most specific reading of the word for that place
            .sort("rank", "short", descending=[True, False])
            .unique(["word", "street_code", "community_code", "grid_code"], keep="first", maintain_order=True)
            # a word of several grids of one community (an estate across two grids) places the community only
            .with_columns(pl.when(pl.col("grid_code").n_unique().over("word", "community_code") == 1).then(pl.col("grid_code")))
            .unique(["word", "street_code", "community_code", "grid_code"], keep="first", maintain_order=True)
            .sort("word", "rank", "street_code", "community_code", "grid_code", nulls_last=True)
        )
        return cls(entries=entries, streets=streets)

    @property
    def patterns(self) -> list[str]:
        """Every word, longest first, so a leftmost match is also the longest one starting there."""
        words = self.entries.select(pl.col("word").unique())
        return words.sort(pl.col("word").str.len_chars(), "word", descending=[True, False])["word"].to_list()


def _division_words(divisions: pl.DataFrame, streets: str) -> pl.DataFrame:
    d = divisions.select(pl.col("code").cast(pl.String), "name", "level", pl.col("parent_code").cast(pl.String))
    ours_street = pl.col("street_code").str.starts_with(streets)
    district = d.filter(pl.col("level") == "district").select(
        "name", district_code="code", street_code=pl.lit(None, pl.String), community_code=pl.lit(None, pl.String))
    street = d.filter(pl.col("level") == "street").select(
        "name", street_code="code", district_code="parent_code", community_code=pl.lit(None, pl.String))
    community = d.filter(pl.col("level") == "community").select(
        "name", community_code="code", street_code="parent_code").join(
        street.select("street_code", "district_code"), on="street_code", how="left")

    def rows(frame: pl.DataFrame, kind: str, word: pl.Expr, short: bool = False, where: pl.Expr | None = None) -> pl.DataFrame:
        if where is not None:
            frame = frame.filter(where)
        return frame.select(word.alias("word"), pl.lit(kind).alias("kind"), pl.lit(short).alias("short"), "district_code",
                            "street_code", "community_code", pl.lit(None, pl.String).alias("grid_code"))

    stem = pl.col("name").str.replace(COMMUNITY_SUFFIXES, "")
    village = pl.col("name").str.contains("村(民委员会|委会)?$")
    street_stem = pl.col("name").str.replace(STREET_SUFFIXES, "")
    return pl.concat([
        rows(district, "district", pl.col("name")),
        rows(street, "street", pl.col("name")),
        rows(street, "street", street_stem, True, ours_street),
        rows(community, "community", pl.col("name")),
        rows(community, "community", pl.when(village).then(stem + "村").otherwise(stem + "社区")),
        rows(community, "community", pl.when(village).then(stem + "村委会").otherwise(stem + "居委会")),
        rows(community, "community", stem + "社区居委会", where=~village),
        rows(community, "community", stem, True, ours_street),
        rows(community, "community", stem + "片区", True, ours_street),
    ])


def _grid_words(grids: pl.DataFrame, divisions: pl.DataFrame) -> pl.DataFrame:
    """Grid names, exclusive grids' places, estates (`estates`) and roads (`roads`) of the grid table."""
    streets = divisions.filter(pl.col("level") == "street").select(
        pl.col("code").cast(pl.String).alias("street_code"), pl.col("parent_code").cast(pl.String).alias("district_code"))
    g = grids.select(
        "grid_code", "community_code", "grid_name",
        *[pl.col(c).cast(pl.String) if c in grids.columns else pl.lit(None, pl.String).alias(c) for c in ("estates", "roads")],
    ).unique("grid_code", keep="last").with_columns(street_code=pl.col("community_code").str.slice(0, STREET_DIGITS)).join(
        streets, on="street_code", how="left")
    keys = ["district_code", "street_code", "community_code"]

    def listed(column: str) -> pl.Expr:
        return pl.col(column).fill_null("").str.replace_all(ESTATE_SEPARATORS, "、").str.split("、")

    names = g.select(*keys, "grid_code", word=pl.concat_list(pl.col("grid_name"), pl.col("grid_name").str.replace(GRID_SUFFIX, "")))
    estates = g.select(*keys, "grid_code", word=listed("estates"))
    grid_rows = pl.concat([names, estates]).explode("word").with_columns(
        pl.col("word").str.strip_chars(), kind=pl.lit("grid"), short=pl.lit(False))
    # a road belongs to a community when every grid listing it is of that community; else to none
    roads = g.select(*keys, word=listed("roads")).explode("word").with_columns(pl.col("word").str.strip_chars()).unique()
    roads = roads.filter(pl.col("community_code").n_unique().over("word") == 1).with_columns(
        kind=pl.lit("road"), short=pl.lit(False), grid_code=pl.lit(None, pl.String))
    return pl.concat([grid_rows, roads], how="diagonal").select(list(ENTRY_SCHEMA)).filter(pl.col("word") != "")


def _matches(text: pl.Expr, gazetteer: Gazetteer, frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """(_row, pos, word, source) for every word of the gazetteer found in `text`, leftmost-longest."""
    patterns = gazetteer.patterns
    found = frame.select(
        pl.col("_row"),
        text.fill_null("").str.replace_all(r"\s+", "").str.extract_many(patterns, leftmost=True).alias("word"),
    )
    return (found.explode("word").drop_nulls("word")
            .with_columns(pos=pl.int_range(pl.len()).over("_row"), source=pl.lit(source)))


def place(orders: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """`orders` with PLACE_COLUMNS added (replaced when present); the rows and their order are kept.

    Text columns used: `title`, `content`; structured ones when present: `community`, `street` (names or
    codes), `handling_unit`, `district`.
    """
    base = orders.drop([c for c in PLACE_COLUMNS if c in orders.columns]).with_row_index("_row")
    cols = set(base.columns)

    def col(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name in cols else pl.lit(None, pl.String)

    text = pl.concat_str([col("title").fill_null(""), pl.lit("\n"), col("content").fill_null("")])
    structured = pl.concat_str([col("street").fill_null(""), pl.lit("\n"), col("community").fill_null("")])
    found = pl.concat([
        _matches(text, gazetteer, base, "text"),
        _matches(structured, gazetteer, base, "column"),
        _matches(col("district"), gazetteer, base, "district"),
        _matches(col("handling_unit"), gazetteer, base, "unit"),
    ])
    codes = _code_matches(base, col, gazetteer)
    decided = _decide(found, codes, gazetteer)
    out = base.join(decided, on="_row", how="left").with_columns(
        pl.col("place_method").fill_null("none"), pl.col("place_confidence").fill_null(0.0))
    return out.sort("_row").drop("_row").select(*orders.drop([c for c in PLACE_COLUMNS if c in orders.columns]).columns,
                                                *PLACE_COLUMNS)


def _code_matches(base: pl.DataFrame, col, gazetteer: Gazetteer) -> pl.DataFrame:
    """Division codes written in the `community` / `street` columns, as matches of the code's place."""
    entries = gazetteer.entries
    known = pl.concat([
        entries.filter(pl.col("kind") == "community").select(code="community_code", word="word").unique("code"),
        entries.filter(pl.col("kind") == "street").select(code="street_code", word="word").unique("code"),
    ])
    frames = []
    for name in ("street", "community"):
        if name in base.columns:
            frames.append(base.select("_row", code=col(name).str.strip_chars()).join(known, on="code", how="inner")
                          .select("_row", "code"))
    if not frames:
        return pl.DataFrame(schema={"_row": pl.UInt32, "code": pl.String})
    return pl.concat(frames)


def _decide(found: pl.DataFrame, codes: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """One placement per order with any match: (_row, *PLACE_COLUMNS)."""
    ours = gazetteer.streets
    e = gazetteer.entries
    cand = found.join(e, on="word", how="inner").filter(
        # a handling unit names a place only when it is a community's (…社区居委会); a street office handles
        # orders of the whole street and of other streets alike; the district column gives districts only
        ((pl.col("source") != "unit") | ((pl.col("kind") == "community") & ~pl.col("short")))
        & ((pl.col("source") != "district") | (pl.col("kind") == "district"))
    ).with_columns(source=pl.col("source").replace("unit", "column"))
    # codes in columns: the exact place, as a column match at its rank
    if codes.height:
        by_code = pl.concat([
            codes.join(e.filter(pl.col("kind") == "community").unique("community_code", keep="first"),
                       left_on="code", right_on="community_code", how="inner").with_columns(community_code=pl.col("code")),
            codes.join(e.filter((pl.col("kind") == "street") & ~pl.col("short")).unique("street_code", keep="first"),
                       left_on="code", right_on="street_code", how="inner").with_columns(street_code=pl.col("code")),
        ], how="diagonal").with_columns(pos=pl.lit(-1, pl.Int64), source=pl.lit("column"), short=pl.lit(False)).drop("code")
        cand = pl.concat([cand, by_code.select(cand.columns)], how="vertical_relaxed")
    cand = cand.with_columns(pos=pl.col("pos").cast(pl.Int64))

    # evidence: streets and districts named anywhere, the district column counting as a district
    streets_named = cand.filter(pl.col("kind") == "street").group_by("_row").agg(pl.col("street_code").unique().alias("_streets"))
    districts_named = cand.filter(pl.col("kind") == "district").group_by("_row").agg(
        pl.col("district_code").unique().alias("_districts"))
    cand = cand.filter(pl.col("source") != "district").join(streets_named, on="_row", how="left").join(
        districts_named, on="_row", how="left")

    # a word with several places keeps the one a named street (else a named district) leaves
    occurrence = ["_row", "source", "pos"]
    several = pl.struct("street_code", "community_code").n_unique().over(occurrence) > 1
    street_ok = pl.col("_streets").fill_null(pl.lit([], pl.List(pl.String))).list.contains(pl.col("street_code"))
    district_ok = pl.col("_districts").fill_null(pl.lit([], pl.List(pl.String))).list.contains(pl.col("district_code"))
    n_street_ok = street_ok.sum().over(occurrence)
    n_district_ok = district_ok.sum().over(occurrence)
    keep = ~several | (street_ok & (n_street_ok == 1)) | ((n_street_ok == 0) & district_ok & (n_district_ok == 1))
    unresolved = cand.filter(~keep).group_by("_row").agg(pl.col("word").unique(maintain_order=True).str.join("、").alias("place_words"))
    cand = cand.filter(keep).with_columns(ours=pl.col("street_code").str.starts_with(ours))

    # rule 4: another street named (or resolved) and none of ours named: not ours
    own_street_named = pl.col("_streets").fill_null(pl.lit([], pl.List(pl.String))).list.eval(
        pl.element().str.starts_with(ours)).list.any()
    other = (cand.filter(~pl.col("ours") & pl.col("street_code").is_not_null() & (pl.col("kind") != "district") & ~own_street_named)
             .sort("_row", "rank", "pos", descending=[False, True, False])
             .group_by("_row", maintain_order=True).agg(
                 pl.col("street_code").first(), pl.col("word").unique(maintain_order=True).str.join("、").alias("place_words"),
                 pl.col("source").first())
             .with_columns(community_code=pl.lit(None, pl.String), grid_code=pl.lit(None, pl.String),
                           place_confidence=pl.lit(CONFIDENCE["other_street"]),
                           place_method=pl.when(pl.col("source") == "column").then(pl.lit("column")).otherwise(pl.lit("text")))
             .drop("source"))

    mine = cand.filter(pl.col("ours") & (pl.col("rank") >= 1) & ~pl.col("_row").is_in(other["_row"].implode()))
    # a column naming a community wins over the text: text words of other communities are dropped, those
    # of its community may still name the grid
    by_column = (pl.col("source") == "column") & (pl.col("rank") >= RANK["community"])
    column_community = pl.col("community_code").filter(by_column).first().over("_row")
    mine = mine.with_columns(col_rank=by_column.any().over("_row").cast(pl.Int8)).filter(
        (pl.col("col_rank") == 0) | (pl.col("community_code") == column_community) | by_column)
    ordered = mine.sort("_row", "rank", "pos", descending=[False, True, False])
    first = ordered.group_by("_row", maintain_order=True).agg(
        pl.col("street_code").first(), pl.col("community_code").first(), pl.col("grid_code").first(),
        pl.col("kind").first(), pl.col("short").first(), pl.col("rank").first(),
        pl.when(pl.col("col_rank").first() == 1).then(pl.lit("column")).otherwise(pl.col("source").first()).alias("source"),
        pl.col("col_rank").first(),
        # another community named (by an estate, a community or a road): a conflict
        (pl.col("community_code").is_not_null() & (pl.col("community_code") != pl.col("community_code").first())).any()
        .alias("conflict"),
        pl.col("word").sort_by(pl.col("source") != "text", "pos").unique(maintain_order=True).str.join("、").alias("place_words"),
    )
    base_conf = (pl.when(pl.col("kind") == "grid").then(CONFIDENCE["grid"])
                 .when((pl.col("kind") == "community") & pl.col("short")).then(CONFIDENCE["community_short"])
                 .when(pl.col("kind") == "community").then(CONFIDENCE["community"])
                 .when(pl.col("kind") == "road").then(CONFIDENCE["road"])
                 .otherwise(CONFIDENCE["street"]))
    decided = first.with_columns(
        place_confidence=pl.when(pl.col("col_rank") == 1).then(COLUMN_CONFIDENCE).otherwise(
            base_conf * pl.when(pl.col("conflict")).then(CONFLICT_FACTOR).otherwise(1.0)),
        place_method=pl.when(pl.col("source") == "column").then(pl.lit("column")).otherwise(pl.lit("text")),
        street_code=pl.col("street_code"),
    ).select("_row", "street_code", "community_code", "grid_code", "place_words", "place_confidence", "place_method")
    other = other.select(decided.columns)
    placed = pl.concat([decided, other])
    # rule 3's leftovers: a shared name nothing narrowed places nothing, but its words are kept for data staff
    ambiguous = unresolved.filter(~pl.col("_row").is_in(placed["_row"].implode())).select(
        "_row", street_code=pl.lit(None, pl.String), community_code=pl.lit(None, pl.String), grid_code=pl.lit(None, pl.String),
        place_words="place_words", place_confidence=pl.lit(CONFIDENCE["ambiguous"]), place_method=pl.lit("text"))
    return pl.concat([placed, ambiguous]).with_columns(
        place_words=pl.when(pl.col("place_words") != "").then(pl.col("place_words")))


class PlacementRefused(Exception):
    """A manual placement that names an unknown order, community or grid; the message is for data staff."""


def corrections_path(paths: Paths) -> Path:
    return paths.data.joinpath(*CORRECTIONS)


def record_correction(paths: Paths, order_id: str, community: str, grid: str | None = None,
                      now: dt.datetime | None = None) -> dict[str, str]:
    """Append a manual placement to data/corrections/hotline_places.csv (the latest row per order wins in
    dbt staging). `community` is a 12-digit code or a name (with or without 社区/居委会) of a community of
    the served streets; `grid`, when given, a grid of that community in the latest grid table; the order
    must be in the lake once hotline orders have landed. Raises PlacementRefused with a Chinese sentence."""
    order_id = order_id.strip()
    if not order_id:
        raise PlacementRefused(PLACE["empty_order"])
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    ours = divisions.filter((pl.col("level") == "community") & pl.col("code").str.starts_with(paths.street))
    wanted = community.strip()
    hit = ours.filter((pl.col("code") == wanted) | (pl.col("name") == wanted)
                      | (pl.col("name").str.replace(COMMUNITY_SUFFIXES, "") == wanted.removesuffix("居委会").removesuffix("社区")))
    if hit.height != 1:
        raise PlacementRefused(PLACE["unknown_community"].format(community=community))
    code, name = hit.row(0)[:2]
    label = name.removesuffix("居委会")
    if grid:
        grids = latest_grid_tables(paths.lake)
        row = None if grids is None else grids.filter(pl.col("grid_code") == grid.strip())
        if row is None or not row.height:
            raise PlacementRefused(PLACE["unknown_grid"].format(grid=grid))
        owner = row["community_code"][0]
        if owner != code:
            owner_name = divisions.filter(pl.col("code") == owner)["name"]
            raise PlacementRefused(PLACE["grid_elsewhere"].format(
                grid=grid, owner=owner_name[0].removesuffix("居委会") if owner_name.len() else owner, community=label))
        grid = grid.strip()
    orders = read_lake(paths.lake, "hotline")
    if orders is not None and orders.height and not orders.filter(pl.col("order_id").cast(pl.String) == order_id).height:
        raise PlacementRefused(PLACE["unknown_order"].format(order=order_id))
    row = {"order_id": order_id, "community_code": code, "grid_code": grid or "",
           "corrected_at": (now or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")}
    path = corrections_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CORRECTION_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerow(row)
    return row | {"message": PLACE["placed"].format(order=order_id, community=f"{label}（{code}）",
                                                   grid=f"，网格 {grid}" if grid else "")}
