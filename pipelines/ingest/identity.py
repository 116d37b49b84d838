"""Pseudonymise personal data at the door (DESIGN.md §4).

ID numbers become a keyed HMAC-SHA256 (computed in DuckDB over the whole column) plus the
birth date, sex and region they encode; names and phone numbers are masked; ID and phone
numbers inside free text are masked too.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from pathlib import Path

import duckdb
import polars as pl

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
             "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
             "65", "71", "81", "82")
ID_IN_TEXT = r"\d{6}(\d{8})\d{3}[\dXx]|\d{15}"
PHONE_IN_TEXT = r"(1[3-9]\d)\d{4}(\d{4})"


def pii_key(key_file: Path) -> bytes:
    """The HMAC key: `GRIDPULSE_PII_KEY`, else `data/.pii_key` (created with 0600 rights)."""
    env = os.environ.get("GRIDPULSE_PII_KEY")
    if env:
        return env.encode("utf-8")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode("utf-8")


def hmac_column(values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 hex digests of a text column, computed in SQL (no Python loop over rows)."""
    return Pseudonymiser(key).digests(values)


class Pseudonymiser:
    """Keyed HMAC-SHA256 digests with a per-run memory of values already hashed.

    A community re-sends its whole register every month, so one run meets each person about once a
    month of the run: each value is hashed once and later meetings are a join. The memory holds plain
    ID numbers, lives only in this process and is never written anywhere; it is bounded by `limit`.
    """

    def __init__(self, key: bytes, limit: int = 5_000_000):
        block = (key if len(key) <= 64 else hashlib.sha256(key).digest()).ljust(64, b"\0")  # RFC 2104
        self._ipad = bytes(b ^ 0x36 for b in block)
        self._opad = bytes(b ^ 0x5C for b in block)
        self._limit = limit
        self._known = pl.DataFrame(schema={"v": pl.String, "h": pl.String})
        self._con: duckdb.DuckDBPyConnection | None = None  # in memory
        self._lock = threading.Lock()  # batches are validated in several threads
        # opening DuckDB takes a while the first time in a process: it is done while files are read
        self._opening = threading.Thread(target=self._open, name="gridpulse-hmac-open", daemon=True)
        self._opening.start()

    def _open(self) -> None:
        self._con = duckdb.connect()

    def close(self) -> None:
        """Wait for the background open (a process that exits while DuckDB is being opened aborts)."""
        self._opening.join()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _compute(self, frame: pl.DataFrame) -> pl.DataFrame:
        self._opening.join()
        self._con = self._con or duckdb.connect()  # when opening it in the background failed
        self._con.register("t", frame)
        try:
            return self._con.sql("select v, sha256($opad::BLOB || unhex(sha256($ipad::BLOB || encode(v)))) as h from t",
                                 params={"opad": self._opad, "ipad": self._ipad}).pl()
        finally:
            self._con.unregister("t")

    def digests(self, values: pl.Series) -> pl.Series:
        unique = pl.DataFrame({"v": values.cast(pl.String)}).unique().drop_nulls()
        with self._lock:
            new = unique.join(self._known, on="v", how="anti")
            known = self._known
            if new.height:
                known = pl.concat([known, self._compute(new)], rechunk=False)
                # past the bound the memory starts again from this call's values (all still in `known`)
                self._known = known.join(unique, on="v", how="semi") if known.height > self._limit else known
        mapping = pl.DataFrame({"v": values.cast(pl.String)}).join(known, on="v", how="left", maintain_order="left")
        return mapping["h"]


