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


def test_the_name_index_finds_what_testing_every_name_finds():
    """find_community looks names up by their first two characters; over random contexts at city
    scope it gives what testing each of the ~14,000 names in turn gives (the longest name, codes too)."""
    import random

    known = communities(CHENGDU)
    names = list(known)

    def every_name(context: str) -> str | None:
        hits = [name for name in known if name in context]
        return known[max(hits, key=len)] if hits else None

    rng = random.Random(7)
    contexts = [f"{a}（2025年3月）_{rng.choice(['', b, '510116003001001'])} 台账 {rng.randint(0, 10**15)}"
                for a, b in (rng.sample(names, 2) for _ in range(1500))]
    found = [find_community(c, CHENGDU) for c in contexts]
    assert found == [every_name(c) for c in contexts]
    assert sum(f is not None for f in found) == len(contexts)
