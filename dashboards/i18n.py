"""Every user-facing string of the dashboard, in one table (an English view is a column away)."""

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
}


def t(key: str, **kwargs) -> str:
    text = TEXT[key]
    return text.format(**kwargs) if kwargs else text


def labels(*keys: str) -> dict[str, str]:
    """Column name -> Chinese header, for tables and downloads."""
    return {k: TEXT.get(k, k) for k in keys}
