"""Every user-facing string of the quarterly report, in one place (an English view is a table away)."""

from __future__ import annotations

NO_DATA = "无数据"
NOT_COMPUTABLE = "—"  # a rate whose denominator is 0
NO_LAST_YEAR = "无去年同期数据"
NO_PREVIOUS = "无上季度数据"
NOT_COMPARABLE = "不可比（台账不全）"  # population totals over different sets of registers

TITLE = "{street}网格化服务管理{quarter}形势分析报告"

SECTIONS = {
    "summary": "一、总体情况",
    "cases": "二、事件受理与办理",
    "hotspots": "三、热点网格与超期积压",
    "coverage": "四、巡查走访",
    "population": "五、人口变动与特殊人群",
    "assessment": "六、网格员考核",
    "quality": "七、数据质量",
    "definitions": "附：指标口径",
}

# (mart column, label, kind): kind is count, rate (0–1) or number (one decimal).
HEADLINE = (
    ("cases_accepted", "受理事件（件）", "count"),
    ("cases_closed", "本季度结案（件）", "count"),
    ("closure_rate", "结案率", "rate"),
    ("on_time_closure_rate", "按期结案率", "rate"),
    ("on_time_handling_rate", "按期处置率", "rate"),
    ("satisfaction_rate", "满意率", "rate"),
    ("rework_rate", "返工率", "rate"),
    ("share_closed_at_level_1", "网格内解决占比", "rate"),
    ("share_closed_within_community", "社区内解决占比", "rate"),
    ("median_working_days_to_close", "结案用时中位数（工作日）", "number"),
    ("overdue_open_cases", "季末超期未结事件（件）", "count"),
    ("residents", "季末实有人口（人）", "count"),
    ("moved_in", "迁入（人）", "count"),
    ("moved_out", "迁出（人）", "count"),
    ("grids_active", "网格数（个）", "count"),
    ("patrol_compliance_rate", "巡查达标率", "rate"),
    ("household_visit_coverage", "入户走访覆盖率（年内累计）", "rate"),
    ("key_person_visit_coverage", "重点人员走访覆盖率", "rate"),
    ("register_on_time_rate", "人口台账按时报送率", "rate"),
)

HEADLINE_COLUMNS = {
    "label": "指标", "current": "本季度", "previous": "上季度", "change": "环比",
    "last_year": "去年同期", "change_last_year": "同比", "source": "数据来源（表.字段）",
}

LABELS = {
    "community_name": "社区", "community_code": "社区代码", "grid_code": "网格编码", "grid_name": "网格",
    "cases_accepted": "受理事件", "cases_accepted_closed": "已结案", "cases_closed_on_time": "按期结案",
    "closure_rate": "结案率", "on_time_closure_rate": "按期结案率", "satisfaction_rate": "满意率",
    "on_time_handling_rate": "按期处置率", "cases_evaluated": "参评事件",
    "open_cases_at_end": "季末未结", "overdue_open_cases": "季末超期未结",
    "overdue_open_cases_over_5_working_days": "超期5个工作日以上", "overdue_age_max_working_days": "最长超期（工作日）",
    "grids_active": "网格数", "grids_patrolled_at_frequency": "巡查达标网格", "patrol_compliance_rate": "巡查达标率",
    "household_visit_coverage": "入户走访覆盖率", "key_person_visit_coverage": "重点人员走访覆盖率",
    "patrol_log_months": "收到巡查日志（月）",
    "residents": "季末实有人口", "residents_previous": "上季度末实有人口", "residents_change": "增减",
    "residents_floating": "流动人口", "moved_in": "迁入", "moved_out": "迁出", "transferred_in": "辖区内转入",
    "transferred_out": "辖区内转出", "deaths": "死亡", "key_persons_display": "重点人员",
    "registers_received": "收到台账（份）", "registers_on_time": "按时（份）", "registers_late": "逾期（份）",
    "registers_missing": "未报送（份）",
    "mix_name": "类别", "cases": "事件数", "share_of_cases": "占比", "cases_previous": "上季度",
    "final_level": "处置层级", "level_name": "层级", "cases_closed": "已结案",
    "tag_name": "人群", "tag_group": "分组", "display": "人数",
    "worker_name": "网格员", "worker_id": "工号", "grid_codes": "网格", "score": "得分", "rank_in_street": "街道排名",
    "workers_in_street": "参评人数", "mean_score": "季度平均分", "last_place_streak": "连续末位（月）",
    "has_last_place_penalty": "扣发补贴", "has_laggard_penalty": "年度落后", "pay_band": "绩效档", "workers": "人数",
    "month": "月份", "source_name": "数据来源", "reason": "原因", "rows": "行数", "file_path": "文件",
    "received_at": "接收时间", "message": "说明", "register_status": "台账报送",
    "report_month": "月份", "check_title": "检查项", "severity": "级别", "observed_value": "检查结果",
}

