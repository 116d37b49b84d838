"""Acceptance 2: a blocking batch stops publish (the snapshot stays byte-identical); with only
warnings publish happens. Also: only new or changed batches are validated, and the gate works as
Dagster asset checks (blocking)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil

import duckdb
import pytest

from pipelines.core.settings import Paths
from pipelines.defs.launch import launch
from pipelines.ingest.run import Ingestor
from pipelines.publish.snapshot import publish
from quality import gate, runner
from quality.batches import list_batches
from quality.config import QualityPaths
from tests.quality.conftest import CAISHU, GAP_GRID, read_text

BLOCKED_BATCH = f"population/{CAISHU}/2025-02"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _break_ids(fields: list[str], id_col: int, every: int = 5) -> list[str]:
    """Break the ID checksum of every fifth person (their rows are quarantined: 20 % > 5 %)."""
    if fields[0].isdigit() and int(fields[0]) % every == 0 and len(fields[id_col]) == 18:
        fields[id_col] = fields[id_col][:-1] + ("0" if fields[id_col][-1] != "0" else "1")
    return fields


def _submit(paths: Paths, name: str, received: dt.datetime, broken: bool) -> None:
    """A February register for 菜蔬街社区, made from its January CSV."""
    source = paths.raw / "population" / "2025-01" / "菜蔬街社区_实有人口_2025-01.csv"
    text, _ = read_text(source)
    header, *lines = text.splitlines()
    id_col = next(i for i, h in enumerate(header.split(",")) if "身份" in h or "证件" in h)
    lines = lines if broken else lines[1:]  # (the correction also drops one person: not a byte copy of January)
    rows = [",".join(_break_ids(line.split(","), id_col) if broken else line.split(",")) for line in lines]
    target = paths.raw / "population" / "2025-02" / name
    target.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    os.utime(target, (received.timestamp(), received.timestamp()))


@pytest.fixture(scope="module")
def blocked_copy(quality_demo, tmp_path_factory):
    """A copy of the demo street where 菜蔬街社区 sends a February register with 20 % broken IDs."""
    root = tmp_path_factory.mktemp("blocked")
    paths = Paths(raw=root / "raw", data=root / "data")
    shutil.copytree(quality_demo.paths.raw, paths.raw)
    shutil.copytree(quality_demo.paths.data, paths.data)
    served = _digest(paths.serving)
    _submit(paths, "菜蔬街社区_实有人口_2025-02.csv", dt.datetime(2025, 2, 20, 10, 0), broken=True)
    Ingestor(paths).run()
    return paths, served, gate.check(paths)


def test_a_run_with_only_warnings_publishes_and_shows_them(quality_demo):
    result = quality_demo.gate
    assert result.passed and result.blocking == []
    gap = [f for f in result.warnings if f.check_name == "patrol_gap" and f.scope_code == CAISHU]
    assert gap and gap[0].report_month == "2025-02" and GAP_GRID in gap[0].examples
    con = duckdb.connect(str(quality_demo.paths.serving), read_only=True)
    try:
        shown = con.execute("select count(*) from marts.fct_check_results where not is_success and severity = 'warning' "
                            "and check_name = 'patrol_gap' and community_code = ?", [CAISHU]).fetchone()[0]
        assert con.execute("select count(*) from marts.fct_check_results where not is_success and is_blocking"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    assert shown == 1


def test_a_blocking_batch_stops_publish_and_the_snapshot_stays_byte_identical(blocked_copy):
    paths, served, result = blocked_copy
    assert not result.passed
    assert {(f.source, f.scope_code, f.report_month, f.check_name) for f in result.blocking} == {
        ("population", CAISHU, "2025-02", "quarantine_share")}
    assert result.validated == [BLOCKED_BATCH]  # nothing else changed
    with pytest.raises(gate.QualityGateFailed) as failure:
        gate.guard(result)
    assert "数据质量闸门未通过" in str(failure.value)
    assert "实有人口台账" in str(failure.value) and CAISHU in str(failure.value)
    with pytest.raises(gate.QualityGateFailed):
        launch(paths)  # a whole run stops at the gate: nothing built, nothing published
    assert _digest(paths.serving) == served
    assert not list(paths.data.glob(".serving*.tmp"))
    # the next run with nothing new still blocks: the bad batch is still in the lake
    again = gate.check(paths)
    assert again.validated == [] and not again.passed


def test_blocking_results_are_in_data_docs(blocked_copy):
    paths, _, result = blocked_copy
    index = paths.data / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert result.docs == str(index) and index.exists()
    pages = (index.parent / "validations" / "population").rglob("*.html")
    assert BLOCKED_BATCH.replace("/", "__") in {p.relative_to(index.parent).parts[2] for p in pages}
    assert BLOCKED_BATCH.replace("/", "__") in index.read_text(encoding="utf-8")


def test_data_docs_render_at_most_their_cap_of_pages(blocked_copy, tmp_path, monkeypatch):
    """Every batch is validated again; with room for one page, the page is the ledger's run, where the
    blocking quarantine share failed (the warnings are in the results, without pages)."""
    source, _, _ = blocked_copy
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    shutil.copytree(source.raw, paths.raw)
    shutil.copytree(source.data, paths.data)
    qpaths = QualityPaths(paths)
    shutil.rmtree(qpaths.results)
    shutil.rmtree(qpaths.data_docs)
    monkeypatch.setattr(runner, "DOCS_PAGES", 1)
    result = gate.check(paths)
    assert len(result.validated) == len(list_batches(paths)) and len(result.warnings) >= 1
    assert [(f.source, f.scope_code, f.check_name) for f in result.blocking] == [
        ("population", CAISHU, "quarantine_share")]
    pages = list((qpaths.data_docs / "validations").rglob("*.html"))
    assert {p.relative_to(qpaths.data_docs).parts[1] for p in pages} == {"ledger"}


def test_data_docs_pages_go_to_blocking_failures_first():
    runs = {"cases__510116003__2025-01": 1, "population__510116003004__2025-02": 0, "ledger": 1,
            "patrols__510116003001__2025-01": 0}
    assert runner.pages_to_render(runs, 3) == [
        "patrols__510116003001__2025-01", "population__510116003004__2025-02", "cases__510116003__2025-01"]
    assert runner.pages_to_render(runs, None) == runner.pages_to_render(runs, 4)
    assert runner.pages_to_render({}, 2) == []


def test_dagster_asset_check_blocks_downstream_assets(blocked_copy):
    import dagster as dg

    from pipelines.defs.quality_checks import GATE, WARNINGS, source_checks
    from pipelines.defs.resources import GridPulsePaths

    paths, _, _ = blocked_copy

    @dg.asset(key=["lake", "population"])
    def lake_population() -> None:
        return None

    @dg.asset(deps=[lake_population])
    def downstream() -> None:
        return None

    result = dg.materialize([lake_population, downstream, source_checks("population")],
                            resources={"gridpulse": GridPulsePaths(raw=str(paths.raw), data=str(paths.data))},
                            raise_on_error=False)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks[GATE] is False and WARNINGS in checks
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "downstream" not in materialized


def test_gridpulse_run_stops_at_the_gate_before_dbt_and_publish(blocked_copy, capsys):
    """The whole run (`gridpulse run`): exit code 3, the gate's findings printed, no dbt, no publish."""
    import json

    from pipelines.cli.commands import main

    paths, served, _ = blocked_copy
    with pytest.raises(SystemExit) as stopped:
        main(["--raw", str(paths.raw), "--data", str(paths.data), "run"])
    assert stopped.value.code == 3
    out = capsys.readouterr().out.replace("\n", "")
    assert "数据质量闸门未通过" in out and CAISHU in out
    assert _digest(paths.serving) == served
    last = json.loads((paths.logs / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["status"] == "blocked" and last["quality"]["blocking"]
    assert "dbt" not in last["seconds"] and "publish" not in last["seconds"]
    main(["--raw", str(paths.raw), "--data", str(paths.data), "status"])
    status = capsys.readouterr().out
    assert "质量闸门拦截" in status and f"拦截 {len(last['quality']['blocking'])} 项" in status


def test_a_corrected_resubmission_lifts_the_gate(blocked_copy):
    paths, served, _ = blocked_copy
    _submit(paths, "菜蔬街社区_实有人口_2025-02_更正.csv", dt.datetime(2025, 2, 21, 9, 0), broken=False)
    Ingestor(paths).run()
    result = gate.check(paths)
    assert result.passed and result.validated == [BLOCKED_BATCH]
    gate.guard(result)
    publish(paths)
    assert _digest(paths.serving) != served
