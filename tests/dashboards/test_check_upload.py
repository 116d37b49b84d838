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

    from pipelines.config import Paths
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
