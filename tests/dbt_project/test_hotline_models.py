"""Issue #17, acceptance 3: the hotline marts of the hand-built fixture (fixture.py, HOTLINE_FILES),
worked out by hand.

The fixture's 13 orders (H1–H13; H2 in two versions) tell their story beside each row. Working
days come from chinese-calendar (Friday 8 Aug → Monday 11 Aug is 1 working day; Saturday 9 Aug is
no working day, so a reply the same day is 0; 30 Sep → 9 Oct is 1 across National Day). Residents
are the fixture registers' 在住 + 外出: 通济桥街 (C1) 7 in each month, 菜蔬街 (C2) 3 in August and
October and no register in September, the street 10, 7 (C1 only) and 10.

Rates: 响应率 = replied within 24 h / orders, 解决率 = 已办结 / orders, 满意率 = (满意 + 基本满意) /
evaluated (满意, 基本满意, 不满意; 未回访 or none is not evaluated); each null when its denominator is 0.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import duckdb
import pytest

from tests.dbt_project.fixture import C1, C2, G21, STREET, new_warehouse, write_hotline_anchor

AUG, SEP, OCT = dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1)
HOTLINE_MARTS = ("kpi_hotline_community_monthly", "kpi_hotline_street_monthly", "kpi_hotline_topics_monthly")
COLUMNS = ("orders", "residents", "orders_per_10k_residents", "response_rate", "resolution_rate", "satisfaction_rate",
           "median_reply_working_days", "repeat_share", "unplaced_orders", "placement_rate")
N = None
# C1 August: H1 H2 H3 H12 H13. In time: H1 (6 h), H12 (2 h); late: H2 (48 h), H3 (66 h), H13 (48 h) → 2/5.
#   Resolved: all but H13 (处理中) → 4/5. Evaluated H1 满意, H2 不满意, H3 基本满意 → 2/3.
#   Working days 0, 2, 1, 0, 2 → median 1. Repeats H2 (of H1), H12 (of H3) → 2/5. No grid: H3 → 1, 4/5.
# C2 August: H4 (in time, resolved, not evaluated, 0 working days), H6 (corrected in, no reply, 处理中).
# Street August: the 7 above + H5 (unplaced: in time, resolved, 满意, 0) + H7 (street only: 23 h in time,
#   已退回, 不满意, 1) → in time 5/9, resolved 6/9, satisfied 3 of 5 evaluated; working days
#   0 0 0 0 1 1 2 2 → median 0.5; repeats 2/9; without a community H5, H7 → 2, 7/9.
# September: C1 H8 (in time, 满意, 0, repeat of H2), H9 (late, 满意, 1, repeat of H8); C2 H10 (in time,
#   未回访, 0; no register → no residents). Street: 3 orders, 7 residents (C1 only), median of 0 1 0 = 0.
# October: C1 H11 (no reply yet, 待回复, not a repeat: 31 days after H9); C2 no order → zeros and null rates.
EXPECTED = {
    ("community", C1, AUG): (5, 7, 5e4 / 7, 2 / 5, 4 / 5, 2 / 3, 1, 2 / 5, 1, 4 / 5),
    ("community", C2, AUG): (2, 3, 2e4 / 3, 1 / 2, 1 / 2, N, 0, 0, 0, 1),
    ("street", STREET, AUG): (9, 10, 9000, 5 / 9, 6 / 9, 3 / 5, 0.5, 2 / 9, 2, 7 / 9),
    ("community", C1, SEP): (2, 7, 2e4 / 7, 1 / 2, 1, 1, 0.5, 1, 0, 1),
    ("community", C2, SEP): (1, N, N, 1, 1, N, 0, 0, 0, 1),
    ("street", STREET, SEP): (3, 7, 3e4 / 7, 2 / 3, 1, 1, 0, 2 / 3, 0, 1),
    ("community", C1, OCT): (1, 7, 1e4 / 7, 0, 0, N, N, 0, 0, 1),
    ("community", C2, OCT): (0, 3, 0, N, N, N, N, N, 0, N),
    ("street", STREET, OCT): (1, 10, 1000, 0, 0, N, N, 0, 0, 1),
}


def same(actual, expected) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, (str, bool)):
        return actual == expected
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


def mart_row(warehouse, level: str, code: str, month: dt.date) -> dict:
    rows = warehouse.query(f"select * from marts.kpi_hotline_{level}_monthly where {level}_code = ? and month_start = ?",
                           [code, month])
    assert len(rows) == 1, (level, code, month, len(rows))
    return rows[0]


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}-{k[2]:%Y-%m}")
def test_rates_per_10k_median_repeat_share_and_placement_equal_the_hand_computation(warehouse, key):
    row = mart_row(warehouse, *key)
    wrong = {c: (row[c], e) for c, e in zip(COLUMNS, EXPECTED[key]) if not same(row[c], e)}
    assert wrong == {}


def test_residents_are_those_of_the_area_kpi_marts(warehouse):
    for level in ("community", "street"):
        rows = warehouse.query(f"select h.residents as hotline, k.residents as kpi from marts.kpi_hotline_{level}_monthly h "
                               f"inner join marts.kpi_{level}_monthly k using ({level}_code, month_start)")
        assert rows and all(r["hotline"] == r["kpi"] for r in rows)


def test_every_community_of_the_street_is_listed_for_every_month_with_orders(warehouse):
    communities = warehouse.query("select count(*) as n from marts.dim_communities")[0]["n"]
    rows = warehouse.query("select month_start, count(*) as n, sum(orders) as orders "
                           "from marts.kpi_hotline_community_monthly group by month_start order by month_start")
    assert [(r["month_start"], r["n"], r["orders"]) for r in rows] == [
        (AUG, communities, 7), (SEP, communities, 3), (OCT, communities, 1)]


# order: (topic, subtopic, topic source, reply hours, reply working days, in time, resolved, evaluated,
#         satisfied, repeat of)
ORDERS = {
    "H1": ("噪音扰民", "施工噪音", "keyword", 6, 0, True, True, True, True, None),  # 夜间施工
    "H2": ("噪音扰民", "施工噪音", "keyword", 48, 2, False, True, True, False, "H1"),  # 工地; the later version
    "H3": ("交通停车", "停车收费", "keyword", 66, 1, False, True, True, True, None),  # 停车收费
    "H4": ("城市管理", "占道经营", "export", 9, 0, True, True, False, False, None),  # export category over 路灯
    "H5": ("民生服务", "社保医保", "keyword", 2, 0, True, True, True, True, None),
    "H6": (None, None, "none", None, None, False, False, False, False, None),
    "H7": ("环境卫生", "油烟", "keyword", 23, 1, True, False, True, False, None),  # 烧烤油烟
    "H8": ("噪音扰民", "生活噪音", "keyword", 1, 0, True, True, True, True, "H2"),  # 30 days after H1: in the window
    "H9": ("噪音扰民", "施工噪音", "keyword", 210, 1, False, True, True, True, "H8"),
    "H10": ("供水", "停水", "keyword", 2, 0, True, True, False, False, None),
    "H11": ("噪音扰民", "施工噪音", "keyword", None, None, False, False, False, False, None),  # 31 days after H9
    "H12": ("交通停车", "停车收费", "keyword", 2, 0, True, True, False, False, "H3"),  # same place words as H3
    "H13": ("噪音扰民", "施工噪音", "keyword", 48, 2, False, False, False, False, None),  # another estate
}
ORDER_COLUMNS = ("topic", "subtopic", "topic_source", "reply_hours", "reply_working_days", "is_responded_in_time",
                 "is_resolved", "is_evaluated", "is_satisfied", "repeat_of_order_id")


def test_each_order_gets_its_topic_delays_flags_and_repeat(warehouse):
    rows = {r["order_id"]: r for r in warehouse.query("select * from marts.fct_hotline_orders")}
    assert sorted(rows) == sorted(ORDERS)
    wrong = {(order, c): (rows[order][c], e) for order, expected in ORDERS.items()
             for c, e in zip(ORDER_COLUMNS, expected) if not same(rows[order][c], e)}
    assert wrong == {}
    assert {o for o, r in rows.items() if r["is_repeat"]} == {o for o, e in ORDERS.items() if e[-1]}


def test_the_latest_version_of_an_order_wins(warehouse):
    """H2 landed twice: 处理中 in the quarterly export, 已办结 in the update received later."""
    [h2] = warehouse.query("select * from marts.fct_hotline_orders where order_id = 'H2'")
    assert (h2["status"], h2["replied_at"], h2["satisfaction"], h2["versions_landed"]) == (
        "已办结", dt.datetime(2025, 8, 7, 10, 0), "不满意", 2)


def test_the_latest_manual_correction_overrides_the_placement(warehouse):
    [h6] = warehouse.query("select * from marts.fct_hotline_orders where order_id = 'H6'")
    assert (h6["street_code"], h6["community_code"], h6["grid_code"]) == (STREET, C2, G21)
    assert (h6["place_method"], h6["is_place_corrected"], h6["machine_community_code"]) == ("manual", True, C1)
    assert h6["place_confidence"] == 1.0


def test_an_unplaced_order_counts_for_the_street_and_in_unplaced_orders(warehouse):
    rows = {r["order_id"]: r for r in warehouse.query(
        "select order_id, street_code, community_code, counted_street_code, is_placed from marts.fct_hotline_orders "
        "where order_id in ('H5', 'H7')")}
    assert rows["H5"]["street_code"] is None and rows["H7"]["street_code"] == STREET
    assert all(r["counted_street_code"] == STREET and not r["is_placed"] for r in rows.values())
    street = mart_row(warehouse, "street", STREET, AUG)
    communities = warehouse.query("select sum(orders) as orders from marts.kpi_hotline_community_monthly "
                                  "where month_start = ?", [AUG])[0]["orders"]
    assert street["orders"] == communities + street["unplaced_orders"] == 9


def test_a_grid_case_number_links_the_order_to_its_case(warehouse):
    rows = {r["order_id"]: (r["case_id"], r["grid_case_id"]) for r in warehouse.query(
        "select order_id, case_id, grid_case_id from marts.fct_hotline_orders where case_id is not null")}
    assert rows == {"H4": ("K11", "K11"), "H5": ("K99", None)}


def test_topics_mart_counts_orders_by_place_month_and_topic(warehouse):
    rows = {(r["community_code"], r["month_start"], r["topic"], r["subtopic"]): r["orders"]
            for r in warehouse.query("select * from marts.kpi_hotline_topics_monthly where street_code = ?", [STREET])}
    assert rows == {
        (C1, AUG, "噪音扰民", "施工噪音"): 3, (C1, AUG, "交通停车", "停车收费"): 2,
        (C1, SEP, "噪音扰民", "生活噪音"): 1, (C1, SEP, "噪音扰民", "施工噪音"): 1, (C1, OCT, "噪音扰民", "施工噪音"): 1,
        (C2, AUG, "城市管理", "占道经营"): 1, (C2, AUG, None, None): 1, (C2, SEP, "供水", "停水"): 1,
        (None, AUG, "民生服务", "社保医保"): 1, (None, AUG, "环境卫生", "油烟"): 1,
    }
    total = warehouse.query("select count(*) as n from marts.fct_hotline_orders")[0]["n"]
    assert sum(rows.values()) == total == 13


def test_the_settings_seed_sets_the_limits(warehouse, tmp_path):
    """response_limit_hours and repeat_window_days are read from the seed hotline_settings: with 72
    hours H2, H3 and H13 are in time too; with a 7-day window only H2 (a day after H1) and H12 (under
    7 days after H3) are repeats."""
    copy = new_warehouse(tmp_path, lake_from=warehouse.paths.lake)
    copy.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    copy.paths.warehouse.write_bytes(warehouse.paths.warehouse.read_bytes())
    con = duckdb.connect(str(copy.paths.warehouse))
    con.execute("update reference.hotline_settings set value = '72' where name = 'response_limit_hours'")
    con.execute("update reference.hotline_settings set value = '7' where name = 'repeat_window_days'")
    con.close()
    copy.build("run", "--select", "int_hotline__orders+")
    rows = {r["order_id"]: r for r in copy.query("select * from marts.fct_hotline_orders")}
    assert {o for o, r in rows.items() if r["is_responded_in_time"]} == {
        "H1", "H2", "H3", "H4", "H5", "H7", "H8", "H10", "H12", "H13"}
    assert {o for o, r in rows.items() if r["is_repeat"]} == {"H2", "H12"}


@pytest.mark.parametrize("lake_state", ["anchor only", "no hotline folder"])
def test_a_lake_without_hotline_parts_builds_empty_hotline_marts(tmp_path, lake_state):
    empty = new_warehouse(tmp_path)
    shutil.rmtree(empty.paths.lake / "hotline")
    shutil.rmtree(empty.paths.data / "corrections")
    if lake_state == "anchor only":
        write_hotline_anchor(empty.paths.lake)
    empty.build("build", "--indirect-selection", "cautious", "--select", *(f"+{m}" for m in HOTLINE_MARTS))
    for table in ("fct_hotline_orders", *HOTLINE_MARTS):
        assert empty.query(f"select count(*) as n from marts.{table}") == [{"n": 0}], table
    assert empty.query("select count(*) as n from marts.dim_communities")[0]["n"] > 0  # the street is still there
