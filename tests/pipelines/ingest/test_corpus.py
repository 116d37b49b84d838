"""Every file of the corpus gives exactly the outcome documented in corpus/cases.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.core.settings import Paths
from pipelines.ingest.contracts import CONTRACT_DIR
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import Ingestor

CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
KEY = os.environ["GRIDPULSE_PII_KEY"].encode()


def _paths(tmp_path: Path) -> Paths:
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    (paths.raw / "grids").mkdir(parents=True)
    shutil.copy(CORPUS / "grids.xlsx", paths.raw / "grids" / "grids.xlsx")
    return paths


def _drop(paths: Paths, source: str, name: str, as_name: str | None = None, mtime: float | None = None) -> Path:
    target = paths.raw / source / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / name, target)
    if mtime:
        os.utime(target, (mtime, mtime))
    return target


def _quarantined(paths: Paths, rel: str) -> dict[str, list[int]]:
    frames = [pl.read_parquet(f) for f in paths.quarantine.rglob("*.parquet")]
    q = pl.concat(frames).filter(pl.col("file_path") == rel) if frames else pl.DataFrame()
    out: dict[str, list[int]] = {}
    for reason, row in q.select("reason_code", "source_row").sort("source_row").iter_rows():
        out.setdefault(reason, []).append(row)
    return out


def _reasons(paths: Paths, rel: str) -> set[str]:
    frames = [pl.read_parquet(f) for f in paths.quarantine.rglob("*.parquet")]
    return set(pl.concat(frames, how="diagonal_relaxed").filter(pl.col("file_path") == rel)["reason"].to_list())


def _landed(paths: Paths, source: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(f) for f in sorted((paths.lake / source).glob("month=2*/*.parquet"))])


def test_corpus_has_at_least_25_documented_cases():
    assert len(CASES) >= 37
    assert all(case["why"] for case in CASES)
    named = {c["file"] for c in CASES if c.get("file")} | {b["file"] for c in CASES for b in c.get("before", ())}
    assert named <= {p.name for p in CORPUS.iterdir()}


def _lake_months(paths: Paths, source: str) -> list[str]:
    return sorted(p.parent.name.removeprefix("month=") for p in (paths.lake / source).glob("month=*/*.parquet"))


def _no_file_case(case: dict, paths: Paths) -> None:
    """A source none of whose files arrived: nothing in the ledger, only the typed empty anchor."""
    Ingestor(paths).run()
    assert read_ledger(paths.ledger).filter(pl.col("source") == case["source"]).height == 0
    assert _lake_months(paths, case["source"]) == ["0000-00"]


@pytest.mark.parametrize("case", CASES, ids=[c.get("file") or c["why"] for c in CASES])
def test_corpus_file_outcome(case, tmp_path):
    paths = _paths(tmp_path)
    if not case.get("file"):
        return _no_file_case(case, paths)
    for i, before in enumerate(case.get("before", ())):  # received earlier, ingested in the same run
        _drop(paths, before["source"], before["file"], mtime=1_740_000_000 + i)
    _drop(paths, case["source"], case["file"], mtime=1_740_000_100 if case.get("before") else None)
    Ingestor(paths).run()
    ledger = read_ledger(paths.ledger).filter(pl.col("file_path") == f"{case['source']}/{case['file']}")
    assert ledger.height == 1
    row = ledger.row(0, named=True)
    assert row["status"] == case["status"], row["message"]
    if case["status"] == "rejected":
        assert row["reject_code"] == case["reject_code"]
        assert case["message"] in row["message"]
        assert case["file"] in row["message"]  # the clerk is told which file
        if case.get("lake") == "anchor_only":
            assert _lake_months(paths, case["source"]) == ["0000-00"]
        return
    assert (row["rows_read"], row["rows_landed"]) == (case["read"], case["landed"])
    assert row["rows_already_landed"] == case.get("already", 0)
    assert row["rows_quarantined"] == case["read"] - case["landed"] - case.get("already", 0)
    assert _quarantined(paths, row["file_path"]) == case.get("quarantined", {})
    if "months" in case:
        assert row["months"].split(",") == case["months"]
        assert _lake_months(paths, case["source"]) == case.get("lake_months", case["months"])
    if "reason" in case:
        assert case["reason"] in _reasons(paths, row["file_path"])
    landed = _landed(paths, case["source"]).filter(pl.col("source_file") == row["file_path"])
    assert landed.height == case["landed"]
    for column, values in case.get("values", {}).items():
        assert sorted(landed[column].unique().to_list()) == values, column
    if "communities" in case:
        assert sorted(landed["community_code"].unique().to_list()) == case["communities"]
        # the ledger's pieces: (month, community) of each landed row; '' for rows no community placed
        assert sorted({p.split(":")[1] for p in row["pieces"].split(",")} - {""}) == case["communities"]
    if "registered_date" in case:
        assert set(landed["registered_date"].to_list()) == {dt.date.fromisoformat(case["registered_date"])}
    if "sheet" in case:
        assert row["sheet"] == case["sheet"]
    if "source_rows" in case:
        assert landed["source_row"].to_list() == case["source_rows"]
    if "room" in case:
        assert landed["room"][0] == case["room"]
    if case["source"] == "population" and "communities" not in case:
        assert landed["community_code"].unique().to_list() == ["510116003001"]
        assert landed["report_month"].unique().to_list() == ["2025-03"]


def test_fifteen_digit_id_gets_the_same_pseudonym_as_its_18_digit_form(tmp_path):
    paths = _paths(tmp_path)
    _drop(paths, "population", "id_15_digits.xlsx")
    Ingestor(paths).run()
    landed = _landed(paths, "population").sort("source_row")
    from tests.pipelines.ingest.build_corpus import P1

    assert landed["person_id"][0] == hmac.new(KEY, P1.encode(), hashlib.sha256).hexdigest()
    assert landed["birth_date"][0] == dt.date(1980, 1, 1) and landed["sex"][0] == "男"


def test_same_file_twice_is_recognised(tmp_path):
    paths = _paths(tmp_path)
    _drop(paths, "population", "title_rows.xlsx", mtime=1_740_000_000)
    _drop(paths, "population", "title_rows.xlsx", as_name="title_rows_副本.xlsx", mtime=1_740_100_000)
    Ingestor(paths).run()
    ledger = read_ledger(paths.ledger).sort("received_at")
    assert ledger.filter(pl.col("source") == "population")["status"].to_list() == ["landed", "duplicate"]
    assert _landed(paths, "population").height == 3
    assert Ingestor(paths).run() == []  # a re-run skips files already seen


def test_corrected_resubmission_replaces_the_slice(tmp_path):
    paths = _paths(tmp_path)
    _drop(paths, "population", "title_rows.xlsx", mtime=1_740_000_000)
    Ingestor(paths).run()
    _drop(paths, "population", "bad_checksum.xlsx", as_name="通济桥街社区2025年3月_更正.xlsx", mtime=1_740_100_000)
    Ingestor(paths).run()
    ledger = read_ledger(paths.ledger).filter(pl.col("source") == "population").sort("received_at")
    assert ledger["status"].to_list() == ["superseded", "landed"]
    landed = _landed(paths, "population")
    assert landed.height == 2 and set(landed["source_file"]) == {"population/通济桥街社区2025年3月_更正.xlsx"}
    assert list(_quarantined(paths, "population/通济桥街社区2025年3月_更正.xlsx")) == ["invalid_id_checksum"]


def test_a_new_alias_is_configuration_only(tmp_path, monkeypatch):
    paths = _paths(tmp_path)
    source = CORPUS / "header_aliases.xlsx"
    import fastexcel  # noqa: F401  (the file is rewritten with an alias no contract knows yet)
    import xlsxwriter

    grid = pl.read_excel(source, has_header=False, read_options={"header_row": None})
    odd = paths.raw / "population" / "odd.xlsx"
    odd.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(odd)
    ws = wb.add_worksheet("台账")
    for r, values in enumerate(grid.rows()):
        ws.write_row(r, 0, ["居民身份证号" if v == "证件号码" else v for v in values])
    wb.close()
    Ingestor(paths).run()
    assert read_ledger(paths.ledger).filter(pl.col("source") == "population")["reject_code"].to_list() == [
        "missing_column"]
    contracts = tmp_path / "contracts"
    shutil.copytree(CONTRACT_DIR, contracts)
    spec = (contracts / "population.yaml").read_text(encoding="utf-8")
    (contracts / "population.yaml").write_text(spec.replace("证件号码, 身份证", "证件号码, 居民身份证号, 身份证"),
                                               encoding="utf-8")
    monkeypatch.setenv("GRIDPULSE_CONTRACTS", str(contracts))
    Ingestor(paths).run(force=True)
    row = read_ledger(paths.ledger).filter(pl.col("file_path") == "population/odd.xlsx").row(0, named=True)
    assert (row["status"], row["rows_landed"]) == ("landed", 3)


def _register_csv(paths: Paths, name: str, lines: list[list], mtime: float) -> Path:
    from tests.pipelines.ingest.build_corpus import HEADER

    target = paths.raw / "population" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(",".join(map(str, r)) for r in [HEADER, *lines]) + "\n", encoding="utf-8")
    os.utime(target, (mtime, mtime))
    return target


def test_a_file_of_blank_and_totals_rows_only_is_empty_and_so_is_its_copy(tmp_path):
    """Blank and totals rows are dropped over the whole batch; a file left with none is rejected as
    empty, and a copy of it in the same run is rejected with it (not called a duplicate of a rejection)."""
    from tests.pipelines.ingest.build_corpus import HEADER

    paths = _paths(tmp_path)
    filler = [[""] * len(HEADER), ["合　计", "", "", "", "", "", "", "", "", "", "", "", ""], [" "] * len(HEADER)]
    _register_csv(paths, "通济桥街社区_实有人口_2025-03.csv", filler, 1_740_000_000)
    _register_csv(paths, "通济桥街社区_实有人口_2025-03_副本.csv", filler, 1_740_000_100)
    outcomes = {o["file_path"]: o for o in Ingestor(paths).run(sources=("grids", "population"))}
    population = [o for p, o in outcomes.items() if p.startswith("population/")]
    assert [(o["status"], o["reject_code"], o["rows_read"]) for o in population] == [("rejected", "empty", 0)] * 2
    assert all("没有数据行" in o["message"] for o in population)
    assert not list((paths.lake / "population").glob("month=2025-03/*.parquet"))


def test_a_correction_in_the_same_run_supersedes_the_first_file_before_it_lands(tmp_path):
    from tests.pipelines.ingest.build_corpus import P1, P2, rows

    paths = _paths(tmp_path)
    first = rows()
    first[1][2] = P2[:-1] + ("0" if P2[-1] != "0" else "1")  # a bad checksum: quarantined
    _register_csv(paths, "通济桥街社区_实有人口_2025-03.csv", first, 1_740_000_000)
    _register_csv(paths, "通济桥街社区_实有人口_2025-03_更正.csv", rows()[:2], 1_740_000_100)
    Ingestor(paths).run()
    ledger = read_ledger(paths.ledger).filter(pl.col("source") == "population").sort("received_at")
    assert ledger.select("status", "rows_read", "rows_landed", "rows_quarantined").rows() == [
        ("superseded", 3, 2, 1), ("landed", 2, 2, 0)]
    landed = _landed(paths, "population")
    assert landed.height == 2 and set(landed["source_file"]) == {"population/通济桥街社区_实有人口_2025-03_更正.csv"}
    assert landed["slice_key"].n_unique() == 1 and landed["slice_key"].to_list() == landed["community_code"].to_list()
    assert _quarantined(paths, "population/通济桥街社区_实有人口_2025-03.csv") == {}
    hashes = {hmac.new(KEY, p.encode(), hashlib.sha256).hexdigest() for p in (P1, P2)}
    assert set(landed["person_id"]) == hashes


def test_a_part_no_landed_file_names_is_swept_at_start(tmp_path):
    """A run that stopped after writing a part but before its ledger leaves an orphan: the next run
    removes it and ingests the file again, so its rows are in the lake once."""
    paths = _paths(tmp_path)
    _drop(paths, "population", "title_rows.xlsx")
    Ingestor(paths).run()
    landed = _landed(paths, "population")
    part = next((paths.lake / "population").glob("month=2025-03/part-*.parquet"))
    orphan = part.with_name("part-0000000000000000.parquet")
    shutil.copy(part, orphan)  # as if a crashed run had written it
    (paths.quarantine / "population" / "month=2025-03").mkdir(parents=True, exist_ok=True)
    qorphan = paths.quarantine / "population" / "month=2025-03" / orphan.name
    shutil.copy(part, qorphan)
    Ingestor(paths).run()
    assert not orphan.exists() and not qorphan.exists() and part.exists()
    assert _landed(paths, "population").height == landed.height == 3


def test_a_copy_of_an_empty_file_in_a_later_batch_is_rejected_too(tmp_path, monkeypatch):
    """With one file per batch, the first file is found empty (its batch landed) before its copy is
    read: the copy is rejected as empty as well, not recorded as a duplicate of a rejected file."""
    from pipelines.ingest import run
    from tests.pipelines.ingest.build_corpus import HEADER

    monkeypatch.setattr(run, "BATCH_ROWS", 1)
    paths = _paths(tmp_path)
    blank = [[""] * len(HEADER)] * 2
    _register_csv(paths, "通济桥街社区_实有人口_2025-03.csv", blank, 1_740_000_000)
    _register_csv(paths, "通济桥街社区_实有人口_2025-03_副本.csv", blank, 1_740_000_100)
    outcomes = [o for o in Ingestor(paths).run(sources=("grids", "population")) if o["source"] == "population"]
    assert [(o["status"], o["reject_code"], o["duplicate_of"]) for o in outcomes] == [("rejected", "empty", None)] * 2


def test_a_lake_from_before_parts_still_reads_and_is_not_swept(tmp_path):
    """A lake written before parts holds one file per slice, named after it, and a ledger without
    `lake_part`: the ledger reads with the slice key as part, the next run keeps the file, and the
    gate reads the slice's rows."""
    from quality.batches import list_batches, read_batch

    paths = _paths(tmp_path)
    _drop(paths, "population", "title_rows.xlsx")
    Ingestor(paths).run()
    entry = read_ledger(paths.ledger).filter(pl.col("source") == "population").row(0, named=True)
    month_dir = paths.lake / "population" / f"month={entry['report_month']}"
    legacy = month_dir / f"{entry['slice_key']}.parquet"
    (month_dir / f"{entry['lake_part']}.parquet").rename(legacy)
    pl.read_parquet(paths.ledger).drop("lake_part").write_parquet(paths.ledger)
    assert read_ledger(paths.ledger).filter(pl.col("source") == "population")["lake_part"].to_list() == [
        entry["slice_key"]]
    assert Ingestor(paths).run() == [] and legacy.exists()
    batch = next(b for b in list_batches(paths, street="510116003") if b.source == "population")
    assert read_batch(paths, batch).height == entry["rows_landed"] == 3


