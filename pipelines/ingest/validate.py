"""Type, validate and pseudonymise a raw table with polars expressions.

Every row ends in exactly one of the two frames returned: landed (typed, canonical) or
quarantined (row number, field, masked value, reason code).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from . import identity
from .contracts import Contract, Field
from .errors import ROW_REASONS
from .readers import ROW

DATE_RE = r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})"
DATETIME_RE = r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D*?(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
SERIAL_RE = r"^\d{5}(\.\d+)?$"
TAG_SEPARATORS = r"\s*[;；、，,/]\s*"


def _text(name: str) -> pl.Expr:
    t = pl.col(name).str.normalize("NFKC").str.strip_chars()
    return pl.when(t == "").then(None).otherwise(t)


def _serial(t: pl.Expr) -> pl.Expr:
    days = pl.when(t.str.contains(SERIAL_RE)).then(t.cast(pl.Float64, strict=False))
    return pl.datetime(1899, 12, 30) + pl.duration(milliseconds=(days * 86_400_000).round(0).cast(pl.Int64))


def parse_date(t: pl.Expr) -> pl.Expr:
    g = t.str.extract_groups(DATE_RE)
    text = pl.concat_str([g.struct[0], g.struct[1].str.zfill(2), g.struct[2].str.zfill(2)], separator="-")
    return pl.coalesce(text.str.to_date("%Y-%m-%d", strict=False), _serial(t).dt.date())


def parse_datetime(t: pl.Expr) -> pl.Expr:
    g = t.str.extract_groups(DATETIME_RE)
    text = pl.concat_str([g.struct[0], g.struct[1].str.zfill(2), g.struct[2].str.zfill(2)], separator="-") + " " + \
        pl.concat_str([g.struct[3].str.zfill(2), g.struct[4].str.zfill(2), g.struct[5].fill_null("0").str.zfill(2)],
                      separator=":")
    return pl.coalesce(text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
                       _serial(t).dt.cast_time_unit("us"))


def _field_exprs(f: Field, ctx: dict) -> tuple[dict[str, pl.Expr], pl.Expr, pl.Expr]:
    """(output columns, error code, value shown in quarantine) for one field."""
    t = _text(f.name)
    error: pl.Expr = pl.lit(None, dtype=pl.String)
    shown = t
    if f.type in ("text", "tags", "free_text", "code", "grid_code", "community_code"):
        value = t
        if f.type in ("code", "grid_code", "community_code"):
            value = t.str.replace_all(r"\s", "")
        if f.type == "tags":
            value = t.str.replace_all(TAG_SEPARATORS, ";")
        if f.type == "free_text":
            value = shown = identity.mask_free_text(t)
        if f.type == "grid_code" and ctx.get("known_grids") is not None:
            error = pl.when(value.is_not_null() & ~value.is_in(ctx["known_grids"])).then(pl.lit("unknown_grid"))
        if f.type == "community_code":
            error = pl.when(value.is_not_null() & ~value.str.contains(r"^\d{12}$")).then(pl.lit("invalid_value"))
        outputs = {f.name: value}
    elif f.type == "person_name":
        outputs = {f.name: identity.mask_name(t)}
        shown = identity.mask_name(t)
    elif f.type == "phone":
        outputs = {f.name: identity.mask_phone(t)}
        shown = identity.mask_phone(t)
    elif f.type == "enum":
        lookup = {syn: canon for canon, syns in (f.values or {}).items() for syn in (canon, *syns)}
        value = t.replace_strict(lookup, default=None, return_dtype=pl.String)
        error = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("invalid_value"))
        outputs = {f.name: value}
    elif f.type == "int":
        ok = t.str.contains(r"^[+-]?\d+(\.0+)?$")
        value = pl.when(ok).then(t.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
        error = pl.when(t.is_not_null() & ~ok).then(pl.lit("not_a_number"))
        if f.min is not None:
            error = error.fill_null(pl.when(value < f.min).then(pl.lit("invalid_value")))
        if f.max is not None:
            error = error.fill_null(pl.when(value > f.max).then(pl.lit("invalid_value")))
        outputs = {f.name: value}
    elif f.type in ("date", "datetime"):
        value = parse_date(t) if f.type == "date" else parse_datetime(t)
        error = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("invalid_date"))
        limit = ctx.get(f.not_after) if f.not_after else None
        if limit is not None:
            bound = limit.date() if f.type == "date" else limit
            error = error.fill_null(pl.when(value > pl.lit(bound)).then(pl.lit("future_date")))
        outputs = {f.name: value}
    elif f.type == "id_number":
        parts = identity.id_parts(t)
        error = parts["error"]
        shown = identity.mask_id(t)
        outputs = {"_id_full": parts["full"], "_id_text": parts["text"], "_id_birth": parts["birth_date"],
                   "_id_sex": parts["sex"], "_id_region": parts["region_code"]}
        if f.foreign_if:
            other = _text(f.foreign_if["field"])
            foreign = (other == f.foreign_if["value"]) & parts["text"].str.contains(r"^[A-Z0-9]{5,20}$")
            error = pl.when(foreign).then(None).otherwise(error)
            outputs["_id_foreign"] = foreign.fill_null(False)
    else:
        raise ValueError(f"unknown field type {f.type!r} in contract")
    if f.required:
        error = pl.when(t.is_null()).then(pl.lit("missing_required")).otherwise(error)
    return outputs, error, shown


def _finish_identity(frame: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Replace the ID number by its keyed hash plus what it encodes."""
    foreign = pl.col("_id_foreign") if "_id_foreign" in frame.columns else pl.lit(False)
    frame = frame.with_columns(
        _id_plain=pl.when(foreign).then(pl.lit("F:") + pl.col("_id_text")).otherwise(pl.col("_id_full")))
    frame = frame.with_columns(person_id=identity.hmac_column(frame["_id_plain"], key))
    derived = {"birth_date": "_id_birth", "sex": "_id_sex", "region_code": "_id_region"}
    frame = frame.with_columns(
        id_kind=pl.when(foreign).then(pl.lit("foreign")).otherwise(pl.lit("resident_id")),
        **{out: pl.when(foreign).then(pl.col(out) if out in frame.columns else None).otherwise(pl.col(src))
           for out, src in derived.items()},
    )
    return frame.drop([c for c in frame.columns if c.startswith("_id_")])


