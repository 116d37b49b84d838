"""The report's plain-Chinese narrative, written from the figures (本季度共受理事件…件，环比…)."""

from __future__ import annotations

from pipelines.core.texts import NO_LAST_YEAR, NO_PREVIOUS
from reports import formats as f
from reports.figures import Figures


def _versus(figures: Figures, column: str, kind: str, unit: str = "", quiet: bool = False) -> str:
    """'环比增长8.3%（上季度1,030件），无去年同期数据'; quiet leaves out the missing comparisons."""
    now, before, year = (figures.street[k] for k in ("current", "previous", "last_year"))
    fmt = f.FORMATS[kind]
    parts = []
    if before is None or f.missing(before.get(column)):
        parts.append("" if quiet else NO_PREVIOUS)
    else:
        words = f.change_words(f.change(now[column], before[column], kind), kind) or "无法比较"
        parts.append(f"环比{words}（上季度{fmt(before[column])}{unit}）")
    if year is None or f.missing(year.get(column)):
        parts.append("" if quiet else NO_LAST_YEAR)
    else:
        words = f.change_words(f.change(now[column], year[column], kind), kind) or "无法比较"
        parts.append(f"同比{words}（去年同期{fmt(year[column])}{unit}）")
    return "，".join(p for p in parts if p)


def _cases(figures: Figures) -> str:
    s = figures.street["current"]
    on_time = _versus(figures, "on_time_closure_rate", "rate", quiet=True)
    return (f"{figures.quarter.zh}，{figures.street_name}共受理事件{f.count(s['cases_accepted'])}件，"
            f"{_versus(figures, 'cases_accepted', 'count', '件')}。结案率{f.rate(s['closure_rate'], '—')}，"
            f"按期结案率{f.rate(s['on_time_closure_rate'], '—')}{'，' + on_time if on_time else ''}；"
            f"群众满意率{f.rate(s['satisfaction_rate'], '—')}。"
            f"{f.rate(s['share_closed_at_level_1'], '—')}的已结案事件在网格内解决，"
            f"{f.rate(s['share_closed_within_community'], '—')}在社区内解决。")


def _hotspots(figures: Figures) -> str:
    mix = figures.case_mix[figures.case_mix.cases > 0]
    parts = []
    categories = mix[mix.mix_type == "category"].head(3)
    if len(categories):
        top = "、".join(f"{r.mix_name}（{f.count(r.cases)}件，占{f.rate(r.share_of_cases)}）"
                       for r in categories.itertuples())
        parts.append(f"从类别看，{top}居前")
    channels = mix[mix.mix_type == "channel"].head(1)
    if len(channels):
        r = channels.iloc[0]
        parts.append(f"受理渠道以{r.mix_name}为主（占{f.rate(r.share_of_cases)}）")
    if len(figures.top_grids):
        g = figures.top_grids.iloc[0]
        parts.append(f"受理事件最多的网格是{g.grid_name}（{f.count(g.cases_accepted)}件）")
    overdue = figures.communities[figures.communities.overdue_open_cases.fillna(0) > 0] \
        .sort_values(["overdue_open_cases", "community_code"], ascending=[False, True])
    total = figures.street["current"]["overdue_open_cases"]
    if total:
        where = "、".join(f"{r.community_name}（{f.count(r.overdue_open_cases)}件）" for r in overdue.head(3).itertuples())
        parts.append(f"季末超期未结事件{f.count(total)}件，主要在{where}")
    else:
        parts.append("季末无超期未结事件")
    return "；".join(parts) + "。"


def _coverage(figures: Figures) -> str:
    s = figures.street["current"]
    text = (f"网格巡查达标率{f.rate(s['patrol_compliance_rate'], '—')}，入户走访覆盖率（年内累计）"
            f"{f.rate(s['household_visit_coverage'], '—')}，重点人员走访覆盖率{f.rate(s['key_person_visit_coverage'], '—')}")
    c = figures.communities
    unreported = c[(c.grids_active.fillna(0) > 0) & (c.patrol_log_months < c.months_in_range)]
    if len(unreported):
        text += (f"（{'、'.join(unreported.community_name)}巡查日志未报齐，街道合计中按未巡查计算，"
                 f"各社区情况见第四部分）")
    reported = c[c.patrol_log_months > 0].dropna(subset=["patrol_compliance_rate"])
    if len(reported) > 1:
        low = reported.sort_values(["patrol_compliance_rate", "community_code"]).iloc[0]
        text += f"；巡查达标率最低的是{low.community_name}（{f.rate(low.patrol_compliance_rate)}）"
    return text + "。"


