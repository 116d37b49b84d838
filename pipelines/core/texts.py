"""Every user-facing text (Chinese) in one table: the command line, the Dagster steps, the quality
gate and the community feedback workbook, the quarterly report and the dashboard.

Sections follow the order of the data flow; the dashboard's texts are the `TEXT` table looked up by
`dashboards.i18n.t`. An English view would be this one module with its values translated.
"""

# --- shared ------------------------------------------------------------------------------------------

SOURCE_TITLES = {"grids": "网格台账", "population": "实有人口台账", "cases": "事件流转日志", "patrols": "巡查走访日志",
                 "hotline": "12345工单"}
FEEDBACK_FILE = "{code}_{month}_数据报送质量反馈.xlsx"  # data/published/quality/<month>/
REPORT_FILE = "{street}_{quarter}_季度形势分析报告"  # data/published/reports/, .pdf and .xlsx
WARNINGS_FILE = "预警_{date}.xlsx"  # data/published/, the day's warnings (marts.fct_warnings), one file per data day

STEP_TITLES = {"ingest": "导入文件", "calendar": "工作日历", "quality": "数据质量检查（Great Expectations）",
               "dbt": "数据建模与检查（dbt build）", "publish": "发布服务快照", "artifacts": "生成社区反馈表",
               "report": "生成季度报告", "warnings": "生成当日预警清单"}

# --- command line ------------------------------------------------------------------------------------

CLI = {  # words of the command line's tables
    "sources": SOURCE_TITLES,
    "status": {"landed": "已入库", "rejected": "拒收", "duplicate": "重复", "superseded": "被替换"},
    "steps": STEP_TITLES,
    "runs": {"success": "成功", "failed": "失败", "interrupted": "中断", "running": "进行中", "blocked": "质量闸门拦截"},
    "kinds": {"run": "运行", "backfill": "补录"},
}

