"""The upload box of 数据质量 asks `gridpulse check` in a process of its own; nothing is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

CORPUS = Path(__file__).parents[1] / "pipelines" / "ingest" / "corpus"


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def test_uploaded_files_are_checked_by_the_command(tmp_path, monkeypatch):
    import shutil

    from pipelines.core.settings import Paths
    from pipelines.ingest.run import Ingestor

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    (paths.raw / "grids").mkdir(parents=True)
    shutil.copy(CORPUS / "grids.xlsx", paths.raw / "grids" / "grids.xlsx")
    Ingestor(paths).run()
    before = _tree(paths.data)
    monkeypatch.setenv("GRIDPULSE_DATA", str(paths.data))
    monkeypatch.setenv("GRIDPULSE_RAW", str(paths.raw))
    from dashboards.commands import check_files

    results = check_files([(name, (CORPUS / name).read_bytes())
                           for name in ("bad_checksum.xlsx", "事件导出_操作时间.jsonl", "bad_checksum.xlsx")])
    assert _tree(paths.data) == before
    first, near, again = results
    assert (first["status"], first["rows_landed"], first["rows_quarantined"]) == ("landed", 2, 1)
    assert again == first  # two uploads of one name are two files
    assert near["reject_code"] == "missing_column" and near["hints"][0]["nearest"] == "时间"


def _render(results: list[dict]):
    from streamlit.testing.v1 import AppTest

    def script(results):
        from dashboards.check_box import show

        for r in results:
            show(r)

    at = AppTest.from_function(script, args=(results,), default_timeout=30)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_results_are_shown_to_data_staff_in_chinese(tmp_path, monkeypatch):
    from pipelines.core.settings import Paths
    from pipelines.ingest.check import check_files as check

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    results = check(paths, [CORPUS / "grids.xlsx", CORPUS / "事件导出_操作时间.jsonl"])
    at = _render(results)
    assert [s.value for s in at.success] == ["可入库：社区 全街道；月份 2025-01；读取 3 行，将入库 3 行，隔离 0 行。"]
    assert at.error[0].value.startswith("不能入库（拒收）：文件“事件导出_操作时间.jsonl”缺少必填列：时间")
    assert "最接近的已知表头是“时间”" in at.info[0].value and "操作时间]}" in at.info[0].value


def test_quarantined_rows_are_shown_with_masked_examples(tmp_path):
    from pipelines.core.settings import Paths
    from pipelines.ingest.check import check_files as check

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    (paths.raw / "grids").mkdir(parents=True)
    import shutil

    from pipelines.ingest.run import Ingestor

    shutil.copy(CORPUS / "grids.xlsx", paths.raw / "grids" / "grids.xlsx")
    Ingestor(paths).run()
    at = _render(check(paths, [CORPUS / "bad_checksum.xlsx"]))
    warning = at.warning[0].value
    assert warning.startswith("隔离 1 行：身份证号码校验位错误（第4行 公民身份号码＝510")
    assert "*" in warning and not any(ch.isdigit() for ch in warning.split("＝")[1][3:-3])
