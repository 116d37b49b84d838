"""Type, validate and pseudonymise a raw table with polars expressions.

Every row ends in exactly one of the two frames returned: landed (typed, canonical) or
quarantined (row number, field, masked value, reason code).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import polars as pl

from pipelines.core.texts import ALLOWED_VALUES, OTHER_REASON, ROW_REASONS
from pipelines.ingest import identity, textmask
from pipelines.ingest.contracts import JSON_LINE, Contract, Field
from pipelines.ingest.table import FILL, LEAD, ROW, SHEET, SHEET_ROW

DATE_RE = r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})"
DATETIME_RE = r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D*?(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
# A slash date with its 4-digit year last is month first, as US-made web platforms export it
# (`02/28/2019 11:25`): never day first. A day-first date (`28/02/2019`) then has month 28 and is invalid.
MONTH_FIRST_RE = r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?"
SERIAL_RE = r"^\d{5}(\.\d+)?$"
TAG_SEPARATORS = r"\s*[;；、，,/]\s*"
TOTAL_MARKERS = ("合计", "总计", "小计")


# Full-width characters (０３０１, Ｘ) are folded everywhere but in names and free text, which keep
# what the clerk typed (and are only masked).
FOLDED_TYPES = {"text", "code", "grid_code", "community_code", "int", "date", "datetime", "phone", "id_number", "enum"}


# A character outside ASCII and the CJK ideographs: only such text can change under NFKC.
NFKC_VARIANT = r"[^\x00-\x7F\u3400-\u4DBF\u4E00-\u9FFF]"


# Types whose value is an expensive pure function of the cell text, computed once per distinct text: a
# register re-sent every month repeats each birth date, name and phone number about once a month.
DISTINCT_TYPES = {"date", "person_name", "phone", "enum"}
MASKED_TYPES = ("person_name", "phone", "free_text", "masked_text")  # a quarantine row shows their masked value

# What spelling variants of an enum value may differ in: width (NFKC), spaces, punctuation and
# brackets (`专属(学校)`, `专属网格-学校`), and the field's affixes around the value (`学校专属网格`).
ENUM_NOISE = r"[\s\p{P}\p{S}\p{Z}]"


def enum_key(text: str, affixes: tuple[str, ...] = ()) -> str:
    """The spelling-free form of an enum value (the Python twin of `_enum_key`, for the contract's
    own spellings)."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower()
                     if not unicodedata.category(ch).startswith(("P", "S", "Z")) and not ch.isspace())
    for _ in range(2):
        for a in sorted(affixes, key=len, reverse=True):
            if folded != a:
                folded = folded.removeprefix(a).removesuffix(a)
    return folded


def _enum_key(t: pl.Expr, affixes: tuple[str, ...]) -> pl.Expr:
    folded = t.str.normalize("NFKC").str.to_lowercase().str.replace_all(ENUM_NOISE, "")  # any letter case: APP, app
    if not affixes:
        return folded
    words = "|".join(re.escape(a) for a in sorted(affixes, key=len, reverse=True))
    # a value that is only an affix keeps it (`专属` alone is not a type, but nothing is cut to empty)
    return pl.when(folded.str.contains(f"^(?:{words})$")).then(folded).otherwise(
        folded.str.replace_all(f"^(?:{words})+|(?:{words})+$", ""))


def enum_lookup(f: Field) -> dict[str, str]:
    """Spelling-free form of every configured spelling -> canonical value."""
    return {enum_key(syn, f.affixes): canon for canon, syns in (f.values or {}).items() for syn in (canon, *syns)}


def allowed_values(f: Field) -> str:
    return "、".join(f.values or {})


