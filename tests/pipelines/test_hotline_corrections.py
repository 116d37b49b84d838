"""A 12345 order placed by hand (`gridpulse place`) is placed so in the marts by the next run, even a
run with no new files, and keeps that place on every later build."""

from __future__ import annotations

import re
import shutil

from pipelines.cli.commands import main
from pipelines.core.settings import Paths
from pipelines.core.snapshot import open_snapshot
from pipelines.defs.launch import launch


def _order(paths: Paths, order_id: str) -> tuple:
    con = open_snapshot(paths.serving)
    try:
        return con.execute("select community_code, grid_code, place_method from marts.fct_hotline_orders "
                           "where order_id = ?", [order_id]).fetchone()
    finally:
        con.close()


def _status_line(paths: Paths, capsys) -> str:
    main(["--raw", str(paths.raw), "--data", str(paths.data), "status", "--source", "hotline"])
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("12345工单：共"))


def test_a_manual_placement_reaches_the_marts_on_the_next_run(ops_raw, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(ops_raw, raw)
    paths = Paths(raw=raw, data=tmp_path / "data")
    launch(paths)
    con = open_snapshot(paths.serving)
    try:
        order_id, month = con.execute(
            "select order_id, strftime(received_at, '%Y-%m') from marts.fct_hotline_orders "
            "where community_code is null and street_code is null order by order_id limit 1").fetchone()
        community, before = con.execute(
            "select community_code, unplaced_orders from marts.kpi_hotline_street_monthly "
            "cross join (select min(community_code) as community_code from marts.dim_communities) "
            "where strftime(month_start, '%Y-%m') = ?", [month]).fetchone()
    finally:
        con.close()
    assert _order(paths, order_id) == (None, None, "none")
    unplaced = int(re.search(r"未定位 ([\d,]+) 件", _status_line(paths, capsys)).group(1).replace(",", ""))
    assert unplaced > 0

    main(["--raw", str(raw), "--data", str(paths.data), "place", order_id, community])
    assert f"未定位 {unplaced - 1:,} 件" in _status_line(paths, capsys)  # status counts the hand's placement at once
    summary = launch(paths)  # nothing new under raw/
    assert summary.files == {}
    assert _order(paths, order_id) == (community, None, "manual")
    con = open_snapshot(paths.serving)
    try:
        after = con.execute("select unplaced_orders from marts.kpi_hotline_street_monthly "
                            "where strftime(month_start, '%Y-%m') = ?", [month]).fetchone()[0]
    finally:
        con.close()
    assert after == before - 1
    launch(paths, force=True)  # a full rebuild keeps the hand's placement
    assert _order(paths, order_id) == (community, None, "manual")
