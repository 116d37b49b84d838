"""Where GridPulse keeps its files. Every path can be moved with an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREET_CODE = os.environ.get("GRIDPULSE_STREET", "510116003")  # 华阳街道
STREET_DIGITS = 9  # a street's division code is the first 9 of its communities' 12 digits


@dataclass(frozen=True)
class Paths:
    """The file layout of one GridPulse installation (DESIGN.md §2)."""

    raw: Path
    data: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(
            raw=Path(os.environ.get("GRIDPULSE_RAW", ROOT / "raw")),
            data=Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")),
        )

    @property
    def lake(self) -> Path:
        return self.data / "lake"

    @property
    def ledger(self) -> Path:
        return self.lake / "_meta" / "ledger.parquet"

    @property
    def quarantine(self) -> Path:
        return self.lake / "_quarantine"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.data / "serving.duckdb"

    @property
    def pii_key_file(self) -> Path:
        return self.data / ".pii_key"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def lock(self) -> Path:
        return self.data / ".writer.lock"


DBT_PROJECT_DIR = ROOT / "dbt_project"
DIVISIONS_CSV = DBT_PROJECT_DIR / "seeds" / "divisions.csv"
