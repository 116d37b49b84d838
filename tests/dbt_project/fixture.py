"""A small hand-built lake for the warehouse tests: two communities of Huayang Street, four grids
(one redrawn on 1 September 2025 under the same code, one new exclusive grid), fourteen people,
thirteen cases and a quarter's patrols, August–October 2025. Every value the marts must give for it
is worked out by hand in test_kpis.py; the story of each row is told beside it here.

Files are written exactly as pipelines/ingest writes the lake (one Parquet file per source × month
× slice, the same columns and types), then the working-day calendar with pipelines.ingest.calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import duckdb
import polars as pl

from pipelines.ingest.calendar import write_calendar
from pipelines.core.settings import Paths
from pipelines.ingest.lake import LEDGER_SCHEMA, QUARANTINE_SCHEMA
from pipelines.transform.dbt import run_dbt

STREET = "510116003"  # 华阳街道
C1, C2 = "510116003001", "510116003004"  # 通济桥街社区, 菜蔬街社区
G11, G12, G13, G21 = (f"{C1}001", f"{C1}002", f"{C1}003", f"{C2}001")
W11, W12, W13, W21 = "01001", "01002", "01003", "02001"
D = dt.date
T = dt.datetime

# --- grids: the August table and the September table (G12 redrawn, G13 new) ----------------------
GRID_COLUMNS = ("grid_code", "grid_name", "community_code", "grid_type", "household_count", "resident_count",
                "worker_id", "backup_worker_id", "valid_from")
GRID_TABLES = {
    "2025-08": [
        (G11, "通济桥街社区第1网格", C1, "常规", 400, 1000, W11, W12, D(2025, 1, 1)),
        (G12, "通济桥街社区第2网格", C1, "常规", 350, 900, W12, W11, D(2025, 1, 1)),
        (G21, "菜蔬街社区第1网格", C2, "常规", 500, 1200, W21, None, D(2025, 1, 1)),
    ],
    "2025-09": [
        (G11, "通济桥街社区第1网格", C1, "常规", 400, 1000, W11, W12, D(2025, 1, 1)),
        (G12, "通济桥街社区第2网格", C1, "常规", 250, 600, W12, W13, D(2025, 9, 1)),  # redrawn: 250 households
        (G13, "华阳中学专属网格", C1, "学校", 40, 100, W13, W12, D(2025, 9, 1)),  # new exclusive grid
        (G21, "菜蔬街社区第1网格", C2, "常规", 500, 1200, W21, None, D(2025, 1, 1)),
    ],
}

# --- population registers: (person, grid, status, registration, building, unit, room, tags) -------
REGISTERS = {
    (C1, "2025-08"): [
        ("p1", G11, "在住", "户籍", "1", "1", "101", "独居老人"),
        ("p2", G11, "在住", "户籍", "1", "1", "102", None),
        ("p3", G11, "外出", "流动", "1", "1", "102", None),
        ("p4", G11, "在住", "户籍", "2", "1", "201", "社区矫正"),
        ("p5", G12, "在住", "户籍", "3", "1", "301", "低保;精神障碍"),
        ("p6", G12, "在住", "境外", "3", "1", "302", None),
        ("p7", G12, "迁出", "户籍", "3", "2", "303", None),
        ("p8", G12, "在住", "流动", "3", "2", "304", "空巢老人"),
    ],
    (C1, "2025-09"): [  # p4 died; p9 arrived; the redraw moved p6 and p8 into G13; p7 is gone
        ("p1", G11, "在住", "户籍", "1", "1", "101", "独居老人"),
        ("p2", G11, "在住", "户籍", "1", "1", "102", None),
        ("p3", G11, "在住", "流动", "1", "1", "102", None),
        ("p4", G11, "死亡", "户籍", "2", "1", "201", "社区矫正"),
        ("p5", G12, "在住", "户籍", "3", "1", "301", "低保;精神障碍"),
        ("p6", G13, "在住", "境外", "3", "1", "302", None),
        ("p8", G13, "在住", "流动", "3", "2", "304", "空巢老人"),
        ("p9", G11, "在住", "流动", "1", "2", "105", None),
    ],
    (C1, "2025-10"): [  # p2 moved out (still listed); p10 arrived in G12
        ("p1", G11, "在住", "户籍", "1", "1", "101", "独居老人"),
        ("p2", G11, "迁出", "户籍", "1", "1", "102", None),
        ("p3", G11, "在住", "流动", "1", "1", "102", None),
        ("p5", G12, "在住", "户籍", "3", "1", "301", "低保;精神障碍"),
        ("p6", G13, "在住", "境外", "3", "1", "302", None),
        ("p8", G13, "在住", "流动", "3", "2", "304", "空巢老人"),
        ("p9", G11, "在住", "流动", "1", "2", "105", None),
        ("p10", G12, "在住", "户籍", "3", "1", "305", "刑释解教"),
    ],
    (C2, "2025-08"): [
        ("q1", G21, "在住", "户籍", "5", "1", "101", "吸毒人员"),
        ("q2", G21, "在住", "户籍", "5", "1", "101", None),
        ("q3", G21, "在住", "流动", "5", "1", "102", "留守儿童"),
    ],
    # C2 sent no September register
    (C2, "2025-10"): [
        ("q1", G21, "在住", "户籍", "5", "1", "101", "吸毒人员"),
        ("q2", G21, "外出", "户籍", "5", "1", "101", None),
        ("q4", G21, "在住", "户籍", "5", "2", "201", None),
    ],
}
# ledger rows of the register files: (community, month, received_at, status)
REGISTER_FILES = [
    (C1, "2025-08", T(2025, 8, 20, 10, 0), "landed"),
    (C1, "2025-09", T(2025, 9, 20, 9, 0), "rejected"),  # unreadable: does not count as sent
    (C1, "2025-09", T(2025, 9, 26, 9, 0), "landed"),  # late
    (C1, "2025-10", T(2025, 10, 25, 23, 30), "landed"),  # on time, just
    (C2, "2025-08", T(2025, 8, 24, 16, 0), "superseded"),  # first version on time, corrected later
    (C2, "2025-08", T(2025, 8, 27, 9, 0), "landed"),
    (C2, "2025-10", T(2025, 10, 26, 0, 0), "landed"),  # late, just
]

# --- cases: steps (case, time, action, level); attributes per case ------------------------------
CASES = {  # case: (grid, category, subcategory, channel)
    "K1": (G11, "环境卫生", "垃圾堆放", "网格员巡查"),
    "K2": (G11, "矛盾纠纷", "邻里纠纷", "电话"),
    "K3": (G11, "城市管理", "占道经营", "群众小程序"),
    "K4": (G11, "安全隐患", "消防隐患", "网格员巡查"),
    "K5": (G11, "民生服务", "证明办理", "来访"),
    "K6": (G11, "环境卫生", "噪音扰民", "12345热线"),
    "K7": (G11, "城市管理", "乱停乱放", "电话"),
    "K8": (G12, "治安防控", "可疑人员", "网格员巡查"),
    "K9": (G12, "城市管理", "违章搭建", "部门移交"),
    "K10": (G13, "民生服务", "困难救助", "网格员巡查"),
    "K11": (G21, "安全隐患", "燃气隐患", "部门移交"),
    "K12": (G21, "矛盾纠纷", "物业纠纷", "电话"),
    "K13": (G21, "环境卫生", "污水外溢", "网格员巡查"),
}
STEPS = [  # (case, time, action, level, satisfaction)
    # K1: level 1, accepted Tue 5 Aug, closed next day: on time (due end of 6 Aug), 1 working day
    ("K1", T(2025, 8, 5, 9, 0), "上报", 1, None), ("K1", T(2025, 8, 5, 9, 30), "受理", 1, None),
    ("K1", T(2025, 8, 5, 15, 0), "处置", 1, None), ("K1", T(2025, 8, 6, 10, 0), "结案", 1, None),
    ("K1", T(2025, 8, 7, 10, 0), "评价", 1, "满意"),
    # K2: level 2, accepted Fri 8 Aug (due Mon 11 Aug), handled and closed Tue 12 Aug: late, 2 working days
    ("K2", T(2025, 8, 8, 9, 50), "上报", 2, None), ("K2", T(2025, 8, 8, 10, 0), "受理", 2, None),
    ("K2", T(2025, 8, 12, 9, 0), "处置", 2, None), ("K2", T(2025, 8, 12, 10, 0), "结案", 2, None),
    ("K2", T(2025, 8, 13, 9, 0), "评价", 2, "不满意"),
    # K3: level 3 (2 working days) accepted 30 Sep: due 10 Oct (National Day), closed 10 Oct: on time
    ("K3", T(2025, 9, 30, 9, 40), "上报", 3, None), ("K3", T(2025, 9, 30, 10, 0), "受理", 3, None),
    ("K3", T(2025, 10, 10, 11, 0), "处置", 3, None), ("K3", T(2025, 10, 10, 16, 0), "结案", 3, None),
    ("K3", T(2025, 10, 11, 9, 0), "评价", 3, "基本满意"),
    # K4: level 1 with an extension (5 working days): due 14 Oct, closed 14 Oct: on time, 5 working days
    ("K4", T(2025, 9, 30, 14, 30), "上报", 1, None), ("K4", T(2025, 9, 30, 15, 0), "受理", 1, None),
    ("K4", T(2025, 10, 9, 9, 0), "延期", 1, None), ("K4", T(2025, 10, 13, 10, 0), "处置", 1, None),
    ("K4", T(2025, 10, 14, 9, 0), "结案", 1, None), ("K4", T(2025, 10, 15, 9, 0), "评价", 1, "满意"),
    # K5: level 2 accepted Mon 20 Oct (due 21 Oct), handled late on 22 Oct, still open at the end
    ("K5", T(2025, 10, 20, 8, 50), "上报", 2, None), ("K5", T(2025, 10, 20, 9, 0), "受理", 2, None),
    ("K5", T(2025, 10, 22, 10, 0), "处置", 2, None),
    # K6: level 3 accepted Wed 29 Oct (due Fri 31 Oct), nothing more
    ("K6", T(2025, 10, 29, 9, 30), "上报", 3, None), ("K6", T(2025, 10, 29, 10, 0), "受理", 3, None),
    # K7: voided the day it came in: leaves every KPI
    ("K7", T(2025, 8, 11, 9, 0), "上报", 1, None), ("K7", T(2025, 8, 11, 9, 30), "受理", 1, None),
    ("K7", T(2025, 8, 11, 10, 0), "作废", 1, None),
    # K8: G12 before the redraw; level 2 accepted Fri 29 Aug (due Mon 1 Sep); sent back once;
    #     final 处置 1 Sep 11:00 (on time), closed 2 Sep (late), 2 working days
    ("K8", T(2025, 8, 29, 17, 0), "上报", 2, None), ("K8", T(2025, 8, 29, 17, 30), "受理", 2, None),
    ("K8", T(2025, 8, 29, 18, 0), "处置", 2, None), ("K8", T(2025, 9, 1, 9, 0), "回退", 2, None),
    ("K8", T(2025, 9, 1, 11, 0), "处置", 2, None), ("K8", T(2025, 9, 2, 9, 0), "结案", 2, None),
    ("K8", T(2025, 9, 3, 10, 0), "评价", 2, "满意"),
    # K9: G12 after the redraw; reported at level 1, escalated to level 2; closed next day: on time
    ("K9", T(2025, 9, 15, 8, 30), "上报", 1, None), ("K9", T(2025, 9, 15, 9, 0), "受理", 1, None),
    ("K9", T(2025, 9, 15, 10, 0), "升级", 2, None), ("K9", T(2025, 9, 16, 10, 0), "处置", 2, None),
    ("K9", T(2025, 9, 16, 15, 0), "结案", 2, None), ("K9", T(2025, 9, 17, 10, 0), "评价", 2, "满意"),
    # K10: G13, level 1, closed the day it was accepted: 0 working days
    ("K10", T(2025, 9, 10, 8, 40), "上报", 1, None), ("K10", T(2025, 9, 10, 9, 0), "受理", 1, None),
    ("K10", T(2025, 9, 10, 11, 0), "处置", 1, None), ("K10", T(2025, 9, 10, 12, 0), "结案", 1, None),
    ("K10", T(2025, 9, 11, 9, 0), "评价", 1, "满意"),
    # K11: G21, level 4 (3 working days) accepted Mon 18 Aug: due Thu 21 Aug, closed then: on time
    ("K11", T(2025, 8, 18, 9, 30), "上报", 4, None), ("K11", T(2025, 8, 18, 10, 0), "受理", 4, None),
    ("K11", T(2025, 8, 20, 10, 0), "处置", 4, None), ("K11", T(2025, 8, 21, 17, 0), "结案", 4, None),
    ("K11", T(2025, 8, 22, 9, 0), "评价", 4, "满意"),
    # K12: G21, level 5 accepted Thu 9 Oct: due Mon 13 Oct; handled 13 Oct (on time), closed 15 Oct
    #      (late), 5 working days, never evaluated
    ("K12", T(2025, 10, 9, 8, 30), "上报", 5, None), ("K12", T(2025, 10, 9, 9, 0), "受理", 5, None),
    ("K12", T(2025, 10, 13, 12, 0), "处置", 5, None), ("K12", T(2025, 10, 15, 10, 0), "结案", 5, None),
    # K13: G21, level 1 accepted Fri 5 Sep (due Mon 8 Sep); overdue all September; handled 9 Oct,
    #      closed 10 Oct (20 working days), evaluated 不满意
    ("K13", T(2025, 9, 5, 9, 30), "上报", 1, None), ("K13", T(2025, 9, 5, 10, 0), "受理", 1, None),
    ("K13", T(2025, 10, 9, 10, 0), "处置", 1, None), ("K13", T(2025, 10, 10, 10, 0), "结案", 1, None),
    ("K13", T(2025, 10, 11, 9, 0), "评价", 1, "不满意"),
]


# --- patrols: (worker, grid, day, kind, households, key persons, has a 民情日志) ---------------------
def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
    return [d for d in days if chinese_calendar.is_workday(d)]


AUG = working_days(D(2025, 8, 1), D(2025, 8, 31))  # 21 working days
SEP = working_days(D(2025, 9, 1), D(2025, 9, 30))  # 23 (Sunday 28 Sep is a make-up day)
OCT = working_days(D(2025, 10, 1), D(2025, 10, 31))  # 18 (1–8 Oct off, Saturday 11 Oct worked)


def patrol_plan() -> list[tuple]:
    rows = []
    # W11 patrols G11 every working day of the three months except 1, 4 and 5 August
    for day in AUG + SEP + OCT:
        if day not in (D(2025, 8, 1), D(2025, 8, 4), D(2025, 8, 5)):
            rows.append((W11, G11, day, "巡查", 0, 0, True))
    rows += [(W11, G11, D(2025, 8, 20), "入户走访", 30, 0, True), (W11, G11, D(2025, 8, 21), "重点人员走访", 1, 1, True),
             (W11, G11, D(2025, 9, 10), "入户走访", 40, 0, True), (W11, G11, D(2025, 10, 15), "入户走访", 10, 0, True),
             (W11, G11, D(2025, 10, 16), "重点人员走访", 1, 1, True)]
    # W12 patrols G12 on 11–15 August (with a diary), 18–22 August (without) and 1–5 September
    rows += [(W12, G12, D(2025, 8, d), "巡查", 0, 0, d <= 15) for d in (11, 12, 13, 14, 15, 18, 19, 20, 21, 22)]
    rows += [(W12, G12, D(2025, 9, d), "巡查", 0, 0, True) for d in (1, 2, 3, 4, 5)]
    rows += [(W12, G12, D(2025, 8, 14), "入户走访", 35, 0, True), (W12, G12, D(2025, 9, 3), "入户走访", 25, 0, True)]
    # W13 patrols the new G13 every working day from September
    rows += [(W13, G13, day, "巡查", 0, 0, True) for day in SEP + OCT]
    rows += [(W13, G13, D(2025, 9, 15), "入户走访", 5, 0, True)]
    # W21 patrols G21 on 6, 7 and Saturday 9 August and on 9 October; W11 patrols G21 once in September
    rows += [(W21, G21, D(2025, 8, d), "巡查", 0, 0, True) for d in (6, 7, 9)]
    rows += [(W21, G21, D(2025, 8, 7), "入户走访", 50, 0, True), (W21, G21, D(2025, 10, 9), "巡查", 0, 0, True),
             (W21, G21, D(2025, 10, 9), "重点人员走访", 1, 2, True), (W11, G21, D(2025, 9, 10), "巡查", 0, 0, True)]
    return rows


# --- 12345 hotline orders -----------------------------------------------------------------------------
# (order, received, title, type, street, community, grid, place words, method, category, subcategory,
#  status, replied, satisfaction, case_id). Each export file is (name, received by the ledger, rows).
# Topics follow the seed hotline_topics (title before text, longest keyword, earliest), unless the
# export carries a category. The numbers the marts must give are worked out in test_hotline_models.py.
HOTLINE_PLACE_WORDS = {"jx": "锦绣花园", "yx": "银杏家园", "tj": "通济桥街社区", "cs": "菜蔬街"}


def _h(order, received, title, street, community, grid, words, status, replied, satisfaction,
       category=None, subcategory=None, case_id=None, order_type="投诉", method=None):
    placed = "text" if words else "none"
    return {"order_id": order, "received_at": received, "title": title, "content": f"来电人反映：{title}，请尽快处理。",
            "order_type": order_type, "channel": "电话", "district": "天府新区", "handling_unit": "华阳街道办事处",
            "status": status, "reply": "已联系来电人。" if replied else None, "replied_at": replied,
            "transfers": 1, "satisfaction": satisfaction, "anonymity": "匿名", "category": category,
            "subcategory": subcategory, "case_id": case_id, "street_code": street, "community_code": community,
            "grid_code": grid, "place_words": HOTLINE_PLACE_WORDS.get(words, words),
            "place_confidence": 0.9 if words else 0.0, "place_method": method or placed}


HOTLINE_FILES = [
    ("hotline/12345工单_2025Q3.xlsx", T(2025, 10, 1, 10, 0), [
        # H1: 夜间施工 → 噪音扰民/施工噪音; replied after 6 h (in time, 0 working days), resolved, 满意
        _h("H1", T(2025, 8, 4, 9, 0), "夜间施工噪音扰民", STREET, C1, G11, "jx", "已办结", T(2025, 8, 4, 15, 0), "满意"),
        # H2, first version: still 处理中 with a first reply; the Q3 update below replaces it
        _h("H2", T(2025, 8, 5, 10, 0), "工地半夜施工", STREET, C1, G11, "jx", "处理中", T(2025, 8, 6, 9, 0), None),
        # H3: 停车收费 (longest); received Fri 16:00, replied Mon 10:00 (66 h: late; 1 working day), 基本满意;
        #     placed to the community only (no grid)
        _h("H3", T(2025, 8, 8, 16, 0), "停车收费不合理", STREET, C1, None, "tj", "已办结", T(2025, 8, 11, 10, 0), "基本满意"),
        # H4: the export's category wins over the keyword 路灯; replied the same Saturday (0 working days);
        #     not evaluated; names grid case K11
        _h("H4", T(2025, 8, 9, 11, 0), "路灯不亮", STREET, C2, G21, "cs", "已办结", T(2025, 8, 9, 20, 0), None,
           category="城市管理", subcategory="占道经营", case_id="K11"),
        # H5: not placed at all (counts for the street); 医保 → 民生服务/社保医保; in time; a case number
        #     the warehouse does not know
        _h("H5", T(2025, 8, 12, 9, 0), "咨询医保缴费", None, None, None, None, "已办结", T(2025, 8, 12, 11, 0), "满意",
           case_id="K99", order_type="咨询"),
        # H6: placed by the ingest in C1/G12, corrected by hand to C2/G21; no keyword: unclassified; no reply
        _h("H6", T(2025, 8, 20, 14, 0), "这里说些什么", STREET, C1, G12, "3栋", "处理中", None, None),
        # H7: placed to the street only; 烧烤油烟 → 环境卫生/油烟; 23 h (in time, 1 working
        #     day); sent back (not resolved); 不满意
        _h("H7", T(2025, 8, 25, 9, 0), "楼下烧烤油烟", STREET, None, None, "华阳街道", "已退回", T(2025, 8, 26, 8, 0), "不满意"),
        # H12: same community, topic and place words as H3 seven days earlier (its grid differs): a repeat
        _h("H12", T(2025, 8, 15, 10, 0), "停车费上涨", STREET, C1, G12, "tj", "已办结", T(2025, 8, 15, 12, 0), None),
        # H13: 噪音扰民 in C1 but another grid and estate than H1/H2: no repeat; 48 h (late, 2 working days)
        _h("H13", T(2025, 8, 18, 9, 0), "夜间施工噪音扰民", STREET, C1, G12, "yx", "处理中", T(2025, 8, 20, 9, 0), None),
        # H8: 广场舞 → 噪音扰民/生活噪音; exactly 30 days after H1 and within 30 days of H2 (the latest
        #     earlier one): a repeat of H2; in time, 满意
        _h("H8", T(2025, 9, 3, 9, 0), "广场舞噪音", STREET, C1, G11, "jx", "已办结", T(2025, 9, 3, 10, 0), "满意"),
        # H9: repeat of H8; received 30 Sep, replied 9 Oct after National Day (late; 1 working day), 满意
        _h("H9", T(2025, 9, 30, 15, 0), "施工噪音", STREET, C1, G11, "jx", "已办结", T(2025, 10, 9, 9, 0), "满意"),
        # H10: 停水 → 供水/停水; in time; 未回访 is not an evaluation
        _h("H10", T(2025, 9, 10, 10, 0), "停水问题", STREET, C2, G21, "cs", "已办结", T(2025, 9, 10, 12, 0), "未回访"),
    ]),
    ("hotline/12345工单_2025Q3_更新.csv", T(2025, 10, 15, 10, 0), [
        # H2, second version: resolved 7 Aug (48 h after receipt: late, 2 working days), 不满意; a repeat of H1
        _h("H2", T(2025, 8, 5, 10, 0), "工地半夜施工", STREET, C1, G11, "jx", "已办结", T(2025, 8, 7, 10, 0), "不满意"),
    ]),
    ("hotline/12345工单_2025-10.csv", T(2025, 11, 1, 10, 0), [
        # H11: 31 days and 1 hour after H9: not a repeat; no reply yet
        _h("H11", T(2025, 10, 31, 16, 0), "夜间施工", STREET, C1, G11, "jx", "待回复", None, None),
    ]),
]
# data/corrections/hotline_places.csv: the latest correction of an order wins
HOTLINE_CORRECTIONS = [("H6", C1, G11, "2025-09-01 09:00:00"), ("H6", C2, G21, "2025-09-02 09:00:00")]
HOTLINE_SCHEMA = {"received_at": pl.Datetime("us"), "replied_at": pl.Datetime("us"), "transfers": pl.Int64,
                  "place_confidence": pl.Float64, **{c: pl.String for c in (
                      "order_id", "title", "content", "order_type", "channel", "district", "handling_unit", "status",
                      "reply", "satisfaction", "anonymity", "category", "subcategory", "case_id", "street_code",
                      "community_code", "grid_code", "place_words", "place_method")}}


def hotline_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=HOTLINE_SCHEMA)


def write_hotline(lake: Path, files: list = HOTLINE_FILES, corrections: list = HOTLINE_CORRECTIONS) -> list[dict]:
    """Each export file's orders in the month of their own received_at, as the ingest places them."""
    ledger = []
    for n, (source, received, rows) in enumerate(files):
        frame = hotline_frame(rows).with_columns(pl.col("received_at").dt.strftime("%Y-%m").alias("file_month"))
        file_hash = _hash([source, rows])
        for (month,), part in frame.group_by("file_month", maintain_order=True):
            part = _stamp(part.drop("file_month"), source, month).with_columns(pl.lit(file_hash).alias("file_hash"))
            _write(part, lake / "hotline" / f"month={month}" / f"file{n}.parquet")
        ledger.append(_ledger_row(source, file_hash, "hotline", None, f"{received:%Y-%m}", f"file{n}", received,
                                  "landed", len(rows)))
    if corrections:
        path = lake.parent / "corrections" / "hotline_places.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(corrections, schema=["order_id", "community_code", "grid_code", "corrected_at"],
                     orient="row").write_csv(path)
    return ledger


