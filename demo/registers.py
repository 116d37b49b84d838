"""Turn a community's true monthly register into what its clerk sends: headers, formats, layout,
blank and totals rows, and a few bad rows, each with the row number a spreadsheet shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from demo import identity, vocab
from demo.common import EXCEL_EPOCH, STREET_NAME, month_last
from demo.profiles import Profile

BAD_ROW_SHARE = 0.003
POPULATION_REASONS = ("invalid_id_checksum", "unknown_grid", "future_date", "missing_required", "duplicate_row")
DATE_COLUMNS = ("birth", "registered", "updated")
STRFTIME = {"iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "cn": "%Y年%-m月%-d日", "compact": "%Y%m%d"}


@dataclass
class Rendered:
    """A register as laid out in its file. Row numbers are 1-based as a spreadsheet shows them."""

    columns: list[str]  # canonical names, in file order
    headers: list[str]  # header text per column (the lower row when the header is merged)
    values: dict[str, list]  # canonical name -> cell values per data row (str, int or None)
    kinds: dict[str, str]  # "text", "number" or "date" (an Excel serial shown as a date)
    title_rows: int
    header_rows: int
    data_row_numbers: list[int]
    blank_row_numbers: list[int]
    totals_row_number: int | None
    bad: list[tuple[int, str]] = field(default_factory=list)
    persons: int = 0  # valid distinct persons
    residents: int = 0  # valid persons living there (status present or temporarily away)

    @property
    def data_rows(self) -> int:
        return len(self.data_row_numbers)


def header_labels(profile: Profile, rng: np.random.Generator) -> dict[str, str]:
    """Header text of each canonical column for this community (aliases, stray spaces)."""
    labels = {key: profile.aliases.get(key, vocab.POPULATION_FIXED_HEADERS.get(key, key)) for key in vocab.POPULATION_COLUMNS}
    if profile.spaced_headers == "stray":
        for key in rng.choice(["name", "sex", "ethnic", "relation", "unit"], 3, replace=False):
            labels[key] = f" {labels[key]} " if rng.random() < 0.5 else f"{labels[key]} "
    elif profile.spaced_headers == "fullwidth":
        for key in ["name", "sex", "ethnic", "unit"]:
            labels[key] = "\u3000".join(labels[key])
    return labels


def _inject_bad_rows(df: pl.DataFrame, code: str, year: int, month: int, rng: np.random.Generator) -> pl.DataFrame:
    """Mark ~0.3 % of rows bad (one reason each) and apply the damage; adds column `bad`."""
    n = df.height
    k = int(rng.binomial(n, BAD_ROW_SHARE)) if n else 0
    picks = np.sort(rng.choice(n, size=k, replace=False)) if k else np.array([], dtype=np.int64)
    reasons = np.full(n, None, dtype=object)
    reasons[picks] = rng.choice(np.array(POPULATION_REASONS), k)
    plain_id = (df["id_number"].str.len_chars() == 18).to_numpy() & ~df["is_passport"].to_numpy()
    reasons[(reasons == "invalid_id_checksum") & ~plain_id] = "missing_required"
    ids = df["id_number"].to_numpy().astype(object)
    names = df["name"].to_numpy().astype(object)
    grids = df["grid"].to_numpy().astype(object)
    wrong = reasons == "invalid_id_checksum"
    if wrong.any():
        ids[wrong] = identity.wrong_check(ids[wrong].astype("<U18"), rng)
    missing = reasons == "missing_required"
    blank_name = missing & (rng.random(n) < 0.5)
    names[blank_name] = None
    ids[missing & ~blank_name] = None
    grids[reasons == "unknown_grid"] = f"{code}0{int(rng.integers(90, 100))}"
    future = month_last(year, month) + timedelta(days=int(rng.integers(1, 400)))
    df = df.with_columns(
        pl.Series("bad", reasons.tolist(), dtype=pl.String),
        pl.Series("id_number", ids.tolist(), dtype=pl.String),
        pl.Series("name", names.tolist(), dtype=pl.String),
        pl.Series("grid", grids.tolist(), dtype=pl.String),
        pl.when(pl.Series(reasons == "future_date")).then(pl.lit(future)).otherwise("birth").alias("birth"),
    )
    bad = pl.col("bad")
    # duplicate_row: the original stays good, an exact copy (the bad row) follows it.
    dup = reasons == "duplicate_row"
    order = np.concatenate([np.arange(n), np.flatnonzero(dup) + 0.5])
    copies = df.filter(pl.Series(dup))
    originals = df.with_columns(pl.when(bad == "duplicate_row").then(None).otherwise(bad).alias("bad"))
    return pl.concat([originals, copies]).with_columns(pl.Series("_order", order)).sort("_order").drop("_order")


def render(
    register: pl.DataFrame, profile: Profile, code: str, year: int, month: int, rng: np.random.Generator, *,
    with_bad: bool = True, drop_columns: tuple[str, ...] = (), title_rows: int | None = None,
) -> Rendered:
    """Lay the register out the way this community does."""
    labels = header_labels(profile, rng)
    df = register.with_columns(pl.int_range(1, pl.len() + 1).alias("seq"))
    df = _inject_bad_rows(df, code, year, month, rng) if with_bad else df.with_columns(pl.lit(None, dtype=pl.String).alias("bad"))
    n = df.height
    if profile.fullwidth_rooms:
        wide = pl.Series(rng.random(n) < 0.01)
        full_width = pl.col("room").str.replace_many(list("0123456789"), list("０１２３４５６７８９"))
        df = df.with_columns(pl.when(wide).then(full_width).otherwise("room").alias("room"))
    kinds = {c: "text" for c in vocab.POPULATION_COLUMNS}
    kinds["seq"] = "number"
    for col in DATE_COLUMNS:
        if profile.date_format == "excel":
            df = df.with_columns((pl.col(col) - pl.lit(EXCEL_EPOCH)).dt.total_days().alias(col))
            kinds[col] = "date"
        else:
            df = df.with_columns(pl.col(col).dt.strftime(STRFTIME[profile.date_format]))
    columns = [c for c in vocab.POPULATION_COLUMNS if c not in drop_columns]
    values = {c: df[c].to_list() for c in columns}

    titles = profile.title_rows if title_rows is None else title_rows
    header_rows = 2 if profile.merged_header and profile.csv_encoding is None else 1
    first = titles + header_rows + 1
    blanks_after = np.sort(rng.choice(max(n - 1, 1), size=min(profile.blank_rows, max(n - 1, 0)), replace=False)) if n > 1 else []
    shift = np.zeros(n, dtype=np.int64)
    for pos in blanks_after:  # at most three blank rows
        shift[pos + 1:] += 1
    numbers = (first + np.arange(n) + shift).tolist()
    blank_numbers = [int(first + pos + 1 + shift[pos]) for pos in blanks_after]
    totals = (numbers[-1] + 1 if n else first) if profile.totals and profile.csv_encoding is None else None
    bad_flags = df["bad"].to_list()
    good = df.filter(pl.col("bad").is_null())
    return Rendered(
        columns=columns, headers=[labels[c] for c in columns], values=values, kinds=kinds,
        title_rows=titles, header_rows=header_rows, data_row_numbers=numbers, blank_row_numbers=blank_numbers,
        totals_row_number=totals,
        bad=[(numbers[i], r) for i, r in enumerate(bad_flags) if r is not None],
        persons=good.height, residents=good.filter(pl.col("status").is_in(["在住", "外出"])).height,
    )


def title_lines(display_name: str, year: int, month: int, submitted: date, street_name: str = STREET_NAME,
                unit: str | None = None) -> list[str]:
    """The title rows; `unit` (default: the community's name) is who fills the register in."""
    return [
        f"{street_name}{display_name}实有人口台账（{year}年{month}月）",
        f"填报单位：{unit or display_name}\u3000\u3000填报日期：{submitted.year}年{submitted.month}月{submitted.day}日",
    ]