# argparse's own messages (English in the standard library), said again in Chinese: (pattern, text)
USAGE_ERRORS = (
    (r"the following arguments are required: (?P<names>.+)", "缺少参数：{names}。"),
    (r"argument (?P<name>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     "参数 {name} 的取值 {value} 无效，可选：{choices}。"),
    (r"argument (?P<name>\S+): invalid (?P<kind>int|float) value: (?P<value>.+)", "参数 {name} 需要一个数字，收到的是 {value}。"),
    (r"argument (?P<name>\S+): expected (?P<n>.+) arguments?", "参数 {name} 后面缺少取值。"),
    (r"unrecognized arguments: (?P<names>.+)", "无法识别的参数：{names}。"),
)
USAGE_HINT = "用法见 {prog} -h。"
BUSY = "另一个任务正在写入数据仓库（{holder}），本次未运行。请等它结束后再试，或去掉 --no-wait 排队等待。"
WAITING = "另一个任务正在写入数据仓库（{holder}），等待它结束后继续……"
# gridpulse place: a data clerk's placement of one 12345 hotline order (data/corrections/hotline_places.csv)
PLACE = {
    "placed": "已记录：{order} → {community}{grid}。下次运行 gridpulse run 后生效。",
    "unknown_community": "社区“{community}”不是本街道的社区，请填写 12 位社区代码（如 510116003001）或社区名称。",
    "unknown_grid": "网格“{grid}”不在最新网格台账里，请填写 15 位网格编码。",
    "grid_elsewhere": "网格“{grid}”属于{owner}，不属于{community}，请核对后重新填写。",
    "unknown_order": "没有工单 {order}：12345工单里找不到这个工单编号，请核对后重新填写。",
    "empty_order": "工单编号不能为空。",
}

# --- ingest: rejected files, the ledger's notes, quarantined rows ------------------------------------
# A text names a contract field by its label (`Field.title`), never by its canonical name; the code
# that fills in {fields}, {field}, {earlier} and {later} takes canonical names and looks the labels up.

# A whole file refused (the ledger's `message`, `gridpulse check`): reject code -> text. A code whose
# cases read differently has one entry per case, `code:case`. {file} is the file's name, {title} its
# source's title, {formats} the formats the source accepts (FORMAT_TITLES).
REJECTIONS = {
    "empty": "文件“{file}”没有数据行，请确认已填写后重新报送。",
    "empty:zero_bytes": "文件“{file}”是空文件（0字节），请重新导出后报送。",
    "empty:no_lines": "文件“{file}”是空文件，请重新导出。",
    "empty:no_records": "文件“{file}”没有任何记录，请重新导出。",
    "corrupt:xlsx": "文件“{file}”已损坏或不是有效的Excel文件，请重新导出后再报送。",
    "corrupt:jsonl": "文件“{file}”中没有一行是完整的记录（每行应为一个JSON对象），"
                     "可能导出时被截断或不是事件系统的导出文件，请重新导出。",
    "encoding:csv": "文件“{file}”的编码无法识别，请另存为UTF-8或GBK编码的CSV。",
    "encoding:jsonl": "文件“{file}”的编码无法识别，请导出为UTF-8编码的JSON Lines文件。",
    "wrong_kind": "文件“{file}”不是可识别的数据文件，{title}请以{formats}格式报送。",
    "no_header": "文件“{file}”中找不到{title}的表头，请使用标准模板。",
    "missing_column": "文件“{file}”缺少必填列：{fields}。请补充该列后重新报送。",
    "no_month": "无法确定文件“{file}”的月份，请在标题行或文件名中注明，如“2025年3月”。",
    "no_slice": "无法确定文件“{file}”所属的{missing}：请在标题行写明（如“华阳街道通济桥街社区{title}（2025年3月）”）"
                "或在文件名中注明社区和月份后重新报送。",
    "not_found": "找不到文件“{file}”。",
    "unknown_source": "无法判断文件“{file}”属于哪类数据（{titles}）：请使用标准模板的表头；"
                      "用命令行检查时可加 --source 指定类别。",
}
FORMAT_TITLES = {"xlsx": "Excel", "xlsm": "Excel", "csv": "CSV", "jsonl": "JSON Lines", "json": "JSON Lines"}
SLICE_PARTS = {"community": "社区", "month": "月份"}  # what `no_slice` says a file does not name

# The ledger's message of a file that landed, or was skipped as a copy.
LEDGER = {
    "duplicate": "与已报送文件“{file}”内容完全相同，已跳过。",
    "duplicate_check": "与已报送文件“{file}”内容完全相同，入库时将跳过。",  # `gridpulse check`
    "superseded_in_batch": "其中{rows}行所属的社区月份由同批次较晚的文件替换。",
    "partly_replaced": "{month}的{rows}行所属社区已由较晚报送的文件替换。",
    "all_known": "全部{rows}行已由此前报送的文件入库，未重复计入。",
}

# `gridpulse check`: a header no field names, and the field whose alias it nearly is.
NEAR_MISS = ("表头“{header}”未能识别，最接近的已知表头是“{alias}”（{field}）。"
             "如两者含义相同，可请系统管理员在{title}的数据契约中为“{field}”加入别名“{header}”。")

# Reason code of a quarantined row (the quarantine's `reason`) -> text. A contract rule's code (its
# `name`) names the rule's fields: {earlier} and {later}.
ROW_REASONS = {
    "missing_required": "必填项为空",
    "invalid_id_format": "身份证号码格式错误（应为18位或15位）",
    "invalid_id_checksum": "身份证号码校验位错误",
    "invalid_id_date": "身份证号码中的出生日期无效",
    "invalid_id_region": "身份证号码中的行政区划代码无效",
    "invalid_date": "日期无法识别",
    "future_date": "日期晚于报送月份",
    "not_a_number": "应为数字",
    "invalid_value": "取值不在允许范围内",
    "unknown_grid": "网格编码不存在于网格台账",
    "grid_quarantined": "所属网格在网格台账中未通过校验，请先更正网格台账",
    "future_time": "时间晚于文件接收时间",
    "invalid_json": "该行不是有效的JSON",
    "time_order": "{later}早于{earlier}",
    "duplicate_row": "重复记录",
}
ALLOWED_VALUES = "{reason}（可填：{values}）"  # an enum's invalid_value
OTHER_REASON = "其他错误"
WHOLE_ROW = "整行"  # the `field` of a row that fails as a whole (a line that is no JSON object)

# A contract a deployment edited (GRIDPULSE_CONTRACTS) that leaves a field without a Chinese name.
CONTRACT_UNLABELLED = ("数据契约 {path} 中的字段 {name} 没有中文名称："
                       "请给它加上 label（数据专员看到的字段名，如“开始时间”）或一个中文别名。")

# --- quality gate and the community feedback workbook -------------------------------------------------

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
    "allowed_values": ("{field}应为规定的取值之一",
                       "核对该列的写法；确属新的取值的，请数据专员在数据契约中加上它的写法。"),
}


