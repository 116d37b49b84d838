"""12345 hotline work orders (接诉即办) of Huayang Street in two platform layouts, and their truth.

`gridpulse generate` (demo/generator.py) calls `write_hotline` with the street it built, so the estates
of the grid table and the places named in the orders agree.

What it writes under `raw_dir/hotline/`:

- Layout A, the hotline system (`12345工单明细_<year>年第<q>季度.xlsx`): one workbook per quarter, one sheet
  per month. Each sheet draws its own header spellings (工单编号 / 诉求编号 / "工单\\n编号", 来电时间 /
  受理时间 / "受理 时间", 诉求内容 / 来电内容, 诉求类型 / 性质, 满意度 / 回访结果, ...), some sheets start
  with a merged title row or a 序号 column, and every sheet has one column with a blank header cell
  (a remarks column). Received and reply times mix Excel serials (date-formatted numbers) and text
  such as `2025/2/28 11:25:05` within one column. Channels in mixed letter case (电话, APP, app, 微信).
- Layout B, the web platform (`网络理政留言_<year>-<mm>.csv`): one GBK csv per month with web names
  (留言编号, 留言主题, 留言时间, 留言详情, 信息来源, 性质, 区域, 所属部门, 状态, 回复, 办结时间, 回访结果,
  匿名); 留言时间 is `MM/DD/YYYY HH:MM` in some rows and ISO in others; texts run over several lines and
  some start with `\\n\\t` or `\\u3000\\u3000`.

Every order goes to one layout. Titles and texts name the street's places: its 24 communities (with
and without 街道), 小区 (estates, each belonging to one grid; the list is this module's own, written to
the truth as `hotline_places.parquet`), building numbers, the roads of `vocab.ROADS` (each given a home
community here), the exclusive grids' places (华阳中学 ...). Some orders name nothing placeable and some
name a community of another street of 双流区 or 锦江区 (often one whose name a Huayang community shares).
Texts plant mobile numbers (plain, hyphenated, full-width), landlines `028-8xxxxxxx`, ID numbers with
valid check characters, case numbers whose digits read like mobiles (`FZ13912345678`) and references to
earlier orders, and pre-masked numbers (`0000-00000000`, `138****5678`). Volumes: about 300 orders a
month with seasonal topics (water and gas in winter, noise and parking in summer, school places in
August) and about 12 % repeat complaints (same place words and topic within 30 days).

The truth, `truth_dir/hotline_truth.parquet`, has one row per order: `order_id`, `layout`, `file`
(relative to raw_dir), `sheet` (null for csv), `row` (1-based as a spreadsheet shows it; for the csv the
record number with the header as record 1), `street_code` (the street the text places it in: another
street's code when it names one, Huayang otherwise), `community_code` (null when nothing placeable or
another street), `grid_code` (where an estate, a building or an exclusive place is named), `place_kind`
(estate, community, exclusive, road, other_street, none), `place_words`, `order_type`, `topic`,
`subtopic`, `channel` (canonical: 电话 网站 微信 app 短信 微博 邮件), `received_at`, `replied_at`, `status`,
`transfers`, `satisfaction`, `anonymous`, `caller_name`, `repeat_of`, and three lists of strings exactly as
written in the title, text or reply: `personal_numbers` (to be masked), `case_numbers` (to survive
masking) and `premasked_numbers`.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from demo import identity, vocab
from demo.common import DAY, DIVISIONS_CSV, HOUR, MINUTE, WorkCalendar, month_first, set_mtime, stream, to_epoch
from demo.grids import NAME_SUFFIXES, Street, build_street

SOURCE = "hotline"
DISTRICT_NAME = "双流区"
OTHER_DISTRICTS = ("510116", "510104")  # other streets of Shuangliu, and Jinjiang
BASE_ORDERS_PER_MONTH = 275
REPEAT_SHARE = 0.12
REPEAT_WINDOW_DAYS = 30
LAYOUT_A_SHARE = 0.6
KINDS = ("estate", "community", "exclusive", "road", "other_street", "none")
KIND_P = (0.36, 0.18, 0.05, 0.13, 0.08, 0.20)
ORDER_TYPES = ("投诉", "咨询", "建议", "举报", "求助")
CHANNELS = ("电话", "网站", "微信", "app", "短信", "微博", "邮件")
CHANNEL_P = {"A": (0.72, 0.04, 0.10, 0.09, 0.05, 0.0, 0.0), "B": (0.0, 0.50, 0.26, 0.19, 0.0, 0.03, 0.02)}
# How each platform spells the canonical channel (several spellings: letter case, English words).
CHANNEL_SPELLINGS = {
    "A": {"电话": ("电话", "电话", "热线电话"), "网站": ("网站", "WEB"), "微信": ("微信", "WeChat"), "app": ("APP", "app", "App"),
          "短信": ("短信", "SMS")},
    "B": {"网站": ("网站", "网页", "Web"), "微信": ("微信", "微信公众号"), "app": ("app", "APP", "天府市民云APP"),
          "微博": ("微博",), "邮件": ("邮件", "Email")},
}
SATISFACTION = ("满意", "基本满意", "不满意", "未回访")
SATISFACTION_P = (0.64, 0.2, 0.1, 0.06)

ESTATE_HEADS = (
    "锦绣", "翡翠", "丽都", "金桂", "银杏", "紫荆", "海棠", "芙蓉", "天韵", "碧水", "蓝湾", "麓山", "凯旋", "盛世", "东方",
    "阳光", "和美", "怡景", "清风", "长岛", "雅居", "欣苑", "桂湖", "万福", "兴华", "恒丰", "顺景", "润园", "锦城", "嘉禾",
)
ESTATE_TAILS = ("花园", "家园", "苑", "名城", "华庭", "小区", "公馆", "新村", "嘉园", "雅苑")
# Where a road is the home road of a community of the same name; the others get a community at random.
ROAD_HOMES = {"正东街": "正东街", "通济桥路": "通济桥街", "伏龙路": "伏龙", "沙河路": "沙河", "锦江路": "锦江", "安公路": "安公",
              "香山路": "香山", "鹤林路": "鹤林", "祥龙路": "祥龙", "广都大道": "广都", "二江路": "二江寺"}

# Topic table: 大类, 小类, peak month (0: no season), seasonal amplitude, weight, type shares (投诉 咨询 建议 举报 求助),
# handling department, title words, text bodies (each follows the place words).
TOPICS = (
    ("供水", "停水", 1, 0.6, 6, (0.6, 0.3, 0.02, 0.0, 0.08), "区水务局", ("停水问题", "长时间停水"),
     ("自前天起一直停水，没有任何通知，老人小孩生活很不方便，请尽快恢复供水。", "反复停水，每次停水都不提前公告。希望相关部门尽快处理。")),
    ("供水", "水压水质", 1, 0.5, 4, (0.6, 0.3, 0.05, 0.0, 0.05), "区水务局", ("水压太低", "自来水浑浊"),
     ("高层住户水压太低，早晚用水高峰基本没水，热水器无法启动。", "自来水发黄浑浊，有异味，担心饮水安全，请求检测水质。")),
    ("供暖供气", "燃气", 12, 0.8, 5, (0.55, 0.3, 0.05, 0.0, 0.1), "区燃气办", ("天然气停气", "燃气压力不足"),
     ("天然气突然停气，天气寒冷无法做饭取暖，燃气公司电话打不通。",
      "冬季燃气压力不足，壁挂炉无法正常使用，家里很冷，请协调燃气公司处理。")),
    ("供暖供气", "取暖用电", 1, 0.8, 3, (0.5, 0.3, 0.05, 0.0, 0.15), "区经信局", ("取暖用电跳闸", "冬季频繁停电"),
     ("冬季用电负荷大，晚上频繁跳闸停电，取暖器无法使用。", "配电箱老化，天冷用电取暖经常断电，请供电部门检修。")),
    ("噪音扰民", "施工噪音", 7, 0.6, 6, (0.85, 0.05, 0.02, 0.08, 0.0), "区住建局", ("夜间施工噪音扰民", "工地半夜施工"),
     ("附近工地每天晚上十一点以后还在施工，噪音很大，严重影响休息。", "工地夜间浇筑混凝土，机器轰鸣到凌晨，多次反映无人处理。")),
    ("噪音扰民", "生活噪音", 7, 0.6, 5, (0.85, 0.03, 0.05, 0.07, 0.0), "区生态环境局", ("广场舞音响扰民", "烧烤店噪音"),
     ("晚上广场舞音响声音太大，一直持续到十点以后，家里老人无法休息。", "楼下烧烤店夜间营业喧哗，噪音和油烟扰民，请求整治。")),
    ("交通停车", "乱停乱放", 7, 0.4, 6, (0.7, 0.05, 0.15, 0.1, 0.0), "区交警大队", ("车辆乱停堵塞通道", "消防通道被占"),
     ("大量车辆占用消防通道和人行道停放，救护车无法通行。", "路边车辆乱停乱放，早晚高峰严重拥堵，建议施划停车位。")),
    ("交通停车", "停车收费", 8, 0.3, 3, (0.7, 0.2, 0.05, 0.05, 0.0), "区发改局", ("停车收费不合理", "停车费上涨"),
     ("地面停车位收费标准上涨，未经业主大会同意，要求核实。", "临时停车收费过高且不开发票，请求查处。")),
    ("物业管理", "物业服务", 0, 0.0, 6, (0.75, 0.1, 0.1, 0.0, 0.05), "区住建局", ("物业不作为", "电梯经常故障"),
     ("电梯经常故障停运，物业维修拖延，老人上下楼非常困难。", "物业公司服务差，公共区域卫生无人打扫，业主意见很大。")),
    ("环境卫生", "垃圾清运", 8, 0.4, 5, (0.75, 0.02, 0.1, 0.1, 0.03), "区综合执法局", ("垃圾未及时清运", "建筑垃圾乱堆"),
     ("垃圾桶满溢好几天没人清运，天气热臭味很大，蚊蝇滋生。", "路边堆放大量建筑垃圾，无人清理，扬尘严重。")),
    ("市政设施", "道路路灯", 0, 0.0, 4, (0.5, 0.05, 0.3, 0.0, 0.15), "区住建局", ("路灯不亮", "道路破损"),
     ("路灯坏了很久一直不亮，晚上出行很不安全，请尽快维修。", "路面坑洼破损，下雨积水，电动车经过容易摔倒。")),
    ("城市管理", "占道违建", 6, 0.3, 4, (0.6, 0.02, 0.08, 0.3, 0.0), "区综合执法局", ("占道经营", "违章搭建"),
     ("流动摊贩长期占道经营，堵塞人行道，收摊后垃圾遍地。", "顶楼住户违规搭建彩钢棚，存在安全隐患，请求拆除。")),
    ("民生服务", "社保医保", 11, 0.5, 4, (0.05, 0.8, 0.05, 0.0, 0.1), "区医保局", ("医保缴费咨询", "养老金认证咨询"),
     ("居民咨询城乡居民医保缴费时间和标准，以及在哪里办理。", "退休人员咨询养老金资格认证的办理方式。")),
    ("民生服务", "困难救助", 1, 0.3, 2, (0.05, 0.3, 0.0, 0.0, 0.65), "区民政局", ("申请临时救助", "独居老人求助"),
     ("独居老人生活困难，行动不便，请求社区上门帮扶。", "家庭因病致贫，咨询低保和临时救助如何申请。")),
    ("教育", "入学咨询", 8, 0.9, 3, (0.2, 0.7, 0.1, 0.0, 0.0), "区教育局", ("子女入学咨询", "学位划片"),
     ("咨询孩子今年秋季入学的划片范围和报名材料。", "对学区划片调整有意见，孩子上学距离太远，希望重新考虑。")),
)
# Openings of a text: the words before and after the place words.
OPENINGS = (("", ""), ("来电人反映：", ""), ("市民来电反映，", ""), ("网友反映：", ""), ("本人住在", "，"), ("我是", "的居民，"))
NONE_PLACES = ("", "我家附近", "家门口", "我们小区", "这边")
REPLIES = {
    "已办结": ("经核实，已协调相关单位处理完毕，并向来电人反馈。", "已联系来电人说明情况，相关问题已整改。",
              "经现场查看，已督促责任单位限期整改，后续将持续跟踪。"),
    "已退回": ("经核实，该诉求不属于华阳街道辖区，已申请退回重新派单。", "非本街道辖区事项，已退回市12345热线中心。"),
    "处理中": ("正在协调处理中。",),
}
HEADER_A = {  # canonical column -> spellings seen on the hotline system's sheets
    "order_id": ("工单编号", "诉求编号", "工单\n编号"),
    "received": ("来电时间", "受理时间", "受理 时间"),
    "title": ("标题", "诉求标题"),
    "content": ("诉求内容", "来电内容", "诉求\n内容"),
    "type": ("诉求类型", "性质"),
    "channel": ("来源渠道", "来源 渠道"),
    "district": ("所属区县", "区域"),
    "unit": ("承办单位",),
    "status": ("处理状态",),
    "reply": ("答复意见", "办理结果"),
    "replied": ("答复时间", "答复 时间"),
    "transfers": ("转办次数",),
    "satisfaction": ("满意度", "回访结果"),
    "anonymity": ("匿名", "是否匿名"),
    "remarks": ("",),
}
HEADER_B = {
    "order_id": "留言编号", "title": "留言主题", "received": "留言时间", "content": "留言详情", "channel": "信息来源",
    "type": "性质", "district": "区域", "unit": "所属部门", "status": "状态", "reply": "回复", "replied": "办结时间",
    "satisfaction": "回访结果", "anonymity": "匿名",
}
XLSX_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
EXCEL_UNIX_DAYS = 25_569  # 1970-01-01 as an Excel serial


def _pick(rng: np.random.Generator, options, n: int, p=None) -> np.ndarray:
    return np.asarray(options)[rng.choice(len(options), n, p=None if p is None else np.asarray(p) / np.sum(p))]


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10**width, n).astype(f"<U{width}"), width)


def _fullwidth(values: np.ndarray) -> np.ndarray:
    """ASCII digits -> full-width digits (０-９), one vectorised replacement per digit."""
    series = pl.Series(values.astype(str))
    for digit in range(10):
        series = series.str.replace_all(str(digit), chr(0xFF10 + digit), literal=True)
    return series.to_numpy().astype(str)


def places(street: Street, seed: int) -> pl.DataFrame:
    """The gazetteer the texts draw from: estates (one grid each), exclusive places (their grid), roads (a home community)."""
    rng = stream(seed, "hotline-places")
    january = street.grids.filter(pl.col("valid_from") == pl.col("valid_from").min())
    standard = january.filter(pl.col("grid_type") == "常规").sort("grid_code")
    per_grid = rng.choice([1, 2], standard.height, p=[0.6, 0.4])
    names = np.array([h + t for h in ESTATE_HEADS for t in ESTATE_TAILS])
    names = names[rng.permutation(len(names))[: int(per_grid.sum())]]
    estates = pl.DataFrame({
        "name": names, "kind": "estate",
        "community_code": np.repeat(standard["community_code"].to_numpy(), per_grid),
        "grid_code": np.repeat(standard["grid_code"].to_numpy(), per_grid),
    })
    exclusive = january.filter(pl.col("grid_type") != "常规").select(
        pl.col("grid_name").str.replace("专属网格$", "").alias("name"), pl.lit("exclusive").alias("kind"), "community_code", "grid_code")
    display = dict(zip(street.communities["display_name"].str.replace("社区$", ""), street.communities["community_code"]))
    codes = street.communities["community_code"].to_numpy()
    random_home = codes[rng.integers(0, len(codes), len(vocab.ROADS))]
    roads = pl.DataFrame({
        "name": list(vocab.ROADS), "kind": "road",
        "community_code": [display.get(ROAD_HOMES.get(r, ""), random_home[i]) for i, r in enumerate(vocab.ROADS)],
        "grid_code": pl.Series([None] * len(vocab.ROADS), dtype=pl.String),
    })
    return pl.concat([estates, exclusive, roads]).sort("kind", "community_code", "name")


def grid_places(street: Street, seed: int, grids: pl.DataFrame) -> pl.DataFrame:
    """What a grid table lists per grid of `grids` (one table version): `estates` and `roads`, each joined with 、.

    Estates go with the grid `places` gives them (grids keep their codes when redrawn), roads with the first
    standard grid of their home community, so the grid table and the hotline texts name the same places.
    """
    named = places(street, seed)
    first = grids.filter(pl.col("grid_type") == "常规").sort("grid_code").group_by("community_code").agg(pl.col("grid_code").first())
    estates = named.filter(pl.col("kind") == "estate").group_by("grid_code").agg(pl.col("name").sort().str.join("、").alias("estates"))
    roads = (named.filter(pl.col("kind") == "road").drop("grid_code").join(first, on="community_code")
             .group_by("grid_code").agg(pl.col("name").sort().str.join("、").alias("roads")))
    return grids.select("grid_code").join(estates, on="grid_code", how="left").join(roads, on="grid_code", how="left")


def _other_communities(street_code: str) -> pl.DataFrame:
    """Communities of the other streets of Shuangliu and of Jinjiang, with their street and district names."""
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    streets = divisions.filter(pl.col("level") == "street").select(
        pl.col("code").alias("street_code"), pl.col("name").alias("street_name"), pl.col("parent_code").alias("district_code"))
    districts = divisions.filter(pl.col("level") == "district").select(
        pl.col("code").alias("district_code"), pl.col("name").alias("district_name"))
    return (
        divisions.filter(pl.col("level") == "community")
        .select(pl.col("code").alias("community_code"), pl.col("name").str.replace(NAME_SUFFIXES, "").alias("display_name"),
                pl.col("parent_code").alias("street_code"))
        .join(streets, on="street_code").join(districts, on="district_code")
        .filter(pl.col("district_code").is_in(list(OTHER_DISTRICTS)) & (pl.col("street_code") != street_code))
        .sort("community_code")
    )


def _topic_weights(month: np.ndarray) -> np.ndarray:
    """(n, topics) probabilities of each topic in each order's month."""
    peak = np.array([t[2] for t in TOPICS])
    amp = np.array([t[3] for t in TOPICS])
    weight = np.array([t[4] for t in TOPICS], dtype=float)
    w = weight * (1 + amp * np.cos(2 * np.pi * (month[:, None] - peak) / 12))
    return w / w.sum(axis=1, keepdims=True)