def _population(figures: Figures) -> str:
    s = figures.street["current"]
    text = f"季末实有人口{f.count(s['residents'])}人"
    before = figures.street["previous"]
    with_data = int(figures.communities.has_data.sum())
    if s["communities_with_register"] < with_data:
        text += f"（{with_data - int(s['communities_with_register'])}个社区季末月未报送台账，未计入）"
    if before is not None and not f.missing(before.get("residents")) and not f.missing(s["residents"]):
        if f.comparable("residents", s, before):
            diff = int(s["residents"] - before["residents"])
            text += f"，较上季度末{'增加' if diff >= 0 else '减少'}{abs(diff):,}人"
        else:
            text += "，报送台账的社区与上季度末不同，人口总数不作比较"
    return text + f"；本季度迁入{f.count(s['moved_in'])}人、迁出{f.count(s['moved_out'])}人。"


def _assessment(figures: Figures) -> str | None:
    a = figures.assessment
    if a is None:
        return None
    bands = a["bands"]
    total = int(bands.workers.sum())
    full = int(bands[bands.pay_share >= 1].workers.sum())
    text = f"本季度网格员月度考核共{total}人次，其中绩效全额发放档{full}人次，占{f.rate(full / total)}"
    if len(a["bottom"]):
        b = a["bottom"].iloc[0]
        text += f"；{b.month_start.month}月排名末位的是{b.community_name}网格员{b.worker_name}（{b.score:.1f}分）"
        if int(b.last_place_streak) > 1:
            text += f"，已连续{int(b.last_place_streak)}个月末位"
    return text + "。"


def _quality(figures: Figures) -> str:
    s = figures.street["current"]
    expected = int(s["months_in_range"] * s["communities_total"])
    received, on_time = int(s["registers_received"]), int(s["registers_on_time"])
    rows = int(figures.quarantine.rows.sum()) if len(figures.quarantine) else 0
    checks = "" if figures.checks is None else \
        f"；数据检查{figures.checks['total']}项，未通过{len(figures.checks['failed'])}项"
    return (f"按街道{int(s['communities_total'])}个社区计，本季度应报人口台账{expected}份，按时报送{on_time}份、"
            f"逾期{received - on_time}份、未报送{expected - received}份；"
            f"入库时隔离问题数据{rows:,}行，整份拒收文件{len(figures.rejected)}个{checks}。")


def _gaps(figures: Figures) -> str | None:
    c = figures.communities
    parts = []
    empty = c[~c.has_data].community_name.tolist()
    if empty:
        parts.append(f"以下{len(empty)}个社区本季度无数据（未收到台账、巡查日志和事件）：{'、'.join(empty)}")
    some = c[c.has_data]
    no_patrols = some[some.patrol_log_months == 0].community_name.tolist()
    if no_patrols:
        parts.append(f"{'、'.join(no_patrols)}本季度未报送巡查日志，巡查走访显示为“无数据”")
    no_register = some[some.residents.isna()].community_name.tolist()
    if no_register:
        parts.append(f"{'、'.join(no_register)}季末月未报送人口台账，人口数据显示为“无数据”")
    return "；".join(parts) + "。" if parts else None


def _warnings(figures: Figures) -> str | None:
    episodes = figures.warnings
    if episodes is None or episodes.empty:
        return None
    kinds = episodes.groupby("kind_name", sort=False).size().sort_values(ascending=False, kind="stable")
    by_kind = "、".join(f"{name}{n}次" for name, n in kinds.items())
    where = episodes.groupby("community_name").size().sort_values(ascending=False, kind="stable").head(3)
    return (f"本季度研判预警共{len(episodes)}次（{by_kind}），较多的社区是"
            f"{'、'.join(f'{name}（{n}次）' for name, n in where.items())}。")


def paragraphs(figures: Figures) -> list[str]:
    """The narrative, one paragraph per theme; a theme without figures is left out."""
    built = [_cases(figures), _hotspots(figures), _coverage(figures), _population(figures),
             _assessment(figures), _warnings(figures), _quality(figures), _gaps(figures)]
    return [p for p in built if p]
