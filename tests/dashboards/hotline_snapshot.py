"""A hand-made serving snapshot for the 12345热线 page and the report's hotline section: the hotline marts (names and
columns as the hotline models write them) with a few rows whose figures are known here, on top of the few tables the
router and the sidebar read (streets, communities, grids, monthly KPIs, the coverage tables, meta.snapshot).

`add_hotline_tables` also serves the report test, which adds the hotline marts to a generated snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

STREET = ("510116003", "华阳街道")
COMMUNITIES = {"510116003001": "通济桥街社区", "510116003004": "菜蔬街社区", "510116003005": "正东街社区"}
MONTHS = [dt.date(2025, m, 1) for m in range(1, 7)]
HOTLINE_MONTHS = MONTHS[1:]  # 2025-01 has no hotline export: the page says 无数据
TOPICS = ("噪音扰民", "停车管理", "供水供气", "物业管理", "道路养护", "垃圾清运")
KPI_COLUMNS = ("residents", "grids_active", "grids_patrolled", "cases_accepted", "cases_closed", "cases_closed_on_time",
               "on_time_closure_rate")


def grid_codes(community: str) -> list[str]:
    return [f"{community}{n:03d}" for n in (1, 2)]


@dataclass
class HotlineRows:
    """The rows written, by table, for the tests to compare the page and the report with."""
    community: dict = field(default_factory=dict)  # (community_code, month) -> row dict
    street: dict = field(default_factory=dict)  # month -> row dict
    topics: list = field(default_factory=list)  # (community_code or None: unplaced, month, topic, orders)
    orders: list = field(default_factory=list)  # fct_hotline_orders rows as dicts


def _rates(row: dict) -> dict:
    orders, evaluated = row["orders"], row["orders_evaluated"]
    return row | {"response_rate": row["orders_responded_in_time"] / orders if orders else None,
                  "resolution_rate": row["orders_resolved"] / orders if orders else None,
                  "satisfaction_rate": row["orders_satisfied"] / evaluated if evaluated else None}


def add_hotline_tables(con: duckdb.DuckDBPyConnection, street: str, communities: dict[str, str],
                       months: list[dt.date], residents: dict[str, int]) -> HotlineRows:
    """Create (or replace) marts.kpi_hotline_{community,street,topics}_monthly and marts.fct_hotline_orders with rows for
    `communities` (code -> name) in `months`; `residents` (code -> residents) gives orders per 10,000."""
    rows = HotlineRows()
    for m_index, month in enumerate(months):
        total = {"orders": 0, "orders_responded_in_time": 0, "orders_resolved": 0, "orders_evaluated": 0,
                 "orders_satisfied": 0}
        for c_index, code in enumerate(communities):
            orders = 10 + 3 * c_index + m_index
            row = _rates({"orders": orders, "orders_responded_in_time": orders - 1 - c_index,
                          "orders_resolved": orders - 2, "orders_evaluated": orders - 3,
                          "orders_satisfied": orders - 4 - c_index - m_index % 2})
            row |= {"orders_per_10k_residents": orders / residents[code] * 10_000 if residents.get(code) else None,
                    "median_reply_working_days": 1.5 + 0.5 * c_index, "repeat_share": 1 / orders,
                    "unclassified_share": 0.05}
            rows.community[(code, month)] = row
            for key in total:
                total[key] += row[key]
            for t_index, topic in enumerate(TOPICS[: 3 + c_index % 3]):
                rows.topics.append((code, month, topic, max(orders - 3 * t_index - (t_index + m_index) % 3, 1)))
        unplaced = 2  # responded and resolved, not evaluated
        rows.topics.append((None, month, TOPICS[4], unplaced))
        total = {k: v + (unplaced if k in ("orders", "orders_responded_in_time", "orders_resolved") else 0)
                 for k, v in total.items()}
        rows.street[month] = _rates(total) | {
            "orders_per_10k_residents": total["orders"] / sum(residents.values()) * 10_000 if residents else None,
            "median_reply_working_days": 2.0, "repeat_share": 0.08, "unclassified_share": 0.04, "unplaced_orders": unplaced,
            "placement_rate": 1 - unplaced / total["orders"]}
    last = months[-1]
    for c_index, (code, name) in enumerate(communities.items()):
        grid, topic = grid_codes(code)[0], TOPICS[c_index % len(TOPICS)]
        for n, repeat in enumerate((False, True)):
            rows.orders.append({
                "order_id": f"FZ{last:%y%m%d}{c_index}{n:04d}", "received_at": dt.datetime(last.year, last.month, 3 + n, 9),
                "title_masked": f"{name}{topic}问题",
                "content_masked": f"居民反映{name}附近{topic}，联系电话[电话]。",
                "order_type": "投诉", "channel": "电话", "handling_unit": "街道城管办", "status": "已办结",
                "satisfaction": "满意", "street_code": street, "community_code": code, "grid_code": grid,
                "place_words": name, "place_confidence": 0.9, "place_method": "text", "topic": topic,
                "is_repeat": repeat})
    for n in range(2):
        rows.orders.append({
            "order_id": f"{240001 + n}", "received_at": dt.datetime(last.year, last.month, 10 + n, 15),
            "title_masked": "小区门口路灯不亮", "content_masked": "某先生反映路灯不亮，身份证号[身份证号]。",
            "order_type": "求助",
            "channel": "网站", "handling_unit": "区住建局", "status": "处理中", "satisfaction": None,
            "street_code": street if n == 0 else None, "community_code": None, "grid_code": None, "place_words": None,
            "place_confidence": 0.0, "place_method": "none", "topic": "道路养护", "is_repeat": False})

    counts = "orders bigint, orders_responded_in_time bigint, orders_resolved bigint, orders_evaluated bigint, " \
             "orders_satisfied bigint"
    rates = "orders_per_10k_residents double, response_rate double, resolution_rate double, " \
            "satisfaction_rate double, median_reply_working_days double, repeat_share double, unclassified_share double"
    con.execute(f"create or replace table marts.kpi_hotline_community_monthly (community_code varchar, street_code varchar, "
                f"month_start date, {counts}, {rates})")
    con.execute(f"create or replace table marts.kpi_hotline_street_monthly (street_code varchar, month_start date, {counts}, "
                f"{rates}, unplaced_orders bigint, placement_rate double)")
    con.execute("create or replace table marts.kpi_hotline_topics_monthly (street_code varchar, community_code varchar, "
                "month_start date, topic varchar, subtopic varchar, orders bigint)")
    con.execute("""create or replace table marts.fct_hotline_orders (order_id varchar, received_at timestamp, title_masked varchar,
                   content_masked varchar, order_type varchar, channel varchar, district varchar, handling_unit varchar,
                   status varchar, reply_masked varchar, replied_at timestamp, transfers integer, satisfaction varchar,
                   street_code varchar, community_code varchar, grid_code varchar, place_words varchar,
                   place_confidence double, place_method varchar, topic varchar, subtopic varchar,
                   reply_working_days double, is_responded_in_time boolean, is_resolved boolean,
                   is_satisfied boolean, is_repeat boolean)""")
    kpi_keys = ["orders", "orders_responded_in_time", "orders_resolved", "orders_evaluated", "orders_satisfied",
                "orders_per_10k_residents", "response_rate", "resolution_rate", "satisfaction_rate",
                "median_reply_working_days", "repeat_share", "unclassified_share"]
    con.executemany(f"insert into marts.kpi_hotline_community_monthly values (?, ?, ?, {', '.join('?' * len(kpi_keys))})",
                    [[code, street, month, *(r[k] for k in kpi_keys)] for (code, month), r in rows.community.items()])
    con.executemany(f"insert into marts.kpi_hotline_street_monthly values (?, ?, {', '.join('?' * (len(kpi_keys) + 2))})",
                    [[street, month, *(r[k] for k in kpi_keys), r["unplaced_orders"], r["placement_rate"]]
                     for month, r in rows.street.items()])
    con.executemany("insert into marts.kpi_hotline_topics_monthly values (?, ?, ?, ?, null, ?)",
                    [(street, *row) for row in rows.topics])
    columns = list(rows.orders[0])
    con.executemany(f"insert into marts.fct_hotline_orders ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                    [[o[c] for c in columns] for o in rows.orders])
    return rows


def write_snapshot(data_dir: Path, hotline: bool = True) -> HotlineRows | None:
    """data_dir/serving.duckdb with the sidebar's tables for STREET, COMMUNITIES and MONTHS, and the hotline
    marts unless `hotline` is False."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "serving.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    street, street_name = STREET
    residents = {code: 5000 + 1000 * i for i, code in enumerate(COMMUNITIES)}
    con.execute("create schema marts")
    con.execute("create schema meta")
    con.execute("create table meta.snapshot as select timestamp '2025-07-01 08:00:00' as published_at, "
                "20 as tables_published, timestamp '2025-07-01 07:50:00' as ledger_ingested_at")
    con.execute("create table marts.dim_streets as select ? as street_code, ? as street_name, '510116' as district_code, "
                "'双流区' as district_name, ? as communities_total", [street, street_name, len(COMMUNITIES)])
    con.execute("""create table marts.dim_communities (community_code varchar, community_name varchar, street_code varchar,
                   street_name varchar, district_code varchar, district_name varchar)""")
    con.executemany("insert into marts.dim_communities values (?, ?, ?, ?, '510116', '双流区')",
                    [[code, name, street, street_name] for code, name in COMMUNITIES.items()])
    con.execute("""create table marts.dim_grids (grid_version_id varchar, grid_code varchar, grid_name varchar,
                   community_code varchar, community_name varchar, street_code varchar, worker_name varchar,
                   valid_from date, valid_to date, boundary_wkt varchar)""")
    con.executemany("insert into marts.dim_grids values (?, ?, ?, ?, ?, ?, '某网格员', date '2024-01-01', null, null)",
                    [[f"{g}@2024-01-01", g, f"{name}第{g[-1]}网格", code, name, street]
                     for code, name in COMMUNITIES.items() for g in grid_codes(code)])
    kpis = ", ".join(f"{c} {'double' if c.endswith('rate') else 'bigint'}" for c in KPI_COLUMNS)
    con.execute(f"""create table marts.kpi_community_monthly (community_code varchar, community_name varchar,
                    street_code varchar, month_start date, has_register boolean, {kpis})""")
    con.execute(f"""create table marts.kpi_street_monthly (street_code varchar, street_name varchar, month_start date,
                    as_of_date date, communities_total bigint, communities_with_register bigint, {kpis})""")
    for month in MONTHS:
        for code, name in COMMUNITIES.items():
            con.execute("insert into marts.kpi_community_monthly values (?, ?, ?, ?, true, ?, 2, 2, 5, 4, 4, 0.8)",
                        [code, name, street, month, residents[code]])
        con.execute("insert into marts.kpi_street_monthly values (?, ?, ?, last_day(?::date), ?, ?, ?, 6, 6, 15, 12, 12, 0.8)",
                    [street, street_name, month, month, len(COMMUNITIES), len(COMMUNITIES), sum(residents.values())])
    con.execute("""create table marts.kpi_grid_monthly as  -- the overview's figures for a chosen grid
                   select g.grid_code, g.community_code, k.* exclude (community_code, community_name, street_code)
                   from marts.dim_grids g join marts.kpi_community_monthly k using (community_code)""")
    con.execute("create table marts.fct_patrols as select community_code, month_start as patrol_date "
                "from marts.kpi_community_monthly")
    con.execute("create table marts.fct_case_transitions as select month_start as step_date from marts.kpi_street_monthly")
    rows = add_hotline_tables(con, street, COMMUNITIES, HOTLINE_MONTHS, residents) if hotline else None
    con.close()
    return rows