def write_hotline_anchor(lake: Path) -> None:
    """What ingest leaves for a source without data: one typed, empty part in month=0000-00."""
    _write(_stamp(hotline_frame([]), "", "0000-00").clear(), lake / "hotline" / "month=0000-00" / "_empty.parquet")


# --- writing the lake -------------------------------------------------------------------------------
def _hash(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _write(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


def _stamp(frame: pl.DataFrame, source_file: str, month: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("source_row"),
        pl.lit(source_file).alias("source_file"), pl.lit("Sheet1").alias("source_sheet"),
        pl.lit(_hash([source_file, frame.to_dicts()])).alias("file_hash"),
        pl.lit(month).alias("report_month"), pl.lit(month).alias("month"))


def write_grids(lake: Path) -> list[dict]:
    ledger = []
    for month, rows in GRID_TABLES.items():
        frame = pl.DataFrame(rows, schema=list(GRID_COLUMNS), orient="row", schema_overrides={
            "household_count": pl.Int64, "resident_count": pl.Int64, "valid_from": pl.Date})
        frame = frame.with_columns(
            pl.when(pl.col("community_code") == C1).then(pl.lit("通济桥街社区")).otherwise(pl.lit("菜蔬街社区")).alias("community_name"),
            pl.lit("王*").alias("grid_chief_name"), pl.format("网格员{}", pl.col("worker_id")).alias("worker_name"),
            pl.lit(None, dtype=pl.String).alias("boundary_wkt"))
        source = f"grids/华阳街道网格台账_{month}.xlsx"
        frame = _stamp(frame, source, month)
        _write(frame, lake / "grids" / f"month={month}" / f"{STREET}.parquet")
        ledger.append(_ledger_row(source, frame["file_hash"][0], "grids", None, month, STREET, T(2025, int(month[5:]), 1), "landed", frame.height))
    return ledger


def write_population(lake: Path) -> list[dict]:
    ledger = []
    for (community, month), rows in REGISTERS.items():
        frame = pl.DataFrame(rows, schema=["person_id", "grid_code", "residence_status", "registration_type",
                                           "building", "unit", "room", "tags"], orient="row")
        frame = frame.with_columns(
            pl.lit("18").alias("id_kind"), pl.lit(community).alias("community_code"), pl.lit("张*").alias("name"),
            pl.lit("女").alias("sex"), pl.lit(D(1960, 1, 1)).alias("birth_date"), pl.lit("510116").alias("region_code"),
            pl.lit("汉族").alias("ethnicity"), pl.lit("本人").alias("relation_to_head"),
            pl.lit(None, dtype=pl.String).alias("phone"), pl.lit(D(2020, 1, 1)).alias("registered_date"),
            pl.lit(D(2025, 1, 1)).alias("updated_date"))
        source = f"population/{month}/{community}_实有人口_{month}.xlsx"
        frame = _stamp(frame, source, month)
        _write(frame, lake / "population" / f"month={month}" / f"{community}.parquet")
    for community, month, received, status in REGISTER_FILES:
        source = f"population/{month}/{community}_实有人口_{month}_{received:%d%H%M}.xlsx"
        ledger.append(_ledger_row(source, _hash(source), "population", community, month, community, received, status,
                                  0 if status == "rejected" else len(REGISTERS[(community, month)])))
    return ledger


def case_frame(steps: list[tuple] = STEPS) -> pl.DataFrame:
    rows = []
    for case, at, action, level, satisfaction in steps:
        grid, category, subcategory, channel = CASES[case]
        rows.append({"case_id": case, "step_at": at, "action": action, "actor_name": "李*", "actor_role": "社区",
                     "handling_level": level, "category": category, "subcategory": subcategory, "work_type": "一般",
                     "channel": channel, "grid_code": grid, "description": "（描述）", "satisfaction": satisfaction})
    return pl.DataFrame(rows, schema_overrides={"handling_level": pl.Int64, "step_at": pl.Datetime("us")})


def write_case_day(lake: Path, day: dt.date, steps: pl.DataFrame, version: str = "") -> dict:
    """One day's export as the slice cases/month=YYYY-MM/YYYY-MM-DD.parquet (a re-export replaces it)."""
    month = f"{day:%Y-%m}"
    source = f"cases/{month}/事件流转_{day:%Y%m%d}{version}.jsonl"
    frame = _stamp(steps.sort("step_at"), source, month)
    _write(frame, lake / "cases" / f"month={month}" / f"{day}.parquet")
    return _ledger_row(source, frame["file_hash"][0], "cases", None, month, str(day), T.combine(day, dt.time(23, 0)),
                       "landed", frame.height)


def write_cases(lake: Path, steps: list[tuple] = STEPS) -> list[dict]:
    frame = case_frame(steps).with_columns(pl.col("step_at").dt.date().alias("day"))
    return [write_case_day(lake, day, part.drop("day")) for (day,), part in frame.group_by("day", maintain_order=True)]


def write_patrols(lake: Path) -> list[dict]:
    rows = []
    for n, (worker, grid, day, kind, households, key_persons, has_log) in enumerate(patrol_plan()):
        start = T.combine(day, dt.time(8, 30) if kind == "巡查" else dt.time(14, 0))
        rows.append({"record_id": f"XC{day:%Y%m%d}{grid[-4:]}{n:04d}", "worker_id": worker, "grid_code": grid,
                     "started_at": start, "ended_at": start + dt.timedelta(minutes=90), "patrol_type": kind,
                     "households_visited": households, "key_persons_visited": key_persons,
                     "reported_case_ids": None, "log_text": "巡查辖区，未发现异常" if has_log else None,
                     "community_code": grid[:12]})
    frame = pl.DataFrame(rows, schema_overrides={"households_visited": pl.Int64, "key_persons_visited": pl.Int64,
                                                 "started_at": pl.Datetime("us"), "ended_at": pl.Datetime("us"),
                                                 "reported_case_ids": pl.String, "log_text": pl.String})
    frame = frame.with_columns(pl.col("started_at").dt.strftime("%Y-%m").alias("file_month"))
    ledger = []
    for (community, month), part in frame.group_by("community_code", "file_month", maintain_order=True):
        source = f"patrols/{month}/{community}_巡查走访_{month}.csv"
        part = _stamp(part.drop("file_month"), source, month)
        _write(part, lake / "patrols" / f"month={month}" / f"{community}.parquet")
        ledger.append(_ledger_row(source, part["file_hash"][0], "patrols", community, month, community,
                                  T(2025, int(month[5:]), 28), "landed", part.height))
    return ledger


def _ledger_row(path, file_hash, source, community, month, slice_key, received, status, rows) -> dict:
    return {"file_path": path, "file_hash": file_hash, "source": source, "community_code": community,
            "report_month": month, "slice_key": slice_key, "sheet": None, "received_at": received,
            "rows_read": rows, "rows_landed": rows if status != "rejected" else 0, "rows_quarantined": 0,
            "status": status, "reject_code": "corrupt" if status == "rejected" else None,
            "message": None, "duplicate_of": None, "ingested_at": received}


def write_ledger(lake: Path, rows: list[dict]) -> None:
    _write(pl.DataFrame(rows, schema=LEDGER_SCHEMA), lake / "_meta" / "ledger.parquet")
    # the quarantine holds nothing here, but the source needs one (empty) file to read
    _write(pl.DataFrame(schema=QUARANTINE_SCHEMA), lake / "_quarantine" / "population" / "month=2025-08" / f"{C1}.parquet")


def write_lake(lake: Path) -> None:
    ledger = (write_grids(lake) + write_population(lake) + write_cases(lake) + write_patrols(lake)
              + write_hotline(lake))
    write_ledger(lake, ledger)
    write_calendar(lake)


# --- building and reading the warehouse ----------------------------------------------------------------
@dataclass
class Warehouse:
    paths: Paths

    def build(self, *args: str) -> str:
        return run_dbt(self.paths, *args)

    def results(self) -> dict:
        return json.loads((self.paths.data / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))

    def target(self) -> Path:
        return self.paths.data / "dbt" / "target"

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        con = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            cursor = con.execute(sql, params or [])
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()


def new_warehouse(root: Path, lake_from: Path | None = None) -> Warehouse:
    """A data folder under `root` with the fixture lake (or a copy of `lake_from`), not yet built."""
    paths = Paths(raw=root / "raw", data=root / "data")
    if lake_from is not None:
        shutil.copytree(lake_from, paths.lake)
        if (lake_from.parent / "corrections").exists():  # hand-kept corrections live beside the lake
            shutil.copytree(lake_from.parent / "corrections", paths.data / "corrections")
    else:
        write_lake(paths.lake)
    return Warehouse(paths)
