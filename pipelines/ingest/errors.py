"""Rejections of whole files, with one sentence a data clerk understands (in Chinese)."""

from __future__ import annotations


class FileRejected(Exception):
    """The file cannot be ingested at all; `message` says what to fix."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.unmapped: tuple[str, ...] = ()  # header cells no field names (a missing column's near misses)
        self.missing: tuple[str, ...] = ()  # required fields without a column


# Reason codes of quarantined rows, with the Chinese text shown to data clerks.
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
    "time_order": "结束时间早于开始时间",
    "duplicate_row": "重复记录",
}
