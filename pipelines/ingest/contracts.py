"""Declarative source contracts (one YAML file per source under `contracts/`)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.core import texts

CONTRACT_DIR = Path(__file__).parent / "contracts"
SOURCES = ("grids", "population", "cases", "patrols", "hotline")
WHOLE_ROW = "*"  # the `field` of a duplicate row of a source without a key
JSON_LINE = "json"  # the `field` of a log's line that is no JSON object


def normalize_header(text: str | None) -> str:
    """Fold full-width characters and drop every space, so `姓　名 ` matches `姓名`."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] | None = None
    not_after: str | None = None
    min: int | None = None
    max: int | None = None
    foreign_if: dict | None = None  # id_number: rows where another field says the person is foreign
    default: str | None = None  # the value of a cell left empty or of a column the file lacks
    affixes: tuple[str, ...] = ()  # enum: words a spelling may add around a value (`专属`, `网格`)
    label: str | None = None  # the field's name for data clerks (default: its first Chinese alias)
    lenient: bool = False  # enum: a value no spelling matches lands as written (the gate warns) instead of quarantined
    nulls: tuple[str, ...] = ()  # cell texts that mean "no value" (`未回访` for a satisfaction not asked yet)

    @property
    def title(self) -> str:
        """How a message to a data clerk names the field: its label, else its first Chinese alias
        (a contract gives every field one or the other: `load_contract` checks)."""
        return next(t for t in (self.label, *self.aliases) if t and not t.isascii())


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    formats: tuple[str, ...]
    slice: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    rules: tuple[dict, ...] = field(default_factory=tuple)
    month_from: str | None = None  # a log: each row lands in the month of this timestamp field
    all_sheets: bool = False  # xlsx: every sheet that holds the required columns is read, not only the best one
    versioned: bool = False  # a log whose rows are versions of a record: a changed row under a landed key lands too

    @property
    def merge_key(self) -> tuple[str, ...]:
        """What tells a log's row landed before: its key, and for a versioned source also its `row_version`
        (a hash of its values), so an identical re-exported row is known and a changed one lands."""
        return (*self.key, "row_version") if self.versioned else self.key

    @property
    def is_log(self) -> bool:
        """A system export whose rows place themselves (own timestamp, own grid) and are merged by key:
        an overlapping re-export adds only the rows not landed before."""
        return self.month_from is not None

    def alias_map(self) -> dict[str, str]:
        """Normalised header text -> canonical field name (computed once per contract)."""
        cached = self.__dict__.get("_alias_map")
        if cached is not None:
            return cached
        out: dict[str, str] = {}
        for f in self.fields:
            for alias in (f.name, *f.aliases):
                out[normalize_header(alias)] = f.name
        object.__setattr__(self, "_alias_map", out)  # frozen dataclass: a cache, not state
        return out

    @property
    def required(self) -> list[str]:
        """Fields a file must have a column for (a field with a default may be left out)."""
        return [f.name for f in self.fields if f.required and f.default is None]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def key_field(self) -> str:
        """The `field` of a quarantined duplicate row: its key's fields, or the whole row (`*`)."""
        return ",".join(self.key) or WHOLE_ROW

    def field_titles(self) -> dict[str, str]:
        """Every `field` a quarantined row of this source can carry -> how a clerk's text names it:
        a field by its title, a duplicate's key by its fields' titles, a line that is no JSON object
        (`json`) and a duplicate without a key (`*`) as the whole row."""
        out = {f.name: f.title for f in self.fields}
        out[self.key_field] = "、".join(self.field(k).title for k in self.key) or texts.WHOLE_ROW
        return out | {JSON_LINE: texts.WHOLE_ROW}


def _field(spec: dict, path: Path) -> Field:
    values = spec.get("values")
    if values is not None:
        values = {str(k): tuple(str(v) for v in vs) for k, vs in values.items()}
    named = [spec.get("label"), *spec.get("aliases", ())]
    if not any(n and not str(n).isascii() for n in named):  # a clerk's text would have to name it in English
        raise ValueError(texts.CONTRACT_UNLABELLED.format(path=path, name=spec["name"]))
    return Field(
        name=spec["name"],
        type=spec["type"],
        required=bool(spec.get("required", False)),
        aliases=tuple(str(a) for a in spec.get("aliases", ())),
        values=values,
        not_after=spec.get("not_after"),
        min=spec.get("min"),
        max=spec.get("max"),
        foreign_if=spec.get("foreign_if"),
        default=None if spec.get("default") is None else str(spec["default"]),
        affixes=tuple(str(a) for a in spec.get("affixes", ())),
        label=None if spec.get("label") is None else str(spec["label"]),
        lenient=bool(spec.get("lenient", False)),
        nulls=tuple(str(v) for v in spec.get("nulls", ())),
    )


def load_contract(source: str, directory: Path | None = None) -> Contract:
    """Read `<source>.yaml`; `directory` lets a deployment keep its own copies."""
    path = (directory or CONTRACT_DIR) / f"{source}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Contract(
        source=spec["source"],
        title=spec.get("title") or texts.SOURCE_TITLES.get(spec["source"], spec["source"]),
        formats=tuple(spec["formats"]),
        slice=spec["slice"],
        fields=tuple(_field(f, path) for f in spec["fields"]),
        key=tuple(spec.get("key", ())),
        rules=tuple(spec.get("rules", ())),
        month_from=spec.get("month_from"),
        all_sheets=bool(spec.get("all_sheets", False)),
        versioned=bool(spec.get("versioned", False)),
    )


def contract_dir() -> Path:
    """A deployment may keep its own contracts (extra aliases, columns) in GRIDPULSE_CONTRACTS."""
    return Path(os.environ.get("GRIDPULSE_CONTRACTS", CONTRACT_DIR))


def default_contracts() -> dict[str, Contract]:
    return {s: load_contract(s, contract_dir()) for s in SOURCES}
