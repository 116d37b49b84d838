"""`gridpulse run` and `backfill` are runs of the Dagster job `refresh_months` in the project's
instance (data/dagster): the run is found there with its tags, partitions and materialisations, and
the published files are written by its assets."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.cli.commands import main
from pipelines.core.settings import Paths
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.routing import current_month
from tests import handmade as hm

A = "510116003001"  # 通济桥街社区
MARCH, APRIL = "2025-03", "2025-04"


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> Paths:
    root = tmp_path_factory.mktemp("orchestrator")
    paths = Paths(raw=root / "raw", data=root / "data")
    grids = hm.grids_of([A])
    for month in (MARCH, APRIL):
        hm.write_grid_table(paths.raw, grids, month)
        hm.write_register(paths.raw, A, month, hm.people(grids[0], 6) + hm.people(grids[1], 4, first=6))
    return paths


def _cli(paths: Paths, *args: str) -> None:
    main(["--raw", str(paths.raw), "--data", str(paths.data), *args])


def _runs(paths: Paths) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(paths.data / "dagster")) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def _materialised(paths: Paths, run_id: str) -> dict[str, set[str | None]]:
    """Asset key → partitions materialised by the run."""
    with dg.DagsterInstance.from_config(str(paths.data / "dagster")) as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
        out: dict[str, set[str | None]] = {}
        for record in records:
            event = record.event_log_entry.dagster_event
            out.setdefault(event.asset_key.to_user_string(), set()).add(event.partition)
        return out


def test_gridpulse_run_is_a_dagster_run_with_its_materialisations(installation, capsys):
    paths = installation
    _cli(paths, "run")
    assert "完成" in capsys.readouterr().out
    runs = _runs(paths)
    assert len(runs) == 1
    run = runs[0]
    assert run.job_name == "refresh_months" and run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags["gridpulse/read"] == "new" and run.tags["gridpulse/trigger"] == "cli_run"
    assert run.tags["dagster/partition"] == current_month()
    done = _materialised(paths, run.run_id)
    # the files landed in March and April: those partitions are recorded beside the run's own month
    assert {MARCH, APRIL, current_month()} <= done["lake/population"]
    assert {MARCH, APRIL} <= done["lake/grids"]
    assert "serving_snapshot" in done and "published/feedback_workbooks" in done
    assert {"marts/fct_cases", "marts/dim_grids", "marts/kpi_street_monthly"} <= set(done)  # the dbt models
    # the feedback workbooks were published by the run, one per month the community submitted
    workbooks = sorted(p.relative_to(paths.published).as_posix() for p in paths.published.rglob("*.xlsx"))
    assert workbooks == [f"quality/{m}/{A}_{m}_数据报送质量反馈.xlsx" for m in (MARCH, APRIL)]
    # the command line's own record names the Dagster run
    summary = (paths.logs / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    assert run.run_id[:12] in summary or run.run_id in summary


def test_a_backfill_is_one_run_over_its_month_range(installation):
    paths = installation
    before = {r.run_id for r in _runs(paths)}
    _cli(paths, "backfill", MARCH, APRIL)
    new = [r for r in _runs(paths) if r.run_id not in before]
    assert len(new) == 1
    run = new[0]
    assert run.status == dg.DagsterRunStatus.SUCCESS and "gridpulse/read" not in run.tags
    assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) \
        == (MARCH, APRIL)
    assert _materialised(paths, run.run_id)["lake/population"] >= {MARCH, APRIL}
    with dg.DagsterInstance.from_config(str(paths.data / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["published", "feedback_workbooks"]))
    counts = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert counts["written"] + counts["unchanged"] == 2  # one workbook per community × month


def test_a_run_with_nothing_new_writes_no_workbook_and_builds_after_the_gate(installation):
    paths = installation
    stamps = {p: p.stat().st_mtime_ns for p in paths.published.rglob("*.xlsx")}
    _cli(paths, "run")
    assert {p: p.stat().st_mtime_ns for p in paths.published.rglob("*.xlsx")} == stamps
    # a selective build (only the bookkeeping models): dbt still starts after every ingest step and
    # every blocking quality check, and rebuilds far fewer models than a full build
    run = _runs(paths)[-1]
    assert run.tags.get("gridpulse/dbt") == "changed"
    with dg.DagsterInstance.from_config(str(paths.data / "dagster")) as instance:
        def order(kind):
            return {r.event_log_entry.step_key: r.storage_id
                    for r in instance.get_records_for_run(run.run_id, of_type=kind).records}
        started, succeeded = order(dg.DagsterEventType.STEP_START), order(dg.DagsterEventType.STEP_SUCCESS)
    gate = [k for k in succeeded if k.endswith("_quality") or k.startswith("lake__")]
    assert len(gate) == 2 * len(SOURCES) and all(succeeded[k] < started["warehouse_dbt_assets"] for k in gate)
    built = _materialised(paths, run.run_id)
    assert "marts/fct_files_received" in built, sorted(built)
    assert "marts/fct_residents_monthly" not in built and "intermediate/int_residents_moves" not in built


def test_a_backfill_outside_the_partitions_says_so_in_chinese(installation, capsys):
    with pytest.raises(SystemExit) as stop:
        _cli(installation, "backfill", "2019-01", "2019-02")
    assert stop.value.code == 1
    assert "不在可运行的范围内" in capsys.readouterr().out