SEVERITIES = {"blocking": "阻断", "warning": "警告"}
SOURCES = {"grids": "网格台账", "population": "实有人口台账", "cases": "事件流转日志", "patrols": "巡查走访日志"}
LEVELS = {1: "1级 网格内", 2: "2级 社区", 3: "3级 街道", 4: "4级 区县", 5: "5级 市级及以上"}
REGISTER_STATUS = {"on_time": "按时", "late": "逾期", "missing": "未报送"}

SHEETS = {
    "headline": "总体指标", "communities": "社区办理情况", "case_mix": "事件类别与渠道", "levels": "处置层级",
    "top_grids": "事件最多的网格", "overdue": "超期积压", "coverage": "巡查走访", "population": "人口变动",
    "special_groups": "特殊人群", "assessment": "网格员考核", "assessment_bottom": "考核排名末位",
    "registers": "台账报送", "quarantine": "隔离数据", "rejected": "拒收文件", "checks": "数据检查未通过",
    "about": "说明",
}

DEFINITIONS = (
    ("受理事件", "季度内受理（受理时间落在季度内）且未作废的事件，即本季度的应结案数（GB/T 30428）。"),
    ("结案率", "受理事件中已结案的比例 = 已结案数 ÷ 应结案数。"),
    ("按期结案率", "在办理时限内结案的事件 ÷ 应结案数；时限按处置层级计工作日（法定节假日与调休按国家日历）。"),
    ("按期处置率", "在时限内处置完毕的事件 ÷ 应处置数。"),
    ("满意率", "评价为“满意”或“基本满意”的事件 ÷ 参加评价的事件。"),
    ("季末超期未结", "季度最后一天（或数据截止日）仍未结案且已过办理期限的事件。"),
    ("巡查达标率", "各网格实际有巡查的工作日 ÷ 按巡查频次要求应巡查的工作日，单个网格超出部分不抵补其他网格。"),
    ("入户走访覆盖率", "年初至季末走访的户数 ÷ 网格台账户数（每户每年至少走访一次）。"),
    ("重点人员走访覆盖率", "本季度走访的重点人员人次 ÷ 重点人员数（每人每季度至少走访一次）。"),
    ("实有人口", "季末月人口台账中居住状态为在住或外出的人数；该月未报送台账的社区显示“无数据”。"),
    ("人口台账按时报送", "每月25日（含）前收到台账（以文件接收时间为准）；25日以后收到为逾期。"),
    ("特殊人群", "季末月台账中带有该人群标签的实有人口；不足5人显示为“<5”，社区矫正、刑释解教、精神障碍、"
                "吸毒人员、邪教等敏感类别只以人数出现。"),
    ("无数据", "该社区本季度没有收到相应数据（如未报送台账或巡查日志），不是零。"),
    ("—", "分母为零，无法计算比率。"),
    ("不可比", "两个季度报送台账的社区数不同，街道人口合计不作比较。"),
)

NOTE_SOURCE = "所有数字取自数据仓库发布的服务快照（与仪表盘同源），快照发布时间 {published_at}。"
NOTE_CUTOFF = "本季度数据截至 {as_of_date}，季度尚未结束，数字为截至该日的情况。"
