"""`gridpulse check FILE…`: what ingest would make of files, without writing anything (a dry run).

The files go through the same reading, locating, validation and placement as a run
(`Ingestor.place`) against the current lake and ledger, opened read-only: nothing is written to the
lake, the ledger, the warehouse or the key file. For a header ingest could not place, the nearest
known alias is named with the contract line that would add it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from pathlib import Path

import polars as pl

from pipelines.core import texts
from pipelines.core.settings import Paths
from pipelines.ingest.contracts import SOURCES, Contract, contract_dir, normalize_header
from pipelines.ingest.errors import FileRejected, rejection
from pipelines.ingest.readers import read_file
from pipelines.ingest.run import Ingestor, RawFile

EXAMPLES = 3  # quarantined rows shown per reason
NEAR = 0.6  # how alike a header and an alias must be to be named as a near miss
IGNORED = {"序号", "备注"}  # headers forms carry that no field needs: never a near miss


def check_files(paths: Paths, files: list[Path], source: str | None = None) -> list[dict]:
    """One result per file: its source, community, months and rows to land or quarantine (by reason,
    with examples), or its rejection; `hints` for headers that no field names."""
    ingestor = Ingestor(paths, readonly=True)
    try:
        return [check_file(ingestor, Path(f), source) for f in files]
    finally:
        ingestor.key.close()


def check_file(ingestor: Ingestor, path: Path, source: str | None = None) -> dict:
    result = {"file": path.name, "source": source}
    if not path.is_file():
        return result | _rejected(rejection("not_found", str(path)))
    source = source or guess_source(path, ingestor.contracts)
    if isinstance(source, FileRejected):  # no kind of data can read it, for the same reason
        return result | _rejected(source)
    if source is None:
        titles = "、".join(texts.SOURCE_TITLES[s] for s in SOURCES)
        return result | _rejected(rejection("unknown_source", path.name, titles=titles))
    data = path.read_bytes()
    f = RawFile(source, path, f"{source}/{path.name}", hashlib.sha256(data).hexdigest(),
                dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0))
    result["source"] = source
    twin = ingestor.copies(f.sha256)
    if twin:  # the same bytes were ingested already, under this name or another
        return result | {"status": "duplicate", "reject_code": None,
                         "message": texts.LEDGER["duplicate_check"].format(file=twin[0])}
    prepared, rejected, entry = ingestor.dry_read(f)
    contract = ingestor.contracts[source]
    if prepared is None:  # rejected or a copy of a file already in the ledger
        result |= {k: entry[k] for k in ("status", "reject_code", "message")}
        if rejected:
            result["hints"] = hints(contract, rejected.unmapped or _jsonl_keys(path, contract), rejected.missing)
        return result
    placed = ingestor.place(source, [prepared])
    if not placed.read[0]:
        return result | _rejected(rejection("empty", path.name))
    pieces = placed.pieces.get(0, [])
    return result | {
        "status": "superseded" if 0 in placed.superseded else "landed",
        "communities": sorted({s for _, s in pieces if s and s.isdigit() and len(s) == 12} |
                              ({prepared.community} if prepared.community else set())),
        "months": sorted({m for m, _ in pieces}),
        "rows_read": placed.read[0], "rows_landed": placed.landed_n[0], "rows_quarantined": placed.quarantined_n[0],
        "rows_already_landed": placed.already_n[0],
        "quarantined": _reasons(placed.quarantined, contract),
        "hints": hints(contract, prepared.table.unmapped, ()),
    }


def _rejected(exc: FileRejected) -> dict:
    return {"status": "rejected", "reject_code": exc.code, "message": exc.message}


def guess_source(path: Path, contracts: dict[str, Contract]) -> str | FileRejected | None:
    """The source a file is for: its folder under raw/, else the contract whose header it fits best;
    when every contract rejects it for one reason (corrupt, empty), that rejection."""
    for part in reversed(path.parent.parts):
        if part in SOURCES:
            return part
    best, score = None, 0
    rejections = []
    suffix = path.suffix.lower().lstrip(".")
    for source in [s for s in SOURCES if suffix in contracts[s].formats or (suffix == "json" and
                                                                           "jsonl" in contracts[s].formats)]:
        try:
            table = read_file(path, contracts[source])
        except FileRejected as exc:
            rejections.append(exc)
            if exc.code not in ("missing_column", "empty"):
                continue
            fit = 1  # a header it recognises, short of a required column or of rows
        else:
            fit = 2 + len([c for c in table.frame.columns if not c.startswith("_")])
        if fit > score:
            best, score = source, fit
    if best is None and rejections and len({r.code for r in rejections}) == 1 and rejections[0].code != "no_header":
        return rejections[0]
    return best


def _reasons(quarantined: pl.DataFrame, contract: Contract) -> dict[str, dict]:
    labels = contract.field_titles()
    out = {}
    for (code,), rows in quarantined.sort("source_row").partition_by("reason_code", as_dict=True,
                                                                     maintain_order=True).items():
        examples = rows.head(EXAMPLES).select(
            "source_row", pl.col("field").replace_strict(labels, default=pl.col("field")), "value")
        out[code] = {"reason": rows["reason"][0], "rows": rows.height,
                     "examples": [dict(zip(("row", "field", "value"), r)) for r in examples.iter_rows()]}
    return out


def hints(contract: Contract, unmapped: tuple[str, ...] | list[str], missing: tuple[str, ...]) -> list[dict]:
    """For each header no field names, the nearest alias (when near enough, or when a required field
    lacks its column) and the contract line that would make ingest read it. The nearest alias of a
    Chinese header is a Chinese one, and a canonical field name is never offered as a header."""
    aliases = [(normalize_header(a), f) for f in contract.fields for a in f.aliases]
    out = []
    for header in dict.fromkeys(h for h in unmapped if h and h not in IGNORED):
        candidates = [(a, f) for a, f in aliases if header.isascii() or not a.isascii()]
        scored = [(difflib.SequenceMatcher(None, header, a).ratio(), a, f) for a, f in candidates]
        ratio, alias, field = max(scored, key=lambda s: s[0])
        if ratio < NEAR and field.name not in missing:
            continue
        line = "{{name: {}, aliases: [{}]}}".format(field.name, ", ".join([*field.aliases, header]))
        out.append({"header": header, "nearest": alias, "field": field.title, "similarity": round(ratio, 2),
                    "contract": str(contract_dir() / f"{contract.source}.yaml"), "contract_line": line,
                    "message": texts.NEAR_MISS.format(header=header, alias=alias, field=field.title, title=contract.title)})
    return out


def _jsonl_keys(path: Path, contract: Contract, lines: int = 50) -> list[str]:
    """Keys of a log's first lines that no field names (a bounded sample, for a near-miss hint only)."""
    if path.suffix.lower() not in (".jsonl", ".json"):
        return []
    known = contract.alias_map()
    keys: dict[str, None] = {}
    with open(path, "rb") as fh:
        for raw in (fh.readline() for _ in range(lines)):
            try:
                obj = json.loads(raw.decode("utf-8-sig", errors="replace"))
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update((k, None) for k in obj if normalize_header(k) not in known)
    return list(keys)