def test_a_failed_part_write_loses_nothing_and_the_next_run_lands_each_row_once(tmp_path, monkeypatch):
    """A write that fails mid-batch (a full disk, a crash) fails the run before the ledger names
    anything it wrote: the next run sweeps the parts and the half-written file, ingests the files
    again and lands each row once."""
    from pipelines.ingest import lake, run
    from tests.pipelines.ingest.build_corpus import rows

    paths = _paths(tmp_path)
    for i, month in enumerate(("2025-03", "2025-04")):
        _register_csv(paths, f"通济桥街社区_实有人口_{month}.csv", rows(date=f"{month}-05"), 1_740_000_000 + i)
    real = lake.write_atomic

    def fail_april(frame, path):
        if "population" in path.parts and "month=2025-04" in path.parts and "_quarantine" not in path.parts:
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(path.with_name(f".{path.name}.tmp"))  # half-way through
            raise OSError(28, "No space left on device")
        real(frame, path)

    monkeypatch.setattr(run.lake, "write_atomic", fail_april)
    with pytest.raises(OSError, match="No space left"):
        Ingestor(paths).run()
    assert list((paths.lake / "population").glob("month=2025-03/*.parquet"))  # written, but named nowhere
    assert read_ledger(paths.ledger).filter(pl.col("source") == "population").height == 0
    monkeypatch.setattr(run.lake, "write_atomic", real)

    ingestor = Ingestor(paths)  # sweeps what the failed run left
    assert not list((paths.lake / "population").rglob("*.parquet")) and not list(paths.lake.rglob("*.tmp"))
    outcomes = [o for o in ingestor.run() if o["source"] == "population"]
    assert [(o["status"], o["rows_landed"]) for o in outcomes] == [("landed", len(rows()))] * 2
    landed = _landed(paths, "population")
    assert landed.height == 2 * len(rows())
    assert landed.group_by("report_month").len().sort("report_month").rows() == [("2025-03", 3), ("2025-04", 3)]


