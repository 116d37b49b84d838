"""`gridpulse check FILE…`: what ingest would make of files, and nothing written anywhere."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.core.settings import ROOT, Paths
from pipelines.ingest.run import Ingestor

CORPUS = Path(__file__).parent / "corpus"


def _tree(root: Path) -> dict[str, str]:
    """Every file below `root` with the digest of its bytes (and every folder)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def _check(paths: Paths, *files: Path, source: str | None = None) -> tuple[int, list[dict]]:
    cmd = [sys.executable, "-m", "pipelines.cli", "--raw", str(paths.raw), "--data", str(paths.data), "check",
           "--json", *map(str, files), *(["--source", source] if source else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=os.environ, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _installation(tmp_path: Path) -> Paths:
    """An installation whose grid table has landed (so grids are known), and a register of March."""
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    for source, name in (("grids", "grids.xlsx"), ("population", "title_rows.xlsx")):
        (paths.raw / source).mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, paths.raw / source / name)
    Ingestor(paths).run()
    return paths


def test_check_tells_what_ingest_would_do_and_writes_nothing(tmp_path):
    paths = _installation(tmp_path)
    before = _tree(paths.data)
    files = [CORPUS / "bad_checksum.xlsx", CORPUS / "missing_id_column.xlsx", CORPUS / "事件导出_操作时间.jsonl",
             CORPUS / "华阳街道巡查走访导出_2025-03.csv"]
    code, results = _check(paths, *files)
    assert _tree(paths.data) == before  # lake, ledger, quarantine and key untouched
    assert code == 1  # one file or more would be rejected
    good, rejected, near, street = results

    assert (good["source"], good["status"], good["communities"], good["months"]) == (
        "population", "landed", ["510116003001"], ["2025-03"])
    assert (good["rows_read"], good["rows_landed"], good["rows_quarantined"]) == (3, 2, 1)
    assert good["quarantined"] == {"invalid_id_checksum": {
        "reason": "身份证号码校验位错误", "rows": 1,
        "examples": [{"row": 4, "field": "公民身份号码", "value": good["quarantined"]["invalid_id_checksum"]
                      ["examples"][0]["value"]}]}}
    assert "*" in good["quarantined"]["invalid_id_checksum"]["examples"][0]["value"]  # masked, never in clear

    assert (rejected["status"], rejected["reject_code"]) == ("rejected", "missing_column")
    assert "缺少必填列：公民身份号码" in rejected["message"]

    assert (near["source"], near["reject_code"]) == ("cases", "missing_column")
    assert "缺少必填列：时间" in near["message"]
    hint = near["hints"][0]
    assert (hint["header"], hint["nearest"], hint["field"]) == ("操作时间", "时间", "时间")
    assert hint["contract_line"] == "{name: step_at, aliases: [time, 时间, 操作时间]}"
    assert hint["contract"].endswith("cases.yaml")

    assert (street["source"], street["rows_landed"], street["quarantined"]["unknown_grid"]["rows"]) == ("patrols", 3, 1)
    assert street["communities"] == ["510116003001", "510116003004"]


def test_check_on_a_file_already_landed_says_it_is_a_copy(tmp_path):
    paths = _installation(tmp_path)
    code, [result] = _check(paths, CORPUS / "title_rows.xlsx", source="population")
    assert code == 1 and result["status"] == "duplicate"
    assert "内容完全相同" in result["message"]


def test_check_before_any_run_creates_no_data_folder(tmp_path):
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    code, [result] = _check(paths, CORPUS / "grids.xlsx")
    assert not paths.data.exists()
    assert (code, result["source"], result["status"], result["rows_landed"]) == (0, "grids", "landed", 3)


def test_check_in_chinese_for_a_person(tmp_path):
    paths = _installation(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "--raw", str(paths.raw), "--data", str(paths.data),
                           "check", str(CORPUS / "bad_checksum.xlsx")], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "可入库" in proc.stdout and "隔离 1 行：身份证号码校验位错误" in proc.stdout
