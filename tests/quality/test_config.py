"""The thresholds agree with the warehouse's own parameters (one number, two places)."""

from __future__ import annotations

import polars as pl
import yaml

from pipelines.core.settings import DBT_PROJECT_DIR
from quality.config import Thresholds


def test_thresholds_match_the_warehouse_parameters():
    t = Thresholds.load()
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert t["submission"]["due_day"] == project["register_due_day"]
    assert t["population"]["resident_statuses"] == project["resident_statuses"]
    bands = pl.read_csv(DBT_PROJECT_DIR / "seeds" / "grid_size_bands.csv")
    standard = bands.filter(pl.col("grid_type") == t["grids"]["standard_grid_type"]).row(0, named=True)
    assert (standard["min_households"], standard["max_households"]) == (
        t["grids"]["households"]["min"], t["grids"]["households"]["max"])


def test_a_threshold_change_changes_every_fingerprint(tmp_path):
    changed = Thresholds.load().raw | {"version": 99}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert Thresholds.load(path).digest != Thresholds.load().digest
