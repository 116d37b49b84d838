"""JSON Lines exports of the event system: one object per line, English or Chinese keys.

The fast path decodes every line at once with polars; a line cut off by a broken export is flagged
(`_invalid_json`) and the others still decoded. Odd key spellings, or lines that are valid JSON but
not objects, go to the tolerant path (DuckDB's JSON functions), which normalises the keys.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from .contracts import Contract, normalize_header
from .errors import FileRejected
from .table import ROW, RawTable


def read_jsonl(path: Path, contract: Contract) -> RawTable:
    """Each line a JSON object; keys may be the event system's English or Chinese names."""
    if path.stat().st_size == 0:
        raise FileRejected("empty", f"文件“{path.name}”是空文件，请重新导出。")
    lines = pl.read_csv(path, has_header=False, separator="\x1f", quote_char=None, infer_schema=False,
                        new_columns=["line"]).with_row_index(ROW, offset=1)
    lines = lines.filter(pl.col("line").str.strip_chars().str.len_chars() > 0)
    if lines.height == 0:
        raise FileRejected("empty", f"文件“{path.name}”没有任何记录，请重新导出。")
    frame = _jsonl_fast(lines, contract)
    if frame is None:
        frame = _jsonl_line_by_line(lines, contract)
    return RawTable(frame, None, path.stem)


def _json_valid(lines: pl.DataFrame) -> pl.Series:
    """Which lines are valid JSON (DuckDB's json_valid over the whole column)."""
    con = duckdb.connect()  # readers run in threads: a connection of their own
    try:
        con.register("lines", lines.select("line"))
        return con.sql("select json_valid(line) as ok from lines").pl().to_series().fill_null(False)
    finally:
        con.close()


def _jsonl_fast(lines: pl.DataFrame, contract: Contract) -> pl.DataFrame | None:
    """Decode every line at once (polars); a broken line (a cut-off export) is flagged, not decoded.

    None when a line is valid JSON but not an object, or the keys need the tolerant path.
    """
    keys = list(dict.fromkeys(k for f in contract.fields for k in (f.name, *f.aliases)))
    schema = pl.Struct({k: pl.String for k in keys})

    def decode(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(ROW, pl.col("line").str.json_decode(schema).struct.unnest())

    invalid = pl.lit(False)
    try:
        decoded = decode(lines)
    except pl.exceptions.PolarsError:
        # Some line is broken: decode the lines that look like objects, else the ones DuckDB finds valid;
        # the others keep their row number with every field empty.
        text = pl.col("line").str.strip_chars()
        try:
            good = decode(lines.filter(text.str.starts_with("{") & text.str.ends_with("}")))
        except pl.exceptions.PolarsError:
            ok = _json_valid(lines)
            if ok.all():
                return None
            try:
                good = decode(lines.filter(ok))
            except pl.exceptions.PolarsError:
                return None
        decoded = lines.select(ROW).join(good, on=ROW, how="left", maintain_order="left")
        invalid = ~pl.col(ROW).is_in(good[ROW].implode())
    columns = {}
    for f in contract.fields:
        present = [k for k in (f.name, *f.aliases) if decoded[k].null_count() < decoded.height]
        if present:
            columns[f.name] = pl.coalesce(present)
    if not set(contract.required) <= set(columns):
        return None  # odd key spellings: let the tolerant path normalise them
    return decoded.select(pl.col(ROW).cast(pl.Int64), invalid.alias("_invalid_json"), **columns)


def _jsonl_line_by_line(lines: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Tolerant path (DuckDB JSON functions): invalid lines are flagged, keys are normalised."""
    aliases = contract.alias_map()
    con = duckdb.connect()  # the rare path: a connection of its own (readers run in threads)
    con.register("lines", lines)
    keys = [k for (k,) in con.sql(
        "select distinct unnest(json_keys(line)) from lines where json_valid(line)").fetchall()]
    by_field: dict[str, list[str]] = {}
    for k in sorted(keys):
        if normalize_header(k) in aliases:
            by_field.setdefault(aliases[normalize_header(k)], []).append(k)
    selects = ", ".join(
        "coalesce({}) as \"{}\"".format(
            ", ".join("json_extract_string(j, '$.\"{}\"')".format(k.replace("'", "''")) for k in ks), f)
        for f, ks in by_field.items())
    frame = con.sql(
        f"select {ROW}::BIGINT as {ROW}, not json_valid(line) as _invalid_json"
        + (f", {selects}" if selects else "")
        + f" from (select *, case when json_valid(line) then line end as j from lines) order by {ROW}").pl()
    con.close()
    return frame
