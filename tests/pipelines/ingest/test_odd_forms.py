"""Forms found by the fuzz test (tests/fuzz), each pinned here by a small file written by hand."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.core.settings import Paths
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.run import Ingestor
from tests.pipelines.ingest.build_corpus import G1, G3, P1, P2, P3

CORPUS = Path(__file__).parent / "corpus"
HEADER = "姓名,公民身份号码,户籍类型,所属网格,居住状态"


def _install(tmp_path: Path) -> Paths:
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    (paths.raw / "grids").mkdir(parents=True)
    shutil.copy(CORPUS / "grids.xlsx", paths.raw / "grids" / "grids.xlsx")
    return paths


def _put(paths: Paths, rel: str, data: bytes, mtime: int = 1_740_000_000) -> None:
    path = paths.raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def _ledger(paths: Paths) -> dict[str, dict]:
    return {r["file_path"]: r for r in read_ledger(paths.ledger).to_dicts()}


def _lake(paths: Paths, source: str, root: str = "lake") -> pl.DataFrame:
    files = sorted((getattr(paths, root) / source).glob("month=2*/*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed") if files else pl.DataFrame()


def test_a_foreigner_written_as_a_spelling_of_the_enum_keeps_his_passport(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "population/通济桥街社区_2025-03.csv",
         f"{HEADER}\nJOHN SMITH,E22345678,境外人员,{G1},在住\n张三,{P1},户籍,{G1},在住\n".encode())
    Ingestor(paths).run()
    row = _ledger(paths)["population/通济桥街社区_2025-03.csv"]
    assert (row["rows_landed"], row["rows_quarantined"]) == (2, 0)
    assert sorted(_lake(paths, "population")["id_kind"].to_list()) == ["foreign", "resident_id"]


def test_a_utf8_csv_cut_inside_its_last_character_keeps_its_whole_rows(tmp_path):
    paths = _install(tmp_path)
    data = f"{HEADER}\n张三,{P1},户籍,{G1},在住\n李四,{P2},户籍,{G1},在住\n".encode()
    _put(paths, "population/通济桥街社区_2025-03.csv", data[:-5])  # inside 住 of the last line
    Ingestor(paths).run()
    row = _ledger(paths)["population/通济桥街社区_2025-03.csv"]
    assert row["status"] == "landed" and row["rows_read"] == 2
    assert P1 not in _lake(paths, "population").write_csv() and row["rows_landed"] >= 1


def test_a_json_lines_export_cut_inside_its_last_character_is_still_utf8(tmp_path):
    paths = _install(tmp_path)
    lines = [f'{{"case_id":"A{i}","time":"2025-03-05 0{i}:00:00","action":"上报","level":1,"grid_code":"{G1}"}}'
             for i in range(3)]
    data = "\n".join(lines).encode()
    _put(paths, "cases/事件流转_20250305.jsonl", data[:data.rindex("上报".encode()) + 1])
    Ingestor(paths).run()
    row = _ledger(paths)["cases/事件流转_20250305.jsonl"]
    assert (row["rows_read"], row["rows_landed"]) == (3, 2)
    assert set(_lake(paths, "cases")["action"]) == {"上报"}
    assert _lake(paths, "cases", "quarantine")["reason_code"].to_list() == ["invalid_json"]


def test_row_numbers_count_the_empty_rows_above_a_table(tmp_path):
    paths = _install(tmp_path)
    path = tmp_path / "register.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.write_row(2, 0, ["通济桥街社区实有人口台账（2025年3月）"])
    sheet.write_row(3, 0, HEADER.split(","))
    for r, person in enumerate([("张三", P1), ("李四", P2[:-1] + ("0" if P2[-1] != "0" else "1"))], start=4):
        sheet.write_row(r, 0, [person[0], person[1], "户籍", G1, "在住"])
    book.close()
    _put(paths, "population/register.xlsx", path.read_bytes())
    Ingestor(paths).run()
    bad = _lake(paths, "population", "quarantine")
    assert bad.select("source_row", "reason_code").rows() == [(6, "invalid_id_checksum")]  # Excel's row 6
    assert _lake(paths, "population")["source_row"].to_list() == [5]


def test_a_key_spelled_otherwise_in_one_line_is_read(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "cases/事件流转_20250305.jsonl", (
        f'{{"case_id":"A1","t ime":"2025-03-05 09:00:00","action":"上报","level":1,"grid_code":"{G1}"}}\n'
        f'{{"case_id":"A2","time":"2025-03-05 10:00:00","action":"上报","level":1,"grid_code":"{G1}"}}\n').encode())
    Ingestor(paths).run()
    assert _ledger(paths)["cases/事件流转_20250305.jsonl"]["rows_landed"] == 2


def test_a_log_with_no_complete_line_is_rejected_as_such(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "cases/事件流转_20250305.jsonl", b'{"case_id":"A1","time":"2025-03\n{"case_id":"A2"\n')
    Ingestor(paths).run()
    row = _ledger(paths)["cases/事件流转_20250305.jsonl"]
    assert (row["status"], row["reject_code"]) == ("rejected", "corrupt")
    assert "没有一行是完整的记录" in row["message"]


def test_two_street_wide_registers_of_other_communities_keep_their_broken_rows(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "population/实有人口_2025-03.csv", f"{HEADER}\n张三,{P1},户籍,{G1},在住\n李四,123,户籍,{G1},在住\n".encode())
    _put(paths, "population/实有人口_2025-03_b.csv", f"{HEADER}\n王五,{P3},流动,{G3},在住\n赵六,456,户籍,{G3},在住\n".encode(),
         mtime=1_740_000_100)
    Ingestor(paths).run()
    ledger = _ledger(paths)
    for rel in ("population/实有人口_2025-03.csv", "population/实有人口_2025-03_b.csv"):
        row = ledger[rel]
        assert (row["status"], row["rows_read"], row["rows_landed"], row["rows_quarantined"], row["message"]) == (
            "landed", 2, 1, 1, None)
    assert _lake(paths, "population", "quarantine").height == 2


def test_a_corrected_street_wide_register_replaces_the_first_whole(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "population/实有人口_2025-03.csv", f"{HEADER}\n张三,{P1},户籍,{G1},在住\n李四,123,户籍,{G1},在住\n".encode())
    Ingestor(paths).run()
    _put(paths, "population/实有人口_2025-03_更正.csv",
         f"{HEADER}\n张三,{P1},户籍,{G1},在住\n李四,{P2},户籍,{G1},在住\n".encode(), mtime=1_740_000_100)
    Ingestor(paths).run()
    ledger = _ledger(paths)
    assert ledger["population/实有人口_2025-03.csv"]["status"] == "superseded"
    assert ledger["population/实有人口_2025-03_更正.csv"]["rows_landed"] == 2
    assert _lake(paths, "population", "quarantine").height == 0  # the first file's broken row went with it
    assert _lake(paths, "population").height == 2


def test_a_gbk_csv_cut_inside_its_last_character_keeps_its_whole_rows(tmp_path):
    paths = _install(tmp_path)
    data = f"{HEADER}\n张三,{P1},户籍,{G1},在住\n李四,{P2},户籍,{G1},外出\n".encode("gbk")
    _put(paths, "population/通济桥街社区_2025-03.csv", data[:-2])  # inside 出 of the last line
    Ingestor(paths).run()
    row = _ledger(paths)["population/通济桥街社区_2025-03.csv"]
    assert (row["status"], row["rows_read"]) == ("landed", 2)
    assert row["rows_landed"] + row["rows_quarantined"] == 2 and row["rows_landed"] >= 1