def test_a_community_register_replaces_only_its_own_part_of_a_street_wide_register(tmp_path):
    paths = _paths(tmp_path)
    _drop(paths, "population", "street_register.xlsx", mtime=1_740_000_000)  # 通济桥街社区 2 rows, 菜蔬街社区 1
    Ingestor(paths).run()
    _drop(paths, "population", "title_rows.xlsx", mtime=1_740_100_000)  # 通济桥街社区's own March register, 3 rows
    Ingestor(paths).run()
    landed = _landed(paths, "population")
    assert sorted(landed.group_by("community_code", "source_file").len().rows()) == [
        ("510116003001", "population/title_rows.xlsx", 3), ("510116003004", "population/street_register.xlsx", 1)]
    ledger = {r["file_path"]: r for r in read_ledger(paths.ledger).filter(pl.col("source") == "population").to_dicts()}
    street = ledger["population/street_register.xlsx"]
    assert (street["status"], street["rows_read"], street["rows_landed"]) == ("landed", 1, 1)
    assert "替换" in street["message"]
    assert street["pieces"] == "2025-03:510116003004"


def test_logs_read_again_with_force_land_each_step_once(tmp_path):
    paths = _paths(tmp_path)
    _drop(paths, "cases", "事件导出_20250301-20250310.jsonl", mtime=1_740_000_000)
    _drop(paths, "cases", "事件导出_20250305-20250315.jsonl", mtime=1_740_100_000)
    Ingestor(paths).run()
    Ingestor(paths).run(force=True)
    steps = _landed(paths, "cases")
    assert steps.height == 4 and steps.select("case_id", "step_at", "action").is_unique().all()
    ledger = read_ledger(paths.ledger).filter(pl.col("source") == "cases").sort("received_at")
    assert ledger.select("rows_landed", "rows_already_landed").rows() == [(3, 0), (1, 2)]
