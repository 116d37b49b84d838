"""Where the quality gate keeps its files, and its versioned thresholds (`thresholds.yaml`)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from pipelines.core.settings import Paths

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.yaml")
GRID_SCOPED = ("grids", "cases", "hotline")  # street-wide batches; the others are per community


@dataclass(frozen=True)
class QualityPaths:
    """The gate's files under data/: results in the lake (read by dbt), GX files under gx/uncommitted."""

    paths: Paths

    @property
    def results(self) -> Path:
        return self.paths.lake / "_quality"

    def result_slice(self, source: str, month: str, scope: str) -> Path:
        return self.results / source / f"month={month}" / f"{scope}.parquet"

    @property
    def gx_root(self) -> Path:
        return self.paths.data / "gx" / "uncommitted"

    @property
    def validations(self) -> Path:
        return self.gx_root / "validations"

    @property
    def data_docs(self) -> Path:
        return self.gx_root / "data_docs" / "local_site"

    @property
    def reports(self) -> Path:
        return self.paths.published / "quality"


@dataclass(frozen=True)
class Thresholds:
    """The parsed YAML; `digest` changes with any value, so a change re-validates every batch."""

    raw: dict

    @classmethod
    def load(cls, path: Path | None = None) -> Thresholds:
        path = path or Path(os.environ.get("GRIDPULSE_QUALITY_THRESHOLDS", THRESHOLDS_FILE))
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    @property
    def version(self) -> int:
        return int(self.raw["version"])

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]

    def quarantine_share(self, source: str) -> float:
        q = self.raw["quarantine"]
        return float((q.get("by_source") or {}).get(source, q["max_share"]))

    def quarantine_min_rows(self) -> int:
        return int(self.raw["quarantine"].get("min_rows", 1))

    def __getitem__(self, section: str) -> dict:
        return self.raw[section]