def _text(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().replace("", None)


def by_value(series: pl.Series, compute: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """`compute` (a pure function of each value of `series`) once per distinct value."""
    values = series.unique().drop_nulls()
    if values.len() == 0 or values.len() > series.len() // 2:
        return compute(series)
    mapped = compute(values)
    return series.replace_strict(values, mapped, default=None, return_dtype=mapped.dtype)


def _fold(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """NFKC (full-width digits, ideographic spaces) on just the cells that can change.

    Most cells are ASCII or plain Chinese, for which NFKC is the identity: which columns hold any
    other cell is found in one pass, and in those only the rows that do are normalised (gather,
    normalise, scatter), not the whole column.
    """
    if not columns or frame.height == 0:
        return frame
    # a cell of ASCII only (the cheap test) cannot change; the others are tested with the regex
    wide = frame.select((pl.col(c).str.len_bytes() != pl.col(c).str.len_chars()).fill_null(False).alias(c)
                        for c in columns)
    changed = {}
    for c in [c for c, n in zip(columns, wide.sum().row(0)) if n]:
        rows = wide[c].arg_true()
        cells = frame[c].gather(rows)
        variant = cells.str.contains(NFKC_VARIANT)
        if not variant.any():
            continue
        rows, cells = rows.filter(variant), cells.filter(variant)
        changed[c] = frame[c].scatter(rows, cells.str.normalize("NFKC").str.strip_chars().replace("", None))
    return frame.with_columns(**changed) if changed else frame


BLANK_BUT_FIELDS, TOTALS = "_blank_but_fields", "_totals"  # what `mark_filler` leaves of the helper columns


def mark_filler(frame: pl.DataFrame) -> pl.DataFrame:
    """Replace the readers' helper columns by two flags: the cells no field maps are all empty (a lone
    space counts as empty), and the row is a totals row (合计 / 合　计 / 总计 / 小计 in one of its first
    three cells). A 序号 column makes every row of a file different: the flags do not.

    Only a cell with 计 in it can mark a totals row: the exact test runs on those rows alone.
    """
    if SHEET_ROW not in frame.columns:
        return frame
    fill = [c for c in frame.columns if c.startswith(FILL)]
    lead = [c for c in frame.columns if c.startswith(LEAD) and c != SHEET_ROW]
    sheet = pl.col(SHEET_ROW).fill_null(False)
    flags = frame.select(
        pl.all_horizontal([sheet] + [(pl.col(c).str.strip_chars().str.len_bytes() == 0).fill_null(True)
                                     for c in fill]).alias(BLANK_BUT_FIELDS),
        (sheet & pl.any_horizontal(pl.col(c).str.contains("计", literal=True).fill_null(False)
                                   for c in lead)).alias(TOTALS))
    marked = flags[TOTALS]
    if marked.any():
        rows = marked.arg_true()
        exact = frame[rows].select(pl.any_horizontal(
            pl.col(c).str.replace_all(r"\s", "").is_in(TOTAL_MARKERS).fill_null(False) for c in lead)).to_series()
        flags = flags.with_columns(marked.scatter(rows, exact))
    return frame.drop(fill + lead + [SHEET_ROW]).with_columns(flags)


def drop_filler(frame: pl.DataFrame, texts: list[str]) -> pl.DataFrame:
    """Drop blank rows (every cell empty) and totals rows, from `mark_filler`'s flags and `texts`, the
    stripped text columns of the mapped fields (null when empty)."""
    if TOTALS not in frame.columns:
        return frame
    filler = frame.select(pl.col(TOTALS) | pl.all_horizontal(
        [pl.col(BLANK_BUT_FIELDS)] + [pl.col(c).is_null() for c in texts])).to_series()
    return frame.filter(~filler) if filler.any() else frame


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
    us = t.str.extract_groups(MONTH_FIRST_RE)
    month_first = pl.concat_str([us.struct[2], us.struct[0].str.zfill(2), us.struct[1].str.zfill(2)], separator="-") + \
        " " + pl.concat_str([us.struct[3].str.zfill(2), us.struct[4].str.zfill(2),
                             us.struct[5].fill_null("0").str.zfill(2)], separator=":")
    return pl.coalesce(text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
                       month_first.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
                       _serial(t).dt.cast_time_unit("us"))


# The spellings most files use, each read by its exact format where the text is exactly that spelling
# (polars' own parser is lenient: it would take "+2025-03-05"): the value `parse_date` /
# `parse_datetime` give, at a fraction of their cost. Every other text takes the general rule.
EXACT_SPELLINGS = {
    "date": ((r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"), (r"^\d{8}$", "%Y%m%d"),
             (r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d")),
    "datetime": ((r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}$", "%Y-%m-%d %H:%M:%S"),
                 (r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$", "%Y-%m-%d %H:%M"),
                 (r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2}$", "%Y/%m/%d %H:%M:%S")),
}


def parse_dates(texts: pl.Series, kind: str) -> pl.Series:
    """`parse_date` (kind "date") or `parse_datetime` of a column of stripped texts: the usual
    spellings by their exact format, the others (few) by the general rule."""
    t = pl.col(texts.name)
    exact: pl.Expr | None = None
    for pattern, fmt in EXACT_SPELLINGS[kind]:
        value = t.str.to_date(fmt, strict=False) if kind == "date" else \
            t.str.to_datetime(fmt, strict=False, time_unit="us")
        exact = (pl.when if exact is None else exact.when)(t.str.contains(pattern)).then(value)
    frame = texts.to_frame()
    out = frame.select(exact).to_series()
    rest = out.is_null() & texts.is_not_null()
    if rest.any():
        rows = rest.arg_true()
        general = parse_date(t) if kind == "date" else parse_datetime(t)
        out = out.scatter(rows, frame[rows].select(general).to_series())
    return out


def _nulled(text: pl.Expr, f: Field) -> pl.Expr:
    """A cell whose text the field counts as no value (`nulls`: 未回访) is empty."""
    return pl.when(text.is_in(list(f.nulls))).then(None).otherwise(text) if f.nulls else text


def _t(name: str) -> pl.Expr:
    return pl.col(f"_t_{name}")


def _values(f: Field, ctx: dict) -> dict[str, pl.Expr]:
    """Stage 2: typed output columns, from the normalised text column `_t_<field>`."""
    t = _t(f.name)
    if f.type in ("code", "grid_code", "community_code"):
        return {f.name: t.str.replace_all(r"\s", "")}
    if f.type == "tags":
        return {f.name: t.str.replace_all(TAG_SEPARATORS, ";")}
    if f.type == "free_text":
        return {f.name: identity.mask_free_text(t)}
    if f.type == "masked_text":  # a hotline order's title, text and reply: numbers and caller surnames masked
        return {f.name: textmask.mask_text(t)}
    if f.type == "anonymity":  # 匿名 / 实名, never a name; 是 / 否 of a 是否匿名 column first
        yes_no = pl.when(t.is_in(["是", "Y", "y", "1"])).then(pl.lit("匿名")).when(t.is_in(["否", "N", "n", "0"])) \
            .then(pl.lit("实名"))
        return {f.name: pl.coalesce(yes_no, textmask.anonymity(t))}
    if f.type == "person_name":
        return {f.name: identity.mask_name(t)}
    if f.type == "phone":
        return {f.name: identity.mask_phone(t)}
    if f.type == "enum":
        value = _enum_key(t, f.affixes).replace_strict(enum_lookup(f), default=None, return_dtype=pl.String)
        return {f.name: pl.coalesce(value, t) if f.lenient else value}
    if f.type == "int":
        ok = t.str.contains(r"^[+-]?\d+(\.0+)?$")
        return {f.name: pl.when(ok).then(t.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))}
    if f.type == "date":
        return {f.name: parse_date(t)}
    if f.type == "datetime":
        return {f.name: parse_datetime(t)}
    if f.type == "id_number":
        return {}  # computed by identity.add_id_columns
    if f.type == "text":
        return {f.name: t}
    raise ValueError(f"unknown field type {f.type!r} in contract")


def _bound(f: Field, ctx: dict) -> pl.Expr | None:
    """The latest value a date field may take: a datetime, or an expression giving each row's bound
    (batches of files), or None."""
    limit = ctx.get(f.not_after) if f.not_after else None
    if limit is None:
        return None
    bound = limit if isinstance(limit, pl.Expr) else pl.lit(limit)
    return bound.dt.date() if f.type == "date" else bound


def _error(f: Field, ctx: dict) -> pl.Expr:
    """Stage 3: the reason code of the field's failure, or null."""
    t, v = _t(f.name), pl.col(f.name)
    error: pl.Expr = pl.lit(None, dtype=pl.String)
    if f.type == "grid_code" and ctx.get("known_grids") is not None:
        # a grid the table names but whose row was quarantined is the grid table's fault, not the row's
        error = pl.when(v.is_not_null() & ~v.is_in(ctx["known_grids"])).then(
            pl.when(v.is_in(ctx.get("quarantined_grids") or [])).then(pl.lit("grid_quarantined"))
            .otherwise(pl.lit("unknown_grid")))
    elif f.type == "community_code":
        error = pl.when(v.is_not_null() & ~v.str.contains(r"^\d{12}$")).then(pl.lit("invalid_value"))
    elif f.type == "enum" and not f.lenient:
        error = pl.when(t.is_not_null() & v.is_null()).then(pl.lit("invalid_value"))
    elif f.type == "int":
        error = pl.when(t.is_not_null() & v.is_null()).then(pl.lit("not_a_number"))
        if f.min is not None:
            error = error.fill_null(pl.when(v < f.min).then(pl.lit("invalid_value")))
        if f.max is not None:
            error = error.fill_null(pl.when(v > f.max).then(pl.lit("invalid_value")))
    elif f.type in ("date", "datetime"):
        error = pl.when(t.is_not_null() & v.is_null()).then(pl.lit("invalid_date"))
        bound = _bound(f, ctx)
        if bound is not None:
            late = "future_time" if f.not_after == "received" else "future_date"
            error = error.fill_null(pl.when(v > bound).then(pl.lit(late)))
    elif f.type == "id_number":
        error = pl.col("_id_error")
        if f.foreign_if:  # `_check` has worked out `_id_foreign` before the errors
            error = pl.when(pl.col("_id_foreign")).then(None).otherwise(error)
    if f.required:
        error = pl.when(t.is_null()).then(pl.lit("missing_required")).otherwise(error)
    return error


def _says_foreign(f: Field, contract: Contract) -> pl.Expr:
    """Whether the row's other field says the person is foreign (`foreign_if`), read as that field is
    typed: `境外人员` is the enum's 境外 as much as `境外` is."""
    other = contract.field(f.foreign_if["field"])
    value = _values(other, {})[other.name] if other.type == "enum" else _t(other.name)
    return value == f.foreign_if["value"]


def _shown(f: Field) -> pl.Expr:
    """What a quarantine row shows of the offending value: personal data only masked."""
    if f.type in MASKED_TYPES:
        return pl.col(f.name)
    if f.type == "id_number":
        return identity.mask_id(_t(f.name))
    return _t(f.name)


def _explain(frame: pl.DataFrame, failed: pl.Expr, value: pl.Expr) -> pl.DataFrame:
    """Add `_field` and `_value` of each failing row, computed on the failing rows only."""
    bad = frame["_reason"].is_not_null()
    field = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("_field")
    shown = field.alias("_value")
    if bad.any():
        rows = bad.arg_true()
        explained = frame[rows].select(_field=failed, _value=value.cast(pl.String))
        field, shown = field.scatter(rows, explained["_field"]), shown.scatter(rows, explained["_value"])
    return frame.with_columns(field, shown)


ID_KEY_COLUMNS = ("_id_full", "_id_text")  # what a duplicate is found by (an ID number's 18-digit form)
# what `_pseudonymise` leaves for the end: the ID number's hash and kind, and what it encodes
IDENTITY_COLUMNS = ("person_id", "id_kind", "region_code", "_id_birth", "_id_sex", "_id_foreign")


def _pseudonymise(frame: pl.DataFrame, key: bytes | identity.Pseudonymiser) -> pl.DataFrame:
    """Add the ID number's keyed hash, its kind and region; the other `_id_` columns go but those
    `_id_encoded` needs and the duplicate key."""
    foreign = pl.col("_id_foreign") if "_id_foreign" in frame.columns else pl.lit(False)
    frame = frame.with_columns(
        _id_plain=pl.when(foreign).then(pl.lit("F:") + pl.col("_id_text")).otherwise(pl.col("_id_full")))
    hasher = key if isinstance(key, identity.Pseudonymiser) else identity.Pseudonymiser(key)
    frame = frame.with_columns(
        person_id=hasher.digests(frame["_id_plain"]),
        id_kind=pl.when(foreign).then(pl.lit("foreign")).otherwise(pl.lit("resident_id")),
        region_code=pl.when(foreign).then(pl.col("region_code") if "region_code" in frame.columns else None)
        .otherwise(pl.col("_id_region")),
        _id_foreign=foreign)
    kept = set(IDENTITY_COLUMNS) | set(ID_KEY_COLUMNS)
    return frame.drop([c for c in frame.columns if c.startswith("_id_") and c not in kept])


def _id_encoded(landed: pl.DataFrame) -> pl.DataFrame:
    """A resident's birth date and sex are the ones the ID number encodes (a foreigner keeps the
    register's); the `_id_` columns go."""
    foreign = pl.col("_id_foreign")
    landed = landed.with_columns(
        **{out: pl.when(foreign).then(pl.col(out) if out in landed.columns else None).otherwise(pl.col(src))
           for out, src in {"birth_date": "_id_birth", "sex": "_id_sex"}.items()})
    return landed.drop([c for c in landed.columns if c.startswith("_id_")])


def validate(table_frame: pl.DataFrame, contract: Contract, ctx: dict, key: bytes | identity.Pseudonymiser,
             group: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into (landed, quarantined); blank and totals rows are in neither (they are not
    data). `ctx` holds month_end/file_end and known_grids.

    `group` names a column that tells the files of a batch apart: it is carried into both results
    and duplicates are only looked for inside a group.

    A register is re-sent every month, so a year's batch holds each row about twelve times: the
    distinct rows (grouped by a hash of their cells, `_groups`) are checked once without the per-row
    date bounds, and each row takes its distinct row's result by position; only rows with a date past
    their own bound are checked again, whole. Duplicates are found on a number per distinct key.
    """
    carry = ([group] if group else []) + ([SHEET] if SHEET in table_frame.columns else [])  # a row's own sheet
    fields = contract.fields
    table_frame = mark_filler(table_frame)
    bounds = {k: v for k, v in ctx.items() if isinstance(v, pl.Expr)}
    row_cols = list(dict.fromkeys([ROW, *carry, *(n for v in bounds.values() for n in v.meta.root_names())]))
    cells = [c for c in table_frame.columns if c not in row_cols]
    values = [f.name for f in fields if f.type != "id_number"]
    id_fields = [f for f in fields if f.type == "id_number"]
    # a duplicate is a second row of a file with the same key (every value when there is no key)
    dup_key = [pl.coalesce("_id_full", "_id_text") if k == "id_number" else pl.col(k) for k in contract.key] or \
        [pl.col(c) for c in values]
    groups = _groups(table_frame.select(cells)) if _repeats(table_frame, contract) else None
    if groups is not None:
        ids, firsts = groups
        distinct = table_frame.select(cells)[firsts].with_row_index("_u")
        checked = _identify(_check(distinct, contract, {k: v for k, v in ctx.items() if k not in bounds}), contract,
                            key)
        checked = checked.with_columns(_k=pl.struct(dup_key).rank("dense"))
        wanted = [*values, *IDENTITY_COLUMNS, "_k", "_reason", "_field", "_value"]
        # each row takes its distinct row's result; rows whose distinct row is blank or totals go
        at = np.full(len(firsts), -1, dtype=np.int64)
        at[checked["_u"].to_numpy()] = np.arange(checked.height)
        at = at[ids.to_numpy()]
        kept = at >= 0
        rows = table_frame.select(row_cols).with_row_index("_pos")
        if not kept.all():
            rows, at = rows.filter(pl.Series(kept)), at[kept]
        frame = rows.hstack(checked.select(c for c in wanted if c in checked.columns)[at].get_columns())
        frame = _check_bounds(frame, contract, ctx, table_frame)
    else:
        frame = _identify(_check(table_frame, contract, ctx), contract, key)
    ok = pl.col("_reason").is_null()
    same = [pl.col("_k")] if groups is not None else dup_key
    dup = frame.select(ok & ~pl.struct(ok.alias("_ok"), *carry, *same).is_first_distinct()).to_series()
    if dup.any():  # few rows: set on those only
        rows = dup.arg_true()
        n = len(rows)
        frame = frame.with_columns(
            frame["_reason"].scatter(rows, pl.repeat("duplicate_row", n, eager=True)),
            frame["_field"].scatter(rows, pl.repeat(contract.key_field, n, eager=True)),
            frame["_value"].scatter(rows, pl.repeat(None, n, dtype=pl.String, eager=True)))
    id_cols = list(IDENTITY_COLUMNS) if id_fields else []
    frame = frame.select(*carry, ROW, *values, *id_cols, "_reason", "_field", "_value")  # before filtering: narrower
    quarantined = frame.filter(pl.col("_reason").is_not_null()).select(
        *carry, pl.col(ROW).alias("source_row"), pl.col("_field").alias("field"), pl.col("_value").alias("value"),
        pl.col("_reason").alias("reason_code"), _reason_text(contract), _record_key(contract))
    landed = frame.filter(pl.col("_reason").is_null()).select(*carry, ROW, *values, *id_cols)
    if id_fields:
        landed = _id_encoded(landed)
    return landed.rename({ROW: "source_row"}), quarantined


def _reason_text(contract: Contract) -> pl.Expr:
    """The clerk's sentence for each quarantined row (`ROW_REASONS`): a value outside an enum lists what
    is allowed, a broken rule names its fields by their titles."""
    reasons = ROW_REASONS
    plain = {k: v for k, v in reasons.items() if "{" not in v}  # a rule's text is filled in with its fields below
    text = pl.col("_reason").replace_strict(plain, default=OTHER_REASON)
    enums = {f.name: ALLOWED_VALUES.format(reason=reasons["invalid_value"], values=allowed_values(f))
             for f in contract.fields if f.type == "enum" and f.values}
    if enums:
        listed = pl.col("_field").replace_strict(enums, default=None, return_dtype=pl.String)
        text = pl.when(pl.col("_reason") == "invalid_value").then(pl.coalesce(listed, text)).otherwise(text)
    for rule in contract.rules:  # the row's field is the rule's later one
        if rule["name"] in reasons:
            named = reasons[rule["name"]].format(earlier=contract.field(rule["earlier"]).title,
                                                 later=contract.field(rule["later"]).title)
            broken = (pl.col("_reason") == rule["name"]) & (pl.col("_field") == rule["later"])
            text = pl.when(broken).then(pl.lit(named)).otherwise(text)
    return text.alias("reason")


def _record_key(contract: Contract) -> pl.Expr:
    """Which record a quarantined row is, by its key (`grid_code` of a grid): none for a key of
    personal data (an ID number never leaves ingest in clear)."""
    keys = [contract.field(k) for k in contract.key]
    if not keys or any(f.type in ("id_number", "person_name", "phone") for f in keys):
        return pl.lit(None, pl.String).alias("record_key")
    return pl.concat_str([pl.col(f.name).cast(pl.String) for f in keys], separator="|").alias("record_key")


def _identify(frame: pl.DataFrame, contract: Contract, key: bytes | identity.Pseudonymiser) -> pl.DataFrame:
    """Pseudonymise the checked rows' ID numbers (a source without one is left as it is)."""
    if not any(f.type == "id_number" for f in contract.fields):
        return frame
    return _pseudonymise(frame, key)


def _repeats(frame: pl.DataFrame, contract: Contract) -> bool:
    """Whether the rows repeat enough to check the distinct ones only: the key's cells repeat."""
    keys = [k for k in contract.key if k in frame.columns]
    return bool(keys) and frame.height >= 1000 and frame.select(keys).n_unique() * 2 <= frame.height


def _groups(cells: pl.DataFrame) -> tuple[pl.Series, pl.Series] | None:
    """Rows with equal cells: each row's group number and the first row of each group, found by a
    64-bit hash of the row. A second hash under another seed must agree (within a group every row
    hashes alike): a collision merging two different rows would show there, and then None is
    returned (the caller checks every row).
    """
    hashes = cells.hash_rows()
    firsts = hashes.is_first_distinct().arg_true()
    ids = hashes.replace_strict(hashes.gather(firsts), pl.int_range(len(firsts), dtype=pl.UInt32, eager=True))
    if pl.DataFrame({"g": ids, "h": cells.hash_rows(seed=1)}).n_unique() != len(firsts):
        return None
    return ids, firsts


def _check_bounds(frame: pl.DataFrame, contract: Contract, ctx: dict, raw: pl.DataFrame) -> pl.DataFrame:
    """Check again, with every rule, the rows with a date past their own bound (they are few); `_pos`
    is each row's place in `raw`, the input."""
    late = [pl.col(f.name) > _bound(f, ctx) for f in contract.fields
            if f.type in ("date", "datetime") and _bound(f, ctx) is not None]
    if not late:
        return frame
    # lazily, so that a bound the fields share is worked out once (common subexpressions)
    hit = frame.lazy().select(pl.any_horizontal(late).fill_null(False)).collect().to_series()
    if not hit.any():
        return frame
    rows = hit.arg_true()
    again = _check(raw[frame["_pos"].gather(rows)], contract, ctx)
    return frame.with_columns(frame[c].scatter(rows, again[c]) for c in ("_reason", "_field", "_value"))


def _apart(f: Field, texts: pl.Series, value: pl.Expr) -> pl.Series:
    """A field's typed column from its texts (`value` is its expression in `_values`)."""
    if f.type in EXACT_SPELLINGS:
        def compute(s: pl.Series) -> pl.Series:
            return parse_dates(s, f.type)
    else:
        def compute(s: pl.Series) -> pl.Series:
            return s.to_frame().select(value).to_series()
    return by_value(texts, compute) if f.type in DISTINCT_TYPES else compute(texts)


def _check(table_frame: pl.DataFrame, contract: Contract, ctx: dict) -> pl.DataFrame:
    """Type every field and find each row's first failure (`_reason`, `_field`, `_value`); the input's
    columns stay. Blank and totals rows are dropped."""
    fields = contract.fields
    frame = table_frame.with_columns(
        **{f"_t_{f.name}": _nulled(_text(f.name), f) if f.name in table_frame.columns else pl.lit(None, pl.String)
           for f in fields})
    frame = drop_filler(frame, [f"_t_{f.name}" for f in fields if f.name in table_frame.columns])
    frame = _fold(frame, [f"_t_{f.name}" for f in fields if f.type in FOLDED_TYPES and f.name in table_frame.columns])
    defaults = [_t(f.name).fill_null(pl.lit(f.default)) for f in fields if f.default is not None]
    if defaults:  # after the blank rows are gone: a default does not make a blank row data
        frame = frame.with_columns(defaults)
    id_fields = [f for f in fields if f.type == "id_number"]
    if id_fields:
        frame = identity.add_id_columns(frame, f"_t_{id_fields[0].name}")
        foreign_if = id_fields[0].foreign_if
        foreign = (_says_foreign(id_fields[0], contract) & pl.col("_id_passport")) if foreign_if \
            else pl.lit(False)
        frame = frame.with_columns(_id_foreign=foreign.fill_null(False))
    values = {k: v for f in fields for k, v in _values(f, ctx).items()}
    # columns worked out on their own, before the rest are typed in one pass: dates by their exact
    # spelling first, and per distinct value for the types whose values repeat
    apart = {f.name: _apart(f, frame[f"_t_{f.name}"], values[f.name]) for f in fields
             if (f.type in DISTINCT_TYPES or f.type in EXACT_SPELLINGS) and f.name in table_frame.columns}
    frame = frame.with_columns(*(v.alias(k) for k, v in apart.items()),
                               **{k: v for k, v in values.items() if k not in apart})
    errors = [(f.name, _error(f, ctx)) for f in fields]
    if "_invalid_json" in frame.columns:
        errors.insert(0, ("_" + JSON_LINE, pl.when(pl.col("_invalid_json")).then(pl.lit("invalid_json"))))
    shown = {f.name: _shown(f) for f in fields}
    reason = pl.coalesce([e for _, e in errors])
    failed = pl.coalesce([pl.when(e.is_not_null()).then(pl.lit(n.lstrip("_"))) for n, e in errors])
    value = pl.coalesce([pl.when(e.is_not_null()).then(shown[n]) for n, e in errors if n in shown])
    frame = _explain(frame.with_columns(_reason=reason), failed, value)
    for rule in contract.rules:
        a, b = pl.col(rule["earlier"]), pl.col(rule["later"])
        broken = pl.col("_reason").is_null() & (b < a)
        frame = frame.with_columns(
            _reason=pl.when(broken).then(pl.lit(rule["name"])).otherwise("_reason"),
            _field=pl.when(broken).then(pl.lit(rule["later"])).otherwise("_field"),
            _value=pl.when(broken).then(shown[rule["later"]]).otherwise("_value"))
    return frame


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = map(int, month.split("-"))
    start = dt.datetime(y, m, 1)
    nxt = dt.datetime(y + (m == 12), m % 12 + 1, 1)
    return start, nxt - dt.timedelta(microseconds=1)
