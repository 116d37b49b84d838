"""Placing a file in a community when the installation covers a whole district or city."""

from __future__ import annotations

import polars as pl

from pipelines.ingest.locate import _table_street, communities, find_community

CHENGDU = "5101"
# 红阳社区 exists twice in Chengdu: 大弯街道 (青白江区) and 淮口街道 (金堂县).
DAWAN, HUAIKOU = "510113002013", "510121006005"


def test_a_name_two_communities_share_is_placed_only_with_its_street():
    assert find_community("红阳社区实有人口台账（2025年3月）", CHENGDU) is None
    assert find_community("大弯街道红阳社区实有人口台账（2025年3月）", CHENGDU) == DAWAN
    assert find_community("淮口街道红阳社区_巡查走访_202503", CHENGDU) == HUAIKOU


def test_inside_one_street_the_bare_name_is_enough():
    assert find_community("红阳社区实有人口台账（2025年3月）", "510113002") == DAWAN
    assert find_community("通济桥街社区实有人口台账_2025年3月", "510116003") == "510116003001"


def test_codes_and_full_names_place_a_file_anywhere_in_the_city():
    known = communities(CHENGDU)
    assert known[DAWAN] == DAWAN
    assert len(set(known.values())) == 3047  # every community of the city is reachable
    assert "红阳社区" not in known


def test_a_grid_table_is_the_street_of_its_communities():
    frame = pl.DataFrame({"community_code": ["510116003001", "510116003004", " 510116003002"]})
    assert _table_street(frame, CHENGDU) == "510116003"
    assert _table_street(pl.DataFrame({"grid_code": ["x"]}), "510116003") == "510116003"
