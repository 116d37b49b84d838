"""One installation's settings: where its files are and which street (or city) it serves.

Every value is explicit on `Paths`; `Paths.from_env()` reads the environment when it is called
(GRIDPULSE_RAW, GRIDPULSE_DATA, GRIDPULSE_STREET), so a process can serve several installations.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STREET = "510116003"  # 华阳街道, the demo street
STREET_DIGITS = 9  # a street's division code is the first 9 of its communities' 12 digits


@dataclass(frozen=True)
class Paths:
    """The file layout of one GridPulse installation (DESIGN.md §2) and the division code of the
    street it serves (9 digits; a city's 4 or 6 digits serve all its streets)."""

    raw: Path
    data: Path
    street: str = DEFAULT_STREET

    @classmethod
    def from_env(cls) -> Paths:
        return cls(
            raw=Path(os.environ.get("GRIDPULSE_RAW", ROOT / "raw")),
            data=Path(os.environ.get("GRIDPULSE_DATA", ROOT / "data")),
            street=os.environ.get("GRIDPULSE_STREET", DEFAULT_STREET),
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
    def published(self) -> Path:
        """Files the pipeline hands out (feedback workbooks, quarterly reports); the dashboard offers them."""
        return self.data / "published"

    @property
    def pii_key_file(self) -> Path:
        return self.data / ".pii_key"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def lock(self) -> Path:
        return self.data / ".writer.lock"

    @property
    def spark(self) -> Path:
        """The Spark engine's folder: its warehouse (the models as Parquet) and its metastore."""
        return self.data / "spark"

    @property
    def spark_marts(self) -> Path:
        """The marts the Spark engine built, one Parquet folder each (published into the snapshot)."""
        return self.spark / "warehouse" / "marts.db"


# The engine the models are built on: DuckDB (one machine) or Spark (the same dbt project on a
# cluster; docs/scale-out.md). Everything before the models (ingest, the lake) and after them (the
# serving snapshot, dashboards, reports) is the same for both.
ENGINES = ("duckdb", "spark")


def engine() -> str:
    """GRIDPULSE_ENGINE, default duckdb."""
    value = os.environ.get("GRIDPULSE_ENGINE", "").strip().lower() or "duckdb"
    if value not in ENGINES:
        raise ValueError(f"GRIDPULSE_ENGINE={value!r}: expected one of {', '.join(ENGINES)}")
    return value


DBT_PROJECT_DIR = ROOT / "dbt_project"
DIVISIONS_CSV = DBT_PROJECT_DIR / "seeds" / "divisions.csv"

# DuckDB's own default memory limit is 80 % of the machine; the warehouse build shares the machine
# with the pipeline process and the page cache, so it is held to a share of it and spills the rest
# to disk (a temporary folder beside the warehouse file). GRIDPULSE_DUCKDB_MEMORY overrides it.
DUCKDB_MEMORY_SHARE = 0.4


def duckdb_memory_limit() -> str:
    """The memory limit of the warehouse's DuckDB, e.g. "9GB" on a 24 GB machine."""
    if configured := os.environ.get("GRIDPULSE_DUCKDB_MEMORY"):
        return configured
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(total * DUCKDB_MEMORY_SHARE / 2**30))}GB"