def validate(table_frame: pl.DataFrame, contract: Contract, ctx: dict, key: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into (landed, quarantined). `ctx` holds month_end/file_end and known_grids."""
    frame = table_frame
    for f in contract.fields:
        if f.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(f.name))
    outputs, errors, shown = {}, [], []
    for f in contract.fields:
        out, err, show = _field_exprs(f, ctx)
        outputs.update(out)
        errors.append((f.name, err))
        shown.append((f.name, show))
    err_cols = [e.alias(f"_err_{n}") for n, e in errors]
    if "_invalid_json" in frame.columns:
        err_cols.insert(0, pl.when(pl.col("_invalid_json")).then(pl.lit("invalid_json")).alias("_err__json"))
    typed = frame.with_columns(*err_cols, *[s.alias(f"_show_{n}") for n, s in shown]).with_columns(
        **{k: v for k, v in outputs.items()})
    names = [c[len("_err_"):] for c in typed.columns if c.startswith("_err_")]
    reason = pl.coalesce([pl.col(f"_err_{n}") for n in names])
    failed_field = pl.coalesce([pl.when(pl.col(f"_err_{n}").is_not_null()).then(pl.lit(n.lstrip("_"))) for n in names])
    shown_value = pl.coalesce([pl.when(pl.col(f"_err_{n}").is_not_null()).then(pl.col(f"_show_{n}"))
                               for n in names if n != "_json"])
    typed = typed.with_columns(_reason=reason, _field=failed_field, _value=shown_value)
    for rule in contract.rules:
        a, b = pl.col(rule["earlier"]), pl.col(rule["later"])
        typed = typed.with_columns(
            _reason=pl.coalesce(pl.col("_reason"), pl.when(b < a).then(pl.lit(rule["name"]))),
            _field=pl.coalesce(pl.col("_field"), pl.when(b < a).then(pl.lit(rule["later"]))),
            _value=pl.coalesce(pl.col("_value"), pl.when(b < a).then(pl.col(f"_show_{rule['later']}"))))
    key_cols = [pl.coalesce("_id_full", "_id_text") if k == "id_number" else pl.col(k) for k in contract.key]
    ok = pl.col("_reason").is_null()
    dup = ok & ~pl.struct([ok.alias("_ok"), *(key_cols or [pl.col(c) for c in outputs])]).is_first_distinct()
    typed = typed.with_columns(
        _reason=pl.when(dup).then(pl.lit("duplicate_row")).otherwise(pl.col("_reason")),
        _field=pl.when(dup).then(pl.lit(",".join(contract.key) or "*")).otherwise(pl.col("_field")),
        _value=pl.when(dup).then(None).otherwise(pl.col("_value")),
    )
    quarantined = typed.filter(pl.col("_reason").is_not_null()).select(
        pl.col(ROW).alias("source_row"), pl.col("_field").alias("field"), pl.col("_value").alias("value"),
        pl.col("_reason").alias("reason_code"),
        pl.col("_reason").replace_strict(ROW_REASONS, default="其他错误").alias("reason"))
    landed = typed.filter(pl.col("_reason").is_null())
    keep = [ROW, *[c for c in outputs if c != "id_number"]]
    landed = landed.select(keep)
    if any(f.type == "id_number" for f in contract.fields):
        landed = _finish_identity(landed, key)
    return landed.rename({ROW: "source_row"}), quarantined


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = map(int, month.split("-"))
    start = dt.datetime(y, m, 1)
    nxt = dt.datetime(y + (m == 12), m % 12 + 1, 1)
    return start, nxt - dt.timedelta(microseconds=1)