def _choose_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category per row of a probability matrix (inverse CDF, vectorised)."""
    return np.minimum((rng.random(len(p))[:, None] > p.cumsum(axis=1)).sum(axis=1), p.shape[1] - 1)


def _received_times(rng: np.random.Generator, year: int, months: int) -> tuple[np.ndarray, np.ndarray]:
    """Base orders: (month, local epoch seconds), about BASE_ORDERS_PER_MONTH a month, more in summer and winter peaks."""
    month_no = np.arange(1, months + 1)
    lam = BASE_ORDERS_PER_MONTH * (1 + 0.1 * np.cos(2 * np.pi * (month_no - 7) / 12) + 0.05 * np.cos(2 * np.pi * (month_no - 1) / 6))
    counts = rng.poisson(lam)
    month = np.repeat(month_no, counts)
    first = np.array([to_epoch(month_first(year, int(m))) for m in month_no])
    days_in = np.array([(month_first(year + m // 12, m % 12 + 1) - month_first(year, m)).days for m in month_no])
    hour_p = np.array([1, 0.5, 0.3, 0.3, 0.3, 0.6, 2, 4, 7, 9, 9, 8, 6, 6, 7, 7, 7, 6, 6, 7, 7, 6, 4, 2], dtype=float)
    hour = rng.choice(24, len(month), p=hour_p / hour_p.sum())
    day = (rng.random(len(month)) * days_in[month - 1]).astype(np.int64)
    t = first[month - 1] + day * DAY + hour * HOUR + rng.integers(0, HOUR, len(month))
    return month, t


def _orders(street: Street, seed: int, year: int, months: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every order of the period with its place, topic, times and texts (no file layout yet), and the gazetteer."""
    rng = stream(seed, "hotline", street.code)
    gazetteer = places(street, seed)
    calendar = WorkCalendar(year)
    month, t = _received_times(rng, year, months)
    n = len(month)

    # Place: the kind, then the community (weighted by persons) and the named estate / road / exclusive place.
    kind = rng.choice(len(KINDS), n, p=KIND_P)
    persons = street.grids.filter(pl.col("valid_to").is_null()).group_by("community_code").agg(pl.col("persons").sum())
    comm = street.communities.join(persons, on="community_code", how="left").sort("community_code")
    comm_codes = comm["community_code"].to_numpy().astype(str)
    comm_names = comm["display_name"].to_numpy().astype(str)
    share = comm["persons"].fill_null(0).to_numpy().astype(float) + 1
    ci = rng.choice(len(comm_codes), n, p=share / share.sum())
    estates = gazetteer.filter(pl.col("kind") == "estate").sort("community_code", "name")
    e_comm = np.searchsorted(comm_codes, estates["community_code"].to_numpy().astype(str))
    e_count = np.bincount(e_comm, minlength=len(comm_codes))
    e_offset = np.concatenate([[0], np.cumsum(e_count)[:-1]])
    has_estate = e_count[ci] > 0
    ei = e_offset[ci] + (rng.random(n) * np.maximum(e_count[ci], 1)).astype(np.int64)
    ei = np.minimum(ei, estates.height - 1)
    e_name = estates["name"].to_numpy().astype(str)[ei]
    e_grid = estates["grid_code"].to_numpy().astype(str)[ei]
    kind = np.where((kind == 0) & ~has_estate, 1, kind)
    exclusive = gazetteer.filter(pl.col("kind") == "exclusive")
    xi = rng.integers(0, max(exclusive.height, 1), n)
    if exclusive.height == 0:
        kind = np.where(kind == 2, 1, kind)
    x_name = exclusive["name"].to_numpy().astype(str)[xi] if exclusive.height else np.full(n, "")
    x_grid = exclusive["grid_code"].to_numpy().astype(str)[xi] if exclusive.height else np.full(n, "")
    x_comm = exclusive["community_code"].to_numpy().astype(str)[xi] if exclusive.height else np.full(n, "")
    roads = gazetteer.filter(pl.col("kind") == "road")
    ri = rng.integers(0, roads.height, n)
    r_name = roads["name"].to_numpy().astype(str)[ri]
    r_comm = roads["community_code"].to_numpy().astype(str)[ri]
    kind = np.where((kind == 3) & ~np.isin(r_comm, comm_codes), 1, kind)  # a road whose home community is not kept
    others = _other_communities(street.code)
    # Half of the other-street orders name a community whose name a community of this street shares.
    shared = others.filter(pl.col("display_name").is_in(comm_names.tolist()))
    pool = np.where((rng.random(n) < 0.5) & (shared.height > 0), 1, 0)
    oi_all = rng.integers(0, others.height, n)
    oi_shared = rng.integers(0, max(shared.height, 1), n)
    o_frame = [others, shared if shared.height else others]

    def other(col: str) -> np.ndarray:
        return np.where(pool == 1, o_frame[1][col].to_numpy().astype(str)[np.minimum(oi_shared, o_frame[1].height - 1)],
                        others[col].to_numpy().astype(str)[oi_all])

    o_street, o_street_name, o_disp, o_district = other("street_code"), other("street_name"), other("display_name"), other("district_name")
    building = rng.integers(1, 19, n).astype(str)
    unit = rng.integers(1, 5, n).astype(str)
    number = rng.integers(1, 400, n).astype(str)
    v = rng.integers(0, 4, n)
    c_full = comm_names[ci]  # 锦江社区
    c_short = np.char.replace(c_full, "社区", "")  # 锦江
    street_name = street.name
    estate_words = np.select(
        [v == 0, v == 1, v == 2],
        [np.char.add(np.char.add(e_name, building), "栋"),
         np.char.add(np.char.add(np.char.add(np.char.add(e_name, building), "栋"), unit), "单元"),
         np.char.add(c_full, e_name)],
        np.char.add(street_name, e_name))
    community_words = np.select([v == 0, v == 1, v == 2], [np.char.add(street_name, c_full), c_full, np.char.add(c_short, "片区")],
                                np.char.add(street_name.removesuffix("街道"), c_full))
    exclusive_words = np.char.add(x_name, _pick(rng, ("", "门口", "旁边", "附近"), n))
    road_words = np.select([v == 0, v == 1], [np.char.add(np.char.add(r_name, number), "号"),
                                              np.char.add(np.char.add(r_name, number), "号附近")], r_name)
    other_district = np.where(o_district == DISTRICT_NAME, "", o_district)
    other_words = np.where(v < 2, np.char.add(np.char.add(other_district, o_street_name), o_disp), np.char.add(o_street_name, o_disp))
    none_words = _pick(rng, NONE_PLACES, n)
    place_words = np.select([kind == k for k in range(5)], [estate_words, community_words, exclusive_words, road_words, other_words],
                            none_words)
    title_place = np.select([kind == k for k in range(5)],
                            [e_name, c_full, x_name, r_name, np.char.add(o_street_name, o_disp)], "")
    community = np.select([kind == 0, kind == 1, kind == 2, kind == 3], [comm_codes[ci], comm_codes[ci], x_comm, r_comm], "")
    grid = np.select([(kind == 0) & (v != 3) & (v != 2), kind == 0, kind == 2], [e_grid, e_grid, x_grid], "")
    street_code = np.where(kind == 4, o_street, street.code)

    topic = _choose_rows(rng, _topic_weights(month))
    frame = pl.DataFrame({
        "t": t, "month": month, "kind": kind, "place_words": place_words, "title_place": title_place,
        "community_code": community, "grid_code": grid, "street_code": street_code, "topic_index": topic,
        "body_index": rng.integers(0, 2, n), "title_index": rng.integers(0, 2, n),
    })

    # Repeat complaints: a later order with the same place words and topic within 30 days of a placeable one.
    parents = np.flatnonzero(kind != 5)
    k = rng.binomial(n, REPEAT_SHARE)
    pick = rng.choice(parents, k, replace=False) if k and len(parents) else np.array([], dtype=np.int64)
    repeats = frame[pick].with_columns(
        (pl.col("t") + pl.Series(rng.integers(1 * DAY, (REPEAT_WINDOW_DAYS - 1) * DAY, len(pick)))).alias("t"),
        pl.Series("parent", pick, dtype=pl.Int64))
    end = to_epoch(month_first(year + months // 12, months % 12 + 1)) if months < 12 else to_epoch(date(year + 1, 1, 1))
    repeats = repeats.filter(pl.col("t") < end)
    frame = pl.concat([frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("parent")), repeats])
    frame = frame.with_row_index("draw").sort("t", "draw")
    n = frame.height
    rng = stream(seed, "hotline-fields", street.code)
    received = frame["t"].to_numpy()
    kind = frame["kind"].to_numpy()
    topic = frame["topic_index"].to_numpy()

    # Layout, ids, type, channel.
    layout = np.where(rng.random(n) < LAYOUT_A_SHARE, "A", "B")
    day_text = received.astype("datetime64[s]").astype("datetime64[D]")
    seq_in_day = pl.DataFrame({"d": day_text, "l": layout}).select(pl.int_range(pl.len()).over("d", "l")).to_series().to_numpy()
    yymmdd = np.char.replace(np.datetime_as_string(day_text, unit="D"), "-", "")
    id_a = np.char.add(np.char.add("FZ", identity.ascii_slice(yymmdd, 8, 2, 8)), np.char.zfill((seq_in_day + 1).astype("<U5"), 5))
    web_start = int(stream(seed, "hotline-web-ids").integers(180_000, 260_000))
    id_b = (web_start + np.cumsum(layout == "B") * 3 + rng.integers(0, 3, n)).astype(str)
    order_id = np.where(layout == "A", id_a, id_b)
    type_p = np.array([t_[5] for t_ in TOPICS])[topic]
    order_type = np.array(ORDER_TYPES)[_choose_rows(rng, type_p / type_p.sum(axis=1, keepdims=True))]
    channel_index = np.where(layout == "A", rng.choice(len(CHANNELS), n, p=CHANNEL_P["A"]), rng.choice(len(CHANNELS), n, p=CHANNEL_P["B"]))
    channel = np.array(CHANNELS)[channel_index]
    spell = np.full(n, "", dtype=object)
    for lay in ("A", "B"):  # one vectorised pick per (platform, channel): at most 12 small groups
        for name, options in CHANNEL_SPELLINGS[lay].items():
            mask = (layout == lay) & (channel == name)
            spell[mask] = _pick(rng, options, int(mask.sum()))
    channel_written = spell.astype(str)

    # Times: reply after 0-15 working days, in office hours; a reply after the period is missing (处理中).
    delay = rng.choice([0, 1, 2, 3, 4, 5, 7, 10, 15], n, p=[0.12, 0.25, 0.2, 0.14, 0.1, 0.08, 0.05, 0.04, 0.02])
    start = calendar.index_on_or_after(day_text)
    reply_day = calendar.day_at(start + delay).astype("datetime64[s]").astype(np.int64)
    replied = reply_day + rng.integers(9 * HOUR, 18 * HOUR, n)
    replied = np.maximum(replied, received + 30 * MINUTE + rng.integers(0, 2 * HOUR, n))
    export_at = end + 2 * DAY  # the exports are taken two days after the period
    returned = (kind == 4) & (rng.random(n) < 0.6)
    pending = (replied >= export_at) | (rng.random(n) < 0.01)
    status = np.where(pending, "处理中", np.where(returned, "已退回", "已办结"))
    transfers = rng.poisson(0.3, n) + (kind == 4)
    satisfaction = np.where(status == "已办结", _pick(rng, SATISFACTION, n, SATISFACTION_P), "")
    reply_index = rng.integers(0, 3, n)
    reply = np.select([status == "已办结", status == "已退回"],
                      [np.array(REPLIES["已办结"])[reply_index], np.array(REPLIES["已退回"])[reply_index % 2]], "")
    unit_dept = np.array([t_[6] for t_ in TOPICS])[topic]
    code_to_name = dict(zip(comm_codes.tolist(), comm_names.tolist()))
    community = frame["community_code"].to_numpy().astype(str)
    comm_unit = np.char.add(np.char.add(street_name, pl.Series(community).replace_strict(code_to_name, default="").to_numpy().astype(str)),
                            "居委会")
    u = rng.random(n)
    handling = np.where(u < 0.3, unit_dept, np.where((u < 0.45) & (community != ""), comm_unit, f"{street_name}办事处"))

    # Anonymity and caller names.
    a = rng.random(n)
    caller = np.char.add(identity.surnames(rng, n), np.where(rng.random(n) < 0.5, "先生", "女士"))
    named = a >= 0.75
    anonymity_written = np.where(a < 0.4, "匿名", np.where(named, caller, "实名"))
    caller_name = np.where(named, caller, "")

    # Texts with planted numbers.
    topics_title = np.array([tt for t_ in TOPICS for tt in t_[7]])
    topics_body = np.array([b for t_ in TOPICS for b in t_[8]])
    title_text = topics_title[topic * 2 + frame["title_index"].to_numpy()]
    body_text = topics_body[topic * 2 + frame["body_index"].to_numpy()]
    with_place = rng.random(n) < 0.55
    title = np.where(with_place, np.char.add(frame["title_place"].to_numpy().astype(str), title_text), title_text)
    title = np.where(rng.random(n) < 0.3, np.char.add(np.char.add("关于", title), "的" + "反映"), title)
    place_w = frame["place_words"].to_numpy().astype(str)
    oi = rng.integers(0, len(OPENINGS), n)
    wraps = np.array([after != "" for _, after in OPENINGS])[oi]
    opening = np.where(wraps & (place_w == ""), "", np.array([lead for lead, _ in OPENINGS])[oi])
    after = np.where(place_w == "", "", np.array([after for _, after in OPENINGS])[oi])
    opening = np.where(named & ~wraps & (rng.random(n) < 0.5), np.char.add(np.char.add("来电人", caller), "反映："), opening)
    body = np.char.add(np.char.add(np.char.add(opening, place_w), after), body_text)

    mobile = identity.mobile_numbers(rng, n)
    m_style = rng.random(n)
    mobile_written = np.where(
        m_style < 0.82, mobile,
        np.where(m_style < 0.9, np.char.add(np.char.add(np.char.add(np.char.add(identity.ascii_slice(mobile, 11, 0, 3), "-"),
                                                                   identity.ascii_slice(mobile, 11, 3, 7)), "-"),
                                            identity.ascii_slice(mobile, 11, 7, 11)), _fullwidth(mobile)))
    landline = np.char.add("028-8", _digits(rng, n, 7))
    ids = identity.id_numbers(np.full(n, "510116"), np.datetime64("1950-01-01") + rng.integers(0, 55 * 365, n), rng.integers(1, 999, n))
    case_no = np.char.add(np.char.add("FZ", rng.integers(13, 20, n).astype(str)), _digits(rng, n, 9))
    masked_mobile = np.char.add(np.char.add(identity.ascii_slice(identity.mobile_numbers(rng, n), 11, 0, 3), "****"), _digits(rng, n, 4))
    premasked = np.where(rng.random(n) < 0.5, "0000-00000000", masked_mobile)
    has_mobile = rng.random(n) < 0.26
    has_landline = rng.random(n) < 0.06
    has_id = rng.random(n) < 0.03
    has_case = rng.random(n) < 0.08
    has_premasked = rng.random(n) < 0.06
    ids_by_draw = pl.DataFrame({"parent": frame["draw"].cast(pl.Int64), "parent_id": order_id})
    parent_id = frame.select("parent").join(ids_by_draw, on="parent", how="left")["parent_id"].fill_null("").to_numpy().astype(str)
    is_repeat = parent_id != ""
    cites_parent = is_repeat & (rng.random(n) < 0.4)
    sep = np.where(layout == "B", np.where(rng.random(n) < 0.5, "\n", ""), np.where(rng.random(n) < 0.2, "\n", ""))
    cite = np.char.add(np.char.add("此前已反映过（工单编号", parent_id), "），问题仍未解决。")
    extra = np.where(cites_parent, np.char.add(sep, cite), "")
    extra = np.where(has_case, np.char.add(np.char.add(np.char.add(extra, "原工单号"), case_no), "，"), np.char.add(extra, ""))
    extra = np.where(has_mobile, np.char.add(np.char.add(np.char.add(extra, _pick(rng, ("联系电话", "我的手机", "电话：", "手机号"), n)),
                                                         mobile_written), "。"), extra)
    extra = np.where(has_landline, np.char.add(np.char.add(np.char.add(extra, sep), "座机"), np.char.add(landline, "。")), extra)
    extra = np.where(has_id, np.char.add(np.char.add(extra, "本人身份证号"), np.char.add(ids, "。")), extra)
    extra = np.where(has_premasked, np.char.add(np.char.add(extra, "回访电话"), np.char.add(premasked, "。")), extra)
    body = np.char.add(body, np.where(extra == "", "", np.char.add(sep, extra)))
    lead = rng.random(n)
    body = np.where((layout == "B") & (lead < 0.15), np.char.add("\n\t", body),
                    np.where((layout == "B") & (lead < 0.3), np.char.add("\u3000\u3000", body), body))
    title_mobile = (rng.random(n) < 0.01) & ~has_mobile
    title = np.where(title_mobile, np.char.add(np.char.add(title, "（"), np.char.add(mobile, "）")), title)
    reply_mobile = (status == "已办结") & (rng.random(n) < 0.05) & ~has_mobile & ~title_mobile
    reply = np.where(reply_mobile, np.char.add(np.char.add("已电话联系来电人（", mobile), np.char.add("），", reply)), reply)

    mobile_where = np.where(has_mobile, mobile_written, np.where(title_mobile | reply_mobile, mobile, ""))
    orders = pl.DataFrame({
        "order_id": order_id, "layout": layout, "street_code": frame["street_code"],
        "community_code": frame["community_code"], "grid_code": frame["grid_code"],
        "place_kind": np.array(KINDS)[kind], "place_words": place_w,
        "order_type": order_type, "topic": np.array([t_[0] for t_ in TOPICS])[topic],
        "subtopic": np.array([t_[1] for t_ in TOPICS])[topic], "channel": channel, "channel_written": channel_written,
        "received": received, "replied": np.where(status == "处理中", -1, replied), "status": status,
        "transfers": transfers.astype(np.int64), "satisfaction": satisfaction, "anonymous": a < 0.4,
        "anonymity_written": anonymity_written, "caller_name": caller_name, "repeat_of": parent_id,
        "title": title, "content": body, "reply": reply, "handling_unit": handling,
        "mobile": mobile_where, "landline": np.where(has_landline, landline, ""), "id_number": np.where(has_id, ids, ""),
        "case_number": np.where(has_case, case_no, ""), "cited": np.where(cites_parent, parent_id, ""),
        "premasked": np.where(has_premasked, premasked, ""),
    })
    blank_to_null = ["community_code", "grid_code", "satisfaction", "caller_name", "repeat_of", "reply"]
    orders = orders.with_columns(
        *[pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in blank_to_null],
        pl.concat_list([pl.when(pl.col(c) != "").then(pl.col(c)) for c in ("mobile", "landline", "id_number")])
        .list.drop_nulls().alias("personal_numbers"),
        pl.concat_list([pl.when(pl.col(c) != "").then(pl.col(c)) for c in ("cited", "case_number")])
        .list.drop_nulls().alias("case_numbers"),
        pl.concat_list([pl.when(pl.col("premasked") != "").then(pl.col("premasked"))]).list.drop_nulls().alias("premasked_numbers"),
        pl.when(pl.col("replied") >= 0).then(pl.col("replied")).alias("replied"),
    ).drop("mobile", "landline", "id_number", "case_number", "cited", "premasked")
    return orders, gazetteer


def _time_text(seconds: pl.Expr, fmt: str) -> pl.Expr:
    return (seconds * 1_000_000).cast(pl.Datetime("us")).dt.strftime(fmt)


def _write_xlsx(path: Path, sheets: list[tuple[str, pl.DataFrame]], rng: np.random.Generator, created: datetime) -> list[pl.DataFrame]:
    """Layout A: one sheet per month with its own header spellings; returns (order_id, sheet, row) per sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    wb.set_properties({"created": created, "author": "", "company": "12345市民服务热线"})
    date_fmt = wb.add_format({"num_format": "yyyy/m/d h:mm:ss"})
    head_fmt = wb.add_format({"bold": True, "text_wrap": True, "align": "center"})
    title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    keys = list(HEADER_A)
    shift = int(rng.integers(0, 3))
    where = []
    for i, (sheet_name, df) in enumerate(sheets):  # a quarter: at most 3 sheets
        variant = (i + shift) % 3
        labels = [HEADER_A[k][(variant + j) % len(HEADER_A[k])] if len(HEADER_A[k]) > 1 else HEADER_A[k][0] for j, k in enumerate(keys)]
        with_seq = variant == 1
        with_title = variant != 0
        ws = wb.add_worksheet(sheet_name)
        top = 1 if with_title else 0
        if with_seq:
            labels = ["序号", *labels]
        if with_title:
            ws.merge_range(0, 0, 0, len(labels) - 1, f"12345市民服务热线工单明细（{sheet_name}）", title_fmt)
        for j, label in enumerate(labels):
            if label:
                ws.write_string(top, j, label, head_fmt)
            else:
                ws.write_blank(top, j, None, head_fmt)
        serial_share = 0.65
        columns = _a_columns(df, rng, serial_share)
        if with_seq:
            columns = [list(range(1, df.height + 1)), *columns]
        for j, values in enumerate(columns):
            fmt = date_fmt if (labels[j] or "").replace(" ", "") in ("来电时间", "受理时间", "答复时间") else None
            ws.write_column(top + 1, j, values, fmt)
        ws.set_column(0, len(labels) - 1, 14)
        where.append(df.select("order_id", pl.lit(sheet_name).alias("sheet"),
                               (pl.int_range(pl.len()) + top + 2).cast(pl.Int64).alias("row")))
    wb.close()
    return where


def _mixed_dates(seconds: pl.Series, rng: np.random.Generator, share_serial: float) -> list:
    """A date column as Excel serials (numbers) in some cells and text like 2025/2/28 11:25:05 in others; None stays None."""
    serial = (seconds / DAY + EXCEL_UNIX_DAYS).to_numpy()
    text = pl.select(_time_text(pl.lit(seconds), "%Y/%-m/%-d %H:%M:%S")).to_series().to_numpy()
    pick = rng.random(len(seconds)) < share_serial
    out = np.where(pick, serial.astype(object), text.astype(object))
    out[seconds.is_null().to_numpy()] = None
    return out.tolist()


def _a_columns(df: pl.DataFrame, rng: np.random.Generator, share_serial: float) -> list[list]:
    remarks = np.where(df["repeat_of"].is_not_null().to_numpy() & (rng.random(df.height) < 0.5), "重复件",
                       np.where(rng.random(df.height) < 0.05, "催办", None))
    return [
        df["order_id"].to_list(), _mixed_dates(df["received"], rng, share_serial), df["title"].to_list(), df["content"].to_list(),
        df["order_type"].to_list(), df["channel_written"].to_list(), [DISTRICT_NAME] * df.height, df["handling_unit"].to_list(),
        df["status"].to_list(), df["reply"].to_list(), _mixed_dates(df["replied"], rng, share_serial), df["transfers"].to_list(),
        df["satisfaction"].to_list(), df["anonymity_written"].to_list(), remarks.tolist(),
    ]


def _csv_bytes(df: pl.DataFrame, rng: np.random.Generator) -> bytes:
    """Layout B: the web platform's csv text, GBK, CRLF, 留言时间 as MM/DD/YYYY HH:MM in some rows and ISO in others."""
    us = rng.random(df.height) < 0.4
    out = df.with_columns(
        pl.when(pl.Series(us)).then(_time_text(pl.col("received"), "%m/%d/%Y %H:%M"))
        .otherwise(_time_text(pl.col("received"), "%Y-%m-%d %H:%M:%S")).alias("received"),
        pl.when(pl.Series(rng.random(df.height) < 0.5)).then(_time_text(pl.col("replied"), "%Y-%m-%d %H:%M:%S"))
        .otherwise(_time_text(pl.col("replied"), "%Y/%-m/%-d %H:%M")).alias("replied"),
        pl.lit(DISTRICT_NAME).alias("district"),
        pl.col("channel_written").alias("channel"), pl.col("order_type").alias("type"), pl.col("handling_unit").alias("unit"),
        pl.col("anonymity_written").alias("anonymity"),
    ).select([pl.col(k).cast(pl.String).alias(v) for k, v in HEADER_B.items()])
    return out.write_csv(line_terminator="\r\n").encode("gbk")


def write_hotline(raw_dir: Path, truth_dir: Path, *, seed: int = 2025, year: int = 2025, months: int = 12,
                  street: Street | None = None) -> list[dict]:
    """Write the hotline exports of `months` months under `raw_dir/hotline/` and their truth under `truth_dir`.

    Returns one file entry per written file (the shape of the generator's files truth). `street` defaults to
    Huayang Street as `build_street` makes it; the same seed gives the same bytes.
    """
    if not 1 <= months <= 12:
        raise ValueError("months must be between 1 and 12")
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    street = street or build_street(seed, year, months=months)
    orders, gazetteer = _orders(street, seed, year, months)
    folder = raw_dir / SOURCE
    shutil.rmtree(folder, ignore_errors=True)
    month_of = (pl.col("received") * 1_000_000).cast(pl.Datetime("us")).dt.month()
    orders = orders.with_columns(month_of.alias("_month"))
    rng = stream(seed, "hotline-files", street.code)
    files, located = [], []
    for quarter in range(1, (months - 1) // 3 + 2):  # at most 4 workbooks
        in_q = [m for m in range(3 * quarter - 2, 3 * quarter + 1) if m <= months]
        name = f"12345工单明细_{year}年第{quarter}季度.xlsx"
        sheets = [(f"{year}年{m}月" if (m + quarter) % 2 else f"{m}月",
                   orders.filter((pl.col("layout") == "A") & (pl.col("_month") == m))) for m in in_q]
        exported = datetime(year + (in_q[-1] == 12), in_q[-1] % 12 + 1, 3, 9, 30)
        where = _write_xlsx(folder / name, sheets, rng, exported)
        set_mtime(folder / name, exported)
        rel = f"{SOURCE}/{name}"
        located += [w.with_columns(pl.lit(rel).alias("file")) for w in where]
        files.append({"path": rel, "source": SOURCE, "community_code": None, "month": f"{year}-{in_q[0]:02d}",
                      "data_rows": sum(s.height for _, s in sheets), "bad_rows": 0, "expected_status": "landed",
                      "note": f"hotline layout A: xlsx, {len(sheets)} sheets"})
    for m in range(1, months + 1):  # one csv per month
        df = orders.filter((pl.col("layout") == "B") & (pl.col("_month") == m))
        name = f"网络理政留言_{year}-{m:02d}.csv"
        (folder / name).write_bytes(_csv_bytes(df, rng))
        set_mtime(folder / name, datetime(year + (m == 12), m % 12 + 1, 2, 8, 0))
        rel = f"{SOURCE}/{name}"
        located.append(df.select("order_id", pl.lit(None, dtype=pl.String).alias("sheet"),
                                 (pl.int_range(pl.len()) + 2).cast(pl.Int64).alias("row"), pl.lit(rel).alias("file")))
        files.append({"path": rel, "source": SOURCE, "community_code": None, "month": f"{year}-{m:02d}",
                      "data_rows": df.height, "bad_rows": 0, "expected_status": "landed", "note": "hotline layout B: GBK csv"})
    where = pl.concat(located).select("order_id", "file", "sheet", "row")
    truth = orders.join(where, on="order_id", how="left").select(
        "order_id", "layout", "file", "sheet", "row", "street_code", "community_code", "grid_code", "place_kind", "place_words",
        "order_type", "topic", "subtopic", "channel",
        (pl.col("received") * 1_000_000).cast(pl.Datetime("us")).alias("received_at"),
        (pl.col("replied") * 1_000_000).cast(pl.Datetime("us")).alias("replied_at"),
        "status", "transfers", "satisfaction", "anonymous", "caller_name", "repeat_of",
        "personal_numbers", "case_numbers", "premasked_numbers",
    ).sort("received_at", "order_id")
    truth_dir.mkdir(parents=True, exist_ok=True)
    truth.write_parquet(truth_dir / "hotline_truth.parquet")
    gazetteer.write_parquet(truth_dir / "hotline_places.parquet")
    return files


if __name__ == "__main__":  # a quick look: python -m demo.hotline RAW TRUTH [MONTHS]
    import sys

    out = write_hotline(Path(sys.argv[1]), Path(sys.argv[2]), months=int(sys.argv[3]) if len(sys.argv) > 3 else 12)
    print(pl.DataFrame(out).select("path", "data_rows"))
