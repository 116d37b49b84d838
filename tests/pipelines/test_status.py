"""`gridpulse status`: files per source, month and community, the runs, and the snapshot's age."""

from __future__ import annotations

from pipelines.cli.commands import main
from pipelines.cli.status import by_community, community_names, expected_communities, files
from pipelines.ingest.lake import read_ledger


def test_status_shows_what_arrived_from_whom_and_when(one_go, capsys):
    paths = one_go.paths
    capsys.readouterr()
    main(["--raw", str(paths.raw), "--data", str(paths.data), "status", "--month", "2025-03"])
    out = capsys.readouterr().out
    names = community_names("510116003")
    codes = read_ledger(paths.ledger)["community_code"].drop_nulls().unique().to_list()
    assert codes and all(names[c] in out for c in codes)
    for text in ("实有人口台账", "巡查走访日志", "事件流转日志", "2025-03", "已入库", "拒收", "补录", "成功", "服务快照"):
        assert text in out, text
    assert "31/31 天" in out  # every day of March has its case log


def test_status_lists_each_communitys_files_with_their_times(one_go):
    view, expected = files(one_go.paths), expected_communities(one_go.paths)
    assert len(expected) == 3
    rows = by_community(view, "2025-03", expected, "510116003")
    assert {r["community_code"] for r in rows} >= set(expected)
    for row in rows:
        if row["community_code"] in expected:
            assert row["patrols"] and all(f["received_at"] is not None for f in row["patrols"])
