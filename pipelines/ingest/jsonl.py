"""JSON Lines exports of the event system: one object per line, English or Chinese keys.

A line cut off by a broken export is flagged (`_invalid_json`) and the others are still decoded.
The usual export (UTF-8, no blank line) is decoded whole by polars' NDJSON reader, its cut-off
lines replaced by `{}` in the bytes first. Otherwise the file is split into numbered lines and the
fast path decodes them at once with polars. Odd key spellings, or lines that are valid JSON but
not objects, go to the tolerant path (DuckDB's JSON functions), which normalises the keys.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.ingest.contracts import Contract, normalize_header
from pipelines.ingest.encoding import BOM, decode_text
from pipelines.ingest.errors import rejection
from pipelines.ingest.table import ROW, RawTable


def read_jsonl(path: Path, contract: Contract) -> RawTable:
    """Each line a JSON object; keys may be the event system's English or Chinese names."""
    raw = path.read_bytes()
    if not raw:
        raise rejection("empty:no_lines", path.name)
    frame = _jsonl_whole(raw, contract)
    if frame is None:
        lines = _lines(raw, path)
        if lines.height == 0:
            raise rejection("empty:no_records", path.name)
        frame = None if _odd_keys(raw, contract) else _jsonl_fast(lines, contract)
        if frame is None:
            frame = _jsonl_line_by_line(lines, contract)
    if frame.height and frame["_invalid_json"].all():
        raise rejection("corrupt:jsonl", path.name)
    return RawTable(frame, None, path.stem)


JSON_KEY = r'"(?:[^"\\]|\\.){1,64}"\s*:'


def _odd_keys(raw: bytes, contract: Contract) -> bool:
    """Whether some line names a field by a key the fast paths do not know (`t ime`, `Time`, an
    escaped `\\u65f6\\u95f4`): then the tolerant path, which normalises every key, reads the file."""
    try:
        text = decode_text(raw)
    except UnicodeDecodeError:
        return False  # undecodable: `_lines` rejects it
    found = pl.Series([text]).str.extract_all(JSON_KEY).explode().unique().drop_nulls()
    keys = found.str.replace(r'^"', "").str.replace(r'"\s*:$', "").to_list()
    known, aliases = set(_keys(contract)), contract.alias_map()
    return any(k not in known and ("\\" in k or normalize_header(k) in aliases) for k in keys)


def _printable(b: np.ndarray) -> np.ndarray:
    """ASCII bytes other than spaces and control characters."""
    return (b > ord(" ")) & (b < 0x7F)