def check_char(body: pl.Expr) -> pl.Expr:
    """The check character (GB 11643) of an ID number's first 17 digits, given as the number they spell
    (17 digits fit 64 bits): the digits come by arithmetic, not by 17 slices of text."""
    total = pl.sum_horizontal([(body // 10 ** (16 - i)) % 10 * w for i, w in enumerate(WEIGHTS)])
    return pl.when(body.is_not_null()).then(
        (total % 11).replace_strict({i: c for i, c in enumerate(CHECK_CHARS)}, return_dtype=pl.String))


def add_id_columns(frame: pl.DataFrame, text_col: str) -> pl.DataFrame:
    """Add `_id_text`, `_id_full` (18-digit form), `_id_error`, `_id_birth`, `_id_sex`, `_id_region`,
    `_id_passport` (looks like a passport number).

    Worked out once per distinct text (a register re-sent monthly repeats each number) and joined back.
    """
    distinct = _id_columns(frame.select(pl.col(text_col).unique()), text_col)
    return frame.join(distinct, on=text_col, how="left", nulls_equal=True, maintain_order="left")


def _id_columns(frame: pl.DataFrame, text_col: str) -> pl.DataFrame:
    """The columns of `add_id_columns`, computed in stages so that each one is evaluated once."""
    s = pl.col("_id_text")
    frame = frame.with_columns(
        _id_text=pl.col(text_col).str.replace_all(r"\s", "").str.to_uppercase())
    frame = frame.with_columns(
        _id_is18=s.str.contains(r"^\d{17}[\dX]$"), _id_is15=s.str.contains(r"^\d{15}$"),
        _id_passport=s.str.contains(r"^[A-Z0-9]{5,20}$").fill_null(False))  # what a foreigner's number looks like
    frame = frame.with_columns(
        _id_base=pl.when("_id_is18").then(s.str.slice(0, 17))
        .when("_id_is15").then(s.str.slice(0, 6) + pl.lit("19") + s.str.slice(6, 9)))
    # the base is 17 digits by construction, so the cast is exact
    frame = frame.with_columns(_id_body=pl.col("_id_base").cast(pl.Int64, strict=False))
    frame = frame.with_columns(_id_check=check_char(pl.col("_id_body")))
    frame = frame.with_columns(
        _id_full=pl.when("_id_is18").then(s).when("_id_is15").then(pl.col("_id_base") + pl.col("_id_check")))
    full = pl.col("_id_full")
    frame = frame.with_columns(_id_birth=full.str.slice(6, 8).str.to_date("%Y%m%d", strict=False))
    return frame.with_columns(
        _id_error=pl.when(~(pl.col("_id_is18") | pl.col("_id_is15"))).then(pl.lit("invalid_id_format"))
        .when(pl.col("_id_is18") & (pl.col("_id_check") != s.str.slice(17, 1))).then(pl.lit("invalid_id_checksum"))
        .when(pl.col("_id_birth").is_null() | (pl.col("_id_birth") < pl.date(1900, 1, 1))).then(pl.lit("invalid_id_date"))
        .when(~full.str.slice(0, 2).is_in(PROVINCES)).then(pl.lit("invalid_id_region")),
        _id_sex=pl.when(full.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1).then(pl.lit("男"))
        .otherwise(pl.lit("女")),
        _id_region=full.str.slice(0, 6),
    ).drop("_id_is18", "_id_is15", "_id_base", "_id_body", "_id_check")


def mask_name(name: pl.Expr) -> pl.Expr:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    return name.str.slice(0, 1) + pl.lit("*" * 64).str.slice(0, name.str.len_chars() - 1)


def mask_phone(phone: pl.Expr) -> pl.Expr:
    """13812341234 -> 138****1234; anything else keeps only its last four characters."""
    digits = phone.str.replace_all(r"[^\d]", "")
    return (pl.when(digits.str.len_chars() == 11).then(digits.str.slice(0, 3) + pl.lit("****") + digits.str.slice(7, 4))
            .when(digits.str.len_chars() > 4).then(pl.lit("****") + digits.str.slice(-4, 4))
            .otherwise(pl.when(digits.str.len_chars() > 0).then(pl.lit("****"))))


def mask_id(text: pl.Expr) -> pl.Expr:
    """Whatever a clerk typed in an ID column, only its first three and last two characters stay."""
    return text.str.slice(0, 3) + pl.lit("*************") + text.str.slice(-2, 2)


def mask_free_text(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(ID_IN_TEXT, "[身份证号已隐藏]").str.replace_all(PHONE_IN_TEXT, "${1}****${2}")
