"""Every user-facing string of the dashboard, in one table (an English view is a column away)."""

TEXT = {
    "app_title": "GridPulse 网格化服务管理",
    "overview": "总览",
    "month": "月份",
    "residents": "实有人口",
    "grids_patrolled": "已巡查网格",
    "cases_accepted": "受理事件",
    "cases_closed": "结案事件",
    "on_time_closure_rate": "按期结案率",
    "communities_reported": "已报送人口台账的社区",
    "no_snapshot": "尚未发布数据快照。请先运行 `make demo` 或 `gridpulse run`。",
    "trend": "近12个月趋势",
    "by_community": "各社区情况",
    "community": "社区",
    "has_register": "已报送台账",
    "missing_register": "本月未报送台账的社区：{names}",
    "snapshot_time": "数据快照发布时间：{time}",
    "of_grids": "共 {n} 个网格",
}


def t(key: str, **kwargs) -> str:
    text = TEXT[key]
    return text.format(**kwargs) if kwargs else text