def check_title(check: str, **values) -> str:
    name, _, field = check.partition(":")
    return CHECKS[name][0].format(field=field, **values)


def check_fix(check: str, **values) -> str:
    name, _, field = check.partition(":")
    return CHECKS[name][1].format(field=field, **values)


# Observed values, bounds and examples in the check results.
RESULTS = {
    "cannot_run": "检查无法执行（程序出错，详情见运行日志），请联系系统管理员。",
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
# Labels of the columns a check result names (a failing row's examples, a requirement), besides the
# contracts' fields.
ROW_LABELS = {"source_row": "行号", "days_without_patrol": "无记录天数", "worker_records": "本月记录数",
              "earlier_stage_at": "前序环节时间", "step_at": "时间", "missing_required_fields": "缺少",
              "is_resident": "实有人口"}

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

# --- quarterly situation-analysis report --------------------------------------------------------------

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
    "hotline": "八、12345热线诉求",
    "warnings": "九、研判预警",
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
    "orders": "工单（件）", "orders_per_10k_residents": "每万人工单（件）", "response_rate": "响应率",
    "resolution_rate": "解决率", "topic": "诉求主题",
}

# The 12345 section: its rows, the note under them, and what it says without an order in the quarter.
HOTLINE_LABELS = {"orders": "12345工单（件）", "response_rate": "响应率", "resolution_rate": "解决率",
                  "satisfaction_rate": "满意率", "unplaced_orders": "未定位到社区的工单（件）"}
HOTLINE_NOTE = ("季度三率为三个月件数合计之比：响应率 = 按时响应的工单 ÷ 工单，解决率 = 已解决的工单 ÷ 工单，"
                "满意率 = 满意的工单 ÷ 参加评价的工单。")
HOTLINE_NONE = "无数据：本季度没有12345热线工单入库（或数据快照中尚无热线指标表）。"

# 研判预警 (marts.fct_warnings): the kinds in the order every output lists them, and the words of the
# dashboard page, the report section and the daily list (data/published/预警_<day>.xlsx).
WARNING_KINDS = {"rising": "上升问题", "hotspot": "热点网格", "stalled_grid": "办理滞后", "deadline_risk": "超期风险",
                 "repeat": "重复问题", "register_jump": "人口异动"}
WARNING_SOURCES = {"cases": "事件", "hotline": "12345热线", "population": "人口台账"}
WARNING_COLUMNS = {  # the daily list's headers (no personal data: the mart holds none)
    "as_of_date": "预警日期", "kind_name": "预警类型", "source_name": "数据来源", "street_name": "街道",
    "community_name": "社区",
    "grid_code": "网格编码", "category": "类别或主题", "subject": "对象（事件编号、工单编号或地点）",
    "observed": "观测值", "expected": "期望值", "upper_limit": "预警线", "score": "预警强度",
    "first_as_of_date": "首次预警日期", "days_active": "持续天数", "is_new": "是否新增", "evidence": "依据",
}
WARNINGS_NONE = "本季度没有研判预警（或数据快照中尚无预警表 fct_warnings）。"
WARNINGS_NOTE = ("预警按各序列自身的历史水平判断（期望值与统计控制线），同一预警连续多日出现计为一次；"
                 "强度越高越异常。")
WARNINGS_TOP = 3  # the report lists the strongest episodes of each kind

SEVERITIES = {"blocking": "阻断", "warning": "警告"}
SOURCES = {"grids": "网格台账", "population": "实有人口台账", "cases": "事件流转日志", "patrols": "巡查走访日志",
           "hotline": "12345工单"}
LEVELS = {1: "1级 网格内", 2: "2级 社区", 3: "3级 街道", 4: "4级 区县", 5: "5级 市级及以上"}
REGISTER_STATUS = {"on_time": "按时", "late": "逾期", "missing": "未报送"}

