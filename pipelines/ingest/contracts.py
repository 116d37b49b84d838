"""Declarative source contracts (one YAML file per source under `contracts/`)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONTRACT_DIR = Path(__file__).parent / "contracts"
SOURCES = ("grids", "population", "cases", "patrols")


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


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    formats: tuple[str, ...]
    slice: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    rules: tuple[dict, ...] = field(default_factory=tuple)

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
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _field(spec: dict) -> Field:
    values = spec.get("values")
    if values is not None:
        values = {str(k): tuple(str(v) for v in vs) for k, vs in values.items()}
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
    )


def load_contract(source: str, directory: Path | None = None) -> Contract:
    """Read `<source>.yaml`; `directory` lets a deployment keep its own copies."""
    path = (directory or CONTRACT_DIR) / f"{source}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Contract(
        source=spec["source"],
        title=spec.get("title", source),
        formats=tuple(spec["formats"]),
        slice=spec["slice"],
        fields=tuple(_field(f) for f in spec["fields"]),
        key=tuple(spec.get("key", ())),
        rules=tuple(spec.get("rules", ())),
    )


def contract_dir() -> Path:
    """A deployment may keep its own contracts (extra aliases, columns) in GRIDPULSE_CONTRACTS."""
    return Path(os.environ.get("GRIDPULSE_CONTRACTS", CONTRACT_DIR))


def default_contracts() -> dict[str, Contract]:
    return {s: load_contract(s, contract_dir()) for s in SOURCES}