def _object_lines(raw: bytes) -> tuple[bytes, np.ndarray] | None:
    """The file's bytes (a BOM dropped) with every line that does not look like a JSON object (a
    cut-off export) replaced by `{}`, and those lines' numbers (from 0); vectorised over the bytes.

    None (read line by line instead) when a line is blank or shorter than two bytes, or when a line
    that is not an object starts or ends with a space or a non-ASCII byte (stripping could change
    what it looks like).
    """
    data = np.frombuffer(raw, dtype=np.uint8, offset=len(BOM) if raw.startswith(BOM) else 0)  # no copy
    if len(data) and data[-1] == ord("\n"):
        data = data[:-1]
    breaks = np.flatnonzero(data == ord("\n"))
    if not len(data) or (len(breaks) and breaks[-1] == len(data) - 1):
        return None  # empty, or ends in a blank line
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks - 1, [len(data) - 1]])
    ends = ends - (data[ends] == ord("\r"))  # CR LF
    if (ends - starts < 1).any():
        return None
    first, last = data[starts], data[ends]
    bad = (first != ord("{")) | (last != ord("}"))
    if not bad.any():
        return data.tobytes(), np.flatnonzero(bad)
    if not (_printable(first[bad]) & _printable(last[bad])).all():
        return None
    out = data.copy()
    out[starts[bad]], out[starts[bad] + 1] = ord("{"), ord("}")
    # the rest of each such line goes: the positions [start + 2, end] of every one, in one array
    lo, n = starts[bad] + 2, ends[bad] - starts[bad] - 1
    gone = np.arange(n.sum()) + np.repeat(lo - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
    keep = np.ones(len(data), dtype=bool)
    keep[gone] = False
    return out[keep].tobytes(), np.flatnonzero(bad)


def _jsonl_whole(raw: bytes, contract: Contract) -> pl.DataFrame | None:
    """The usual export read whole by polars' NDJSON reader, a cut-off line flagged: None unless
    the file is UTF-8, `_object_lines` can number its lines, each line that looks like an object
    is one and no line names a field by a key the reader does not know (`_odd_keys`, looked for
    only when the file holds more keys than the reader found values: the usual export does not)."""
    lines = _object_lines(raw)
    if lines is None:
        return None
    data, broken = lines
    try:
        decoded = pl.read_ndjson(io.BytesIO(data), schema=dict.fromkeys(_keys(contract), pl.String),
                                 row_index_name=ROW, row_index_offset=1)
    except pl.exceptions.PolarsError:
        return None
    found = decoded.height * (decoded.width - 1) - sum(decoded.drop(ROW).null_count().row(0))
    if data.count(b'":') - data.count(b'":null') > found and _odd_keys(raw, contract):
        return None
    invalid = pl.col(ROW).is_in(pl.Series(broken + 1, dtype=pl.UInt32).implode()) if len(broken) else pl.lit(False)
    return _fields(decoded, invalid, contract)


def _lines(raw: bytes, path: Path) -> pl.DataFrame:
    """The file's lines that are not blank, numbered from 1 (split by polars, not in Python)."""
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as exc:
        raise rejection("encoding:jsonl", path.name) from exc
    lines = pl.Series("line", [text.removesuffix("\n")]).str.split("\n").explode()
    if "\r" in text:
        lines = lines.str.strip_suffix("\r")
    return lines.to_frame().with_row_index(ROW, offset=1).filter(pl.col("line").str.contains(r"\S"))


def _keys(contract: Contract) -> list[str]:
    return list(dict.fromkeys(k for f in contract.fields for k in (f.name, *f.aliases)))


def _fields(decoded: pl.DataFrame, invalid: pl.Expr, contract: Contract) -> pl.DataFrame | None:
    """The contract's fields from the decoded keys (a field's first spelling present wins); None when
    a required field is under no known key."""
    columns = {}
    nulls = decoded.null_count().row(0, named=True)
    for f in contract.fields:
        present = [k for k in (f.name, *f.aliases) if nulls[k] < decoded.height]
        if present:
            columns[f.name] = pl.coalesce(present) if len(present) > 1 else pl.col(present[0])
    if not set(contract.required) <= set(columns):
        return None  # odd key spellings: let the tolerant path normalise them
    return decoded.select(pl.col(ROW).cast(pl.Int64), invalid.alias("_invalid_json"), **columns)


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
    schema = pl.Struct(dict.fromkeys(_keys(contract), pl.String))

    def decode(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(ROW, pl.col("line").str.json_decode(schema).struct.unnest())

    # a broken line (a cut-off export) does not look like an object: the others are decoded at once
    text = pl.col("line").str.strip_chars()
    looks = lines.select(text.str.starts_with("{") & text.str.ends_with("}")).to_series()
    good = None
    try:
        if looks.all():
            return _fields(decode(lines), pl.lit(False), contract)
        good = decode(lines.filter(looks))
    except pl.exceptions.PolarsError:
        pass
    if good is None:  # a line that looks like an object is not one: the lines DuckDB finds valid
        ok = _json_valid(lines)
        if ok.all():
            return None
        try:
            good = decode(lines.filter(ok))
        except pl.exceptions.PolarsError:
            return None
    # the other lines keep their row number with every field empty
    decoded = lines.select(ROW).join(good, on=ROW, how="left", maintain_order="left")
    invalid = ~pl.col(ROW).is_in(good[ROW].implode())
    return _fields(decoded, invalid, contract)


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