SHEETS = {
    "headline": "总体指标", "communities": "社区办理情况", "case_mix": "事件类别与渠道", "levels": "处置层级",
    "top_grids": "事件最多的网格", "overdue": "超期积压", "coverage": "巡查走访", "population": "人口变动",
    "special_groups": "特殊人群", "assessment": "网格员考核", "assessment_bottom": "考核排名末位",
    "registers": "台账报送", "quarantine": "隔离数据", "rejected": "拒收文件", "checks": "数据检查未通过",
    "hotline": "12345热线三率", "hotline_communities": "12345热线各社区", "hotline_topics": "12345热线诉求主题",
    "warnings_by_kind": "预警按类型", "warnings_communities": "预警按社区", "warnings_top": "最强预警",
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
    ("研判预警", "按各序列自身历史判断的异常：上升问题、热点网格（7日件数高于期望值与控制线）、办理滞后、超期风险"
             "（按同类同级事件的办结用时分布估计超期概率）、重复问题（同一地点同一类别结案后再次发生）、人口异动；"
             "同一预警连续多日出现计为一次，阈值见种子表。"),
    ("12345热线三率", "响应率：在规定时限内响应的工单 ÷ 工单；解决率：已解决的工单 ÷ 工单；满意率：评价为满意或基本满意的"
                    "工单 ÷ 参加评价的工单（时限与满意取值见种子表 hotline_settings）；季度值为三个月件数合计之比。"),
)

NOTE_SOURCE = "所有数字取自数据仓库发布的服务快照（与仪表盘同源），快照发布时间 {published_at}。"
NOTE_CUTOFF = "本季度数据截至 {as_of_date}，季度尚未结束，数字为截至该日的情况。"

# --- dashboard ---------------------------------------------------------------------------------------

