"""Every user-facing string of the quality gate and the community report (Chinese), in one place."""

from __future__ import annotations

from pipelines.core.texts import FEEDBACK_FILE

SOURCE_TITLES = {"grids": "网格台账", "population": "实有人口台账", "cases": "事件流转日志", "patrols": "巡查走访日志"}
SEVERITY_TITLES = {"blocking": "阻断", "warning": "警告"}

# Check name -> (title shown in results, Data Docs and reports; what the sender should do).
CHECKS = {
    "required": ("必填项（{fields}）不能为空", "按“示例”中的行号补全所列必填项后重新报送。"),
    "not_empty": ("批次至少有一行入库数据", "文件中没有可入库的数据行，请检查是否报送了正确的文件。"),
    "quarantine_share": ("被隔离的行不超过文件行数的{limit:.0%}（不足{min_rows}行不计）",
                         "按下方“隔离明细”逐行更正后重新报送整份文件。"),
    "grid_code_known": ("网格编码须为网格台账中本辖区的网格",
                        "核对“所属网格”一栏，使用街道最新网格台账中的网格编码。"),
    "community_code_known": ("社区代码须为本街道的社区（统计用区划代码）",
                             "使用国家统计局2023年统计用区划代码中本街道社区的12位代码。"),
    "case_stage_order": ("同一事件的环节时间不能倒退（如结案早于受理）",
                         "请事件系统管理员核对这些事件的环节时间后重新导出。"),
    "household_band": ("常规网格户数应在{min}–{max}户之间",
                       "核实网格户数；确需调整的，按程序重新划分网格。"),
    "residents_change": ("实有人口较上次报送变化不超过{limit:.0%}",
                         "核实本月台账是否完整（是否漏报楼栋、重复登记），如属实请在报送时说明原因。"),
    "patrol_gap": ("网格不得连续{days}天以上无巡查走访记录",
                   "核实相关网格员是否在岗、终端数据是否漏传；请假期间应由AB岗补位巡查。"),
    "every_grid_patrolled": ("本社区每个网格本月都有巡查走访记录",
                             "核实未出现的网格是否已安排网格员，终端数据是否已上传。"),
    "worker_records_norm": ("网格员月巡查走访记录不超过全街道中位数的{factor:g}倍",
                            "核实该网格员的记录是否重复上传或补录。"),
}


def check_title(check: str, **values) -> str:
    name, _, field = check.partition(":")
    return CHECKS[name][0].format(field=field, **values)


def check_fix(check: str, **values) -> str:
    name, _, field = check.partition(":")
    return CHECKS[name][1].format(field=field, **values)


# Observed values, bounds and examples in the check results.
RESULTS = {
    "cannot_run": "检查无法执行：{message}",
    "column_missing": "检查无法执行（缺少该列）",
    "missing_count": "缺少 {n} 个",
    "unexpected_rows": "{n} 行不符合",
    "all_null": "全部为空（无缺项）",
    "contains_grids": "包含全部 {n} 个网格",
    "in_codes": "属于规定的 {n} 个编码",
    "no_previous": "无上次报送可比较",
    "residents_bounds": "{lo:.0f} – {hi:.0f}（上次 {month}：{previous} 人）",
    "worker_bound": "≤ {hi:.0f}（全街道中位数 {median:.0f}）",
    "no_norm": "本月全街道无足够记录",
    "file_share": "{file}：隔离 {quarantined}/{read} 行（{share:.1%}）",
    "worst_file": "（最高：{file}）",
    "quarantine_bound": "≤ {limit:.0%}（或少于 {min_rows} 行）",
    "unknown_community": "未找到社区“{text}”：请使用本街道社区的名称或12位统计用区划代码。",
}
# Labels of the columns that name a failing row in the examples (besides the contracts' headers).
ROW_LABELS = {"source_row": "行号", "days_without_patrol": "无记录天数", "worker_records": "本月记录数",
              "earlier_stage_at": "前序环节时间", "step_at": "时间", "missing_required_fields": "缺少"}

# Run messages (command line, Dagster, run log).
GATE_BLOCKED = "数据质量闸门未通过，本次不发布服务快照（仪表盘保留上次发布的数据）："
GATE_PASSED = "数据质量检查：{batches} 个批次，本次检查 {validated} 个，阻断 {blocking} 项，警告 {warnings} 项。"
FINDING = "{source}·{scope}·{month}：{title}（实际：{observed}）"
GATE_MORE = "……共 {n} 项"
GATE_NO_GRID_TABLE = ("尚未收到网格台账：人口台账、巡查走访日志和事件流转日志中的网格编码要对照街道网格台账校验。"
                      "请先将网格台账放入 raw/grids/ 后再运行（以下各项随之解决，社区无需重报）。")
DAGSTER_GATE = "{title}：阻断规则（必填项、隔离比例、编码存在、环节时间顺序），未通过时不建模、不发布"
DAGSTER_WARNINGS = "{title}：警告规则（不阻断发布）"

# The per-community submission report (xlsx).
REPORT = {
    "title": "{community}数据报送质量反馈（{month}）",
    "subtitle": "{street}数据专员编制 · 生成时间 {generated}",
    "sheet_summary": "报送概况",
    "sheet_months": "各月报送情况",
    "sheet_quarantine": "隔离明细",
    "sheet_reasons": "隔离原因汇总",
    "sheet_checks": "质量检查结果",
    "sheet_fix": "整改事项",
    "sheet_files": "本月文件",
    "summary_keys": ("社区", "社区代码", "报告月份", "报送截止日期", "阻断问题", "警告", "整改事项"),
    "on_time": "按时", "late": "逾期", "missing": "未报送", "passed": "通过", "failed": "未通过",
    "status": {"landed": "已入库", "superseded": "已被更正件替换", "rejected": "拒收", "duplicate": "重复文件"},
    "rejected_note": "（文件被拒收）",
    "see_quarantine": "见“隔离明细”",
    "missing_fix": "本月{source}尚未收到，请于{due}前报送。",
    "late_fix": "本月{source}于{received}收到，晚于{due}的报送期限，请按时报送。",
    "rejected_fix": "文件“{file}”被拒收：{message}",
    "quarantine_fix": "{source}有 {rows} 行因“{reason}”被隔离（字段：{field}），请更正后重新报送。",
    "all_good": "本月报送的数据未发现需要整改的问题。",
    "issue": "{source}：{title}（实际：{observed}）",
    "day": "%m月%d日",
    "file_name": FEEDBACK_FILE,
}

# Column headers of the report's tables (internal name -> Chinese).
REPORT_COLUMNS = {
    "month": "月份", "source": "台账类型", "status": "状态", "first_received_at": "首次接收时间",
    "on_time": "是否按时（25日前）", "files": "文件数", "rows_read": "读取行数", "rows_landed": "入库行数",
    "rows_quarantined": "隔离行数", "quarantined_share": "隔离比例", "blocking": "阻断问题", "warnings": "警告",
    "file_path": "文件", "received_at": "接收时间", "message": "说明", "source_row": "行号", "field": "字段",
    "value": "值（已脱敏）", "reason": "隔离原因", "rows": "行数", "check_title": "检查项", "severity": "级别",
    "result": "结果", "observed_value": "实际值", "expected": "要求", "examples": "示例",
    "number": "序号", "issue": "事项", "fix": "怎么改",
}