TEXT = {
    "app_title": "GridPulse 网格化服务管理",
    "overview": "总览",
    "quality": "数据质量",
    "month": "月份",
    "community": "社区",
    "grid": "网格",
    "whole_street": "全街道",
    "all_grids": "全部网格",
    "residents": "实有人口",
    "grids_active": "网格数",
    "grids_patrolled": "已巡查网格",
    "cases_accepted": "受理事件",
    "cases_closed": "结案事件",
    "cases_closed_on_time": "按期结案",
    "on_time_closure_rate": "按期结案率",
    "communities_reported": "已报送人口台账的社区",
    "no_snapshot": "尚未发布数据快照。请先运行 `make demo` 或 `gridpulse run`。",
    "trend": "近12个月趋势",
    "by_community": "各社区情况",
    "has_register": "已报送台账",
    "missing_register": "本月未报送台账的社区：{names}",
    "snapshot_time": "数据快照发布时间：{time}",
    "of_grids": "共 {n} 个网格",
    "vs_last_month": "较上月",
    "vs_last_year": "较去年同月 {value}",
    "no_last_year": "无去年同期数据",
    "download_xlsx": "下载 Excel",
    "quarter_report": "季度形势分析报告",
    "build_report": "生成 {quarter} 季度报告",
    "building_report": "正在生成报告（约 30 秒）…",
    "rebuild_report": "重新生成 {quarter} 季度报告",
    "report_built_at": "报告生成于 {when}。",
    "download_pdf": "下载 PDF",
    # pages
    "cases": "事件处置",
    "patrols": "巡查走访",
    "population": "人口",
    "assessment": "考核",
    "grid_map": "网格地图",
    # 事件处置
    "closure_rate": "结案率",
    "on_time_handling_rate": "按期处置率",
    "rework_rate": "返工率",
    "satisfaction_rate": "满意率",
    "share_closed_at_level_1": "网格内解决占比",
    "share_closed_within_community": "社区内解决占比",
    "median_working_days_to_close": "结案用时中位数（工作日）",
    "open_cases_at_end": "月末未结案",
    "overdue_open_cases": "超期未结案",
    "by_category": "按事件大类",
    "by_channel": "按来源渠道",
    "by_level": "按处置层级",
    "cases_by_community": "各社区事件处置",
    "overdue_list": "超期未结案事件（按超期工作日排序）",
    "no_overdue": "本月末没有超期未结案的事件。",
    "grid_case_list": "网格事件明细：{grid}",
    "pick_grid_for_cases": "在侧边栏选择一个网格，可查看该网格的事件明细。",
    "mix_name": "类别",
    "case_count": "事件数",
    "share_of_cases": "占比",
    "level": "处置层级",
    "level_n": "{n}级",
    "case_id": "事件编号",
    "category": "大类",
    "subcategory": "小类",
    "channel": "来源渠道",
    "accepted_at": "受理时间",
    "due_date": "办结时限",
    "closed_at": "结案时间",
    "is_closed_on_time": "按期结案",
    "rework_count": "返工次数",
    "satisfaction": "评价",
    "description_masked": "事件描述（已脱敏）",
    "overdue_working_days": "已超期（工作日）",
    "grid_code": "网格编码",
    "grid_name": "网格",
    # 巡查走访
    "patrol_compliance_rate": "巡查达标率",
    "household_visit_coverage": "入户走访覆盖率",
    "key_person_visit_coverage": "重点人员走访覆盖率",
    "grids_patrolled_at_frequency": "巡查达标网格",
    "required_patrol_days": "应巡查天数",
    "patrolled_working_days": "已巡查天数",
    "households_visited": "走访户数",
    "key_persons_visited": "走访重点人员",
    "grid_coverage": "各网格巡查走访（对照规定频次：每个工作日巡查1次，每户每年走访1次，重点人员每季度1次）",
    "not_patrolled_for": "连续未巡查天数不少于",
    "stale_grids": "{n} 个网格已连续 {days} 天及以上未巡查",
    "no_stale_grids": "没有连续 {days} 天及以上未巡查的网格。",
    "last_patrol": "最近巡查日期",
    "days_since": "距今天数",
    "worker_name": "网格员",
    "workers_activity": "网格员工作量",
    "records": "记录数",
    "patrol_days": "巡查天数",
    "patrols_count": "巡查次数",
    "patrol_hours": "巡查时长（小时）",
    "records_with_log": "有工作日志的记录",
    # 人口
    "residents_registered": "户籍人口",
    "residents_floating": "流动人口",
    "residents_foreign": "境外人员",
    "residents_present": "在住",
    "residents_away": "外出",
    "households": "户数",
    "moved_in": "迁入",
    "transferred_in": "转入",
    "moved_out": "迁出",
    "transferred_out": "转出",
    "deaths": "死亡",
    "by_registration": "按户籍类型",
    "flows": "人口变动（按月）",
    "special_groups": "特殊人群（敏感类别仅显示人数，少于5人显示为“<5”）",
    "tag_group": "类别",
    "tag_name": "人群",
    "persons_display": "人数",
    "registers_status": "人口台账报送情况（每月25日前报送）",
    "register_received_at": "报送时间",
    "is_register_on_time": "按时报送",
    "late_registers": "逾期或未报送台账的社区：{names}",
    "no_register_data": "无数据：本月没有人口台账入库。",
    # 考核
    "score": "考核得分",
    "pay_band": "绩效档次",
    "pay_share": "绩效发放比例",
    "rank_in_street": "街道排名",
    "workers_in_street": "参评人数",
    "last_place_streak": "连续末位月数",
    "has_last_place_penalty": "末位扣发",
    "grid_codes": "所管网格",
    "patrol_rate": "巡查得分率",
    "household_visits_rate": "入户走访得分率",
    "key_person_visits_rate": "重点人员走访得分率",
    "work_log_rate": "工作日志得分率",
    "workers_assessed": "参评网格员",
    "mean_score": "平均得分",
    "band_a": "A档人数",
    "penalised": "末位扣发人数",
    "score_trend": "得分走势（本页所列网格员）",
    "no_assessment": "本月没有考核数据。",
    # 网格地图
    "map_kpi": "着色指标",
    "map_caption": "网格边界来自网格台账（边界坐标）；颜色越深数值越高。",
    "no_shapes": "所选范围内没有带边界的网格。",
    "no_data_for_month": "所选月份没有数据。",
    # a source without landed data: the page says 无数据 and why, never a zero
    "no_data": "无数据",
    "source_grids": "网格台账",
    "source_population": "实有人口台账",
    "source_cases": "事件流转日志",
    "source_patrols": "巡查走访日志",
    "status_landed": "已入库",
    "status_rejected": "拒收",
    "status_duplicate": "重复文件",
    "status_superseded": "已被更正件替换",
    "severity_blocking": "阻断",
    "severity_warning": "警告",
    "no_source_data": "无数据：{scope}{month} 没有{source}入库（尚未报送，或文件全部被拒收：数据专员可在“数据质量”页查看原因）。",
    "no_sources_this_month": "本月无数据：{names}。相应指标显示为“无数据”。",
    "no_months_no_grids": "无数据：尚未收到网格台账。仪表盘按网格台账中的社区和网格统计，"
                          "请数据专员将网格台账放入 raw/grids/ 后运行 gridpulse run。",
    "no_months": "无数据：尚无可统计的月份。",
    "assessment_needs_patrols": "考核得分由巡查走访日志计算，没有巡查走访日志的月份不评分。",
    "map_no_data": "{kpi}：{month} 没有{source}入库，网格不着色（无数据）。",
    "street": "街道",
    # 数据质量
    "check_results": "质量检查结果（Great Expectations）",
    "failed_only": "只看未通过的检查",
    "no_failed_checks": "本月所有检查均已通过。",
    "no_checks": "本月还没有质量检查结果。",
    "check_title": "检查项",
    "severity": "级别",
    "is_success": "通过",
    "observed_value": "实际情况",
    "expected": "要求",
    "examples": "示例（行号/网格/事件）",
    "fix_hint": "整改建议",
    "checked_at": "检查时间",
    "community_report": "社区数据报送质量反馈表",
    "pick_community_for_report": "在侧边栏选择一个社区，即可下载该社区本月的质量反馈表（Excel）。",
    "download_quality_report": "下载质量反馈表",
    "report_failed": "报告生成失败：{error}",
    "no_quality_report": "该社区本月没有报送文件，或数据处理尚未完成，暂无质量反馈表。",
    "username": "用户名",
    "password": "密码",
    "sign_in": "登录",
    "sign_out": "退出登录",
    "bad_login": "用户名或密码错误。",
    "signed_in_as": "当前用户：{name}",
    "files_received": "文件台账",
    "quarantine_by_reason": "隔离记录（按原因）",
    "file_path": "文件",
    "source_name": "数据来源",
    "report_month": "所属月份",
    "received_at": "接收时间",
    "file_status": "状态",
    "rows_read": "读取行数",
    "rows_landed": "入库行数",
    "rows_quarantined": "隔离行数",
    "message": "说明",
    "reason": "原因",
    "rows": "行数",
    "community_code": "社区代码",
    "community_name": "社区",
    "months": "数据所属月份",
    "rows_already_landed": "此前已入库行数",
    "check_files": "报送前检查",
    "check_help": "上传待报送的文件，查看入库时会得到的结果：所属社区和月份、可入库行数、将被隔离的行及原因。检查不写入任何数据。",
    "check_upload": "选择文件（可多选）",
    "check_run": "开始检查",
    "check_running": "正在检查……",
    "check_ok": "可入库：社区 {where}；月份 {months}；读取 {read} 行，将入库 {landed} 行，隔离 {quarantined} 行。",
    "check_already": "其中 {n} 行已由此前报送的文件入库，不会重复计入。",
    "check_by_grid": "按每行网格定位",
    "check_not_ok": "不能入库（{status}）：{message}",
    "check_reason": "隔离 {rows} 行：{reason}",
    "check_example": "第{row}行 {field}＝{value}",
    "check_empty_value": "（空）",
    "check_failed": "检查未能完成：{error}",
    "source_unknown": "类别未知",
    "sign_in_too_soon": "登录尝试过于频繁，请 {seconds} 秒后再试。",
    "sign_in_locked": "登录失败次数过多，该账号已临时锁定，请 {minutes} 分钟后再试。",
    "session_expired": "超过 {minutes} 分钟未操作，已自动退出，请重新登录。",
    "hotline_unclassified": "未能按主题分类的工单占 {share}（数据专员可在主题关键词表中补充关键词）。",
    "audit_log": "访问审计",
    "audit_help": "登录（含失败）、页面访问及其筛选条件、数据下载的记录，按月存放于数据目录 audit/ 下；不含个人信息。",
    "audit_since": "起始日期",
    "audit_until": "截止日期",
    "audit_user": "用户",
    "audit_all_users": "全部用户",
    "audit_events": "事件类型",
    "audit_none": "所选范围内没有审计记录。",
    "audit_count": "共 {n} 条记录",
    "time": "时间",
    "event": "事件",
    "user": "用户",
    "role": "角色",
    "client": "客户端（摘要）",
    "page": "页面",
    "table": "下载内容",
    # 12345热线
    "hotline": "12345热线",
    "source_hotline": "12345工单",
    "orders": "工单数",
    "orders_per_10k_residents": "每万人工单数",
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "median_reply_working_days": "答复用时中位数（工作日）",
    "repeat_share": "重复诉求占比",
    "unplaced_orders": "未定位工单",
    "placement_rate": "定位率",
    "hotline_by_grid_note": "12345热线的三率按社区统计，卡片为所在社区的数字；主题和重复诉求按所选网格筛选。",
    "hotline_rates_trend": "三率近12个月走势",
    "hotline_orders_trend": "工单数近12个月走势",
    "hotline_per_10k": "各社区每万人工单数",
    "hotline_topics": "诉求主题（前 {n} 位）",
    "hotline_top_n": "显示主题数",
    "no_hotline_topics": "本月没有已归类主题的工单。",
    "hotline_repeats": "重复诉求（同一地点、同一主题在设定天数内再次反映，种子表 hotline_settings 的 repeat_window_days）",
    "order_received_at": "受理时间",
    "replied_at": "答复时间",
    "no_hotline_repeats": "本月没有重复诉求。",
    "hotline_unplaced": "未定位到社区的工单（数据专员手工定位）",
    "hotline_unplaced_pick_street": "未定位的工单不属于任何社区：在侧边栏选择“全街道”查看。",
    "no_hotline_unplaced": "本月所有工单均已定位到社区。",
    "hotline_place_form": "手工定位一张工单",
    "hotline_place_help": "定位结果记入更正表（data/corrections/hotline_places.csv），此后每次运行都会采用；"
                          "下次运行 gridpulse run 后在本页生效。",
    "hotline_place_order": "工单编号",
    "hotline_place_grid": "网格（可不选）",
    "hotline_place_no_grid": "不指定网格",
    "hotline_place_run": "定位",
    "hotline_place_running": "正在记录定位……",
    "hotline_placed": "已记录：{message}",
    "hotline_place_failed": "定位未能完成：{error}",
    "order_id": "工单编号",
    "order_type": "诉求类型",
    "title": "标题（已脱敏）",
    "content": "诉求内容（已脱敏）",
    "topic": "主题",
    "subtopic": "小类",
    "status": "办理状态",
    "handling_unit": "承办单位",
    "district": "区县",
    "place_words": "文中地名",
    "place_confidence": "定位置信度",
}
# 预警 (dashboard)
TEXT |= {
    "warnings": "预警",
    "warnings_today": "今日预警",
    "warnings_week": "本周预警",
    "warnings_as_of": "数据截至 {day}（最新数据日）；本周为截至该日的7天。",
    "warnings_no_mart": "无数据：数据快照中尚无预警表（fct_warnings），请在下次 gridpulse run 后查看。",
    "warnings_none_today": "今日没有预警。",
    "warnings_none_week": "本周没有预警。",
    "warnings_kind_count": "{kind}（{n}）",
    "warnings_more": "另有 {n} 条见下表。",
    "warnings_table": "预警清单",
    "warnings_breakdown": "按类型：{parts}",
    "warnings_card_help": "截至最新数据日（{day}）的7天内出现过的预警次数（同一预警连续多日计为一次）。",
    "warnings_new": "新",
    "warnings_days": "已持续 {n} 天",
    "warnings_expected": "期望值",
    "warnings_upper": "预警线",
    "warnings_observed": "观测值",
    "warning_score": "预警强度",
    "kind_name": "预警类型",
    "subject": "对象",
    "evidence": "依据",
    "first_as_of_date": "首次预警日期",
    "last_as_of_date": "最近预警日期",
    "days_active": "持续天数",
    "observed": "观测值",
    "expected_level": "期望值",
    "upper_limit": "预警线",
    "evidence_trend": "走势",
}
AUDIT_EVENTS = {"sign_in": "登录成功", "sign_in_failed": "登录失败", "sign_in_refused": "登录被限制",
                "sign_out": "退出登录", "session_expired": "超时退出", "page_view": "访问页面", "download": "下载"}
AUDIT_REASONS = {"locked": "账号临时锁定", "too_soon": "尝试过于频繁"}
ROLE_NAMES = {"leader": "街道领导", "community": "社区", "data": "数据专员"}
