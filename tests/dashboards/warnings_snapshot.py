"""A hand-made marts.fct_warnings (the contract of the early-warning mart) on top of the hotline page's
hand-made snapshot (hotline_snapshot.py): a few warning episodes whose days, communities and kinds are known
here, for the 预警 page, the 总览 card, the report section and the daily list.

"Today" is TODAY (the latest as_of_date); "this week" the 7 days ending then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.dashboards.hotline_snapshot import STREET, write_snapshot

TODAY = dt.date(2025, 6, 28)
KIND_NAMES = {"rising": "上升问题", "hotspot": "热点网格", "stalled_grid": "办理滞后", "deadline_risk": "超期风险",
              "repeat": "重复问题", "register_jump": "人口异动"}
COLUMNS = ("warning_id varchar, as_of_date date, first_as_of_date date, days_active integer, is_new boolean, "
           "kind varchar, kind_name varchar, source varchar, street_code varchar, community_code varchar, "
           "grid_code varchar, category varchar, subject varchar, observed double, expected double, "
           "upper_limit double, score double, evidence_series varchar, evidence varchar")


@dataclass(frozen=True)
class Episode:
    warning_id: str
    kind: str
    source: str
    community_code: str
    grid_code: str | None
    category: str | None
    subject: str | None
    first: dt.date
    last: dt.date
    score: float  # on the last day

    def active(self, days: int, today: dt.date = TODAY) -> bool:
        """Active on one of the `days` as-of days ending `today`."""
        return self.last > today - dt.timedelta(days=days) and self.first <= today


def _d(day: int) -> dt.date:
    return dt.date(2025, 6, day)


EPISODES = (
    Episode("W-rising-001", "rising", "cases", "510116003001", "510116003001001", "市容环境", None, _d(26), _d(28), 4.2),
    Episode("W-hotspot-004", "hotspot", "cases", "510116003004", "510116003004002", None, None, _d(28), _d(28), 5.1),
    Episode("W-deadline-001", "deadline_risk", "cases", "510116003001", "510116003001002", "街面秩序", "HY202506210012",
            _d(27), _d(28), 0.85),
    Episode("W-repeat-005", "repeat", "hotline", "510116003005", None, "噪音扰民", "正东街12号院", _d(24), _d(25), 3.0),
    Episode("W-jump-004", "register_jump", "population", "510116003004", "510116003004001", None, None, _d(19), _d(20), 2.5),
    Episode("W-stalled-001", "stalled_grid", "cases", "510116003001", "510116003001001", None, None, _d(23), _d(23), 2.2),
    Episode("W-rising-005", "rising", "hotline", "510116003005", None, "停车管理", None, _d(28), _d(28), 3.6),
    Episode("W-rising-q1", "rising", "cases", "510116003004", "510116003004001", "市容环境", None, dt.date(2025, 3, 30),
            dt.date(2025, 4, 2), 3.3),  # spans two quarters
)


def rows(episodes=EPISODES) -> list[tuple]:
    out = []
    for e in episodes:
        days = (e.last - e.first).days + 1
        for i in range(days):
            day = e.first + dt.timedelta(days=i)
            score = round(e.score - 0.1 * (days - 1 - i), 2)
            observed, expected, limit = (e.score, 0.5, 0.7) if e.kind == "deadline_risk" else (9.0 + i, 3.0, 6.5)
            evidence = (f"事件超期概率{observed:.0%}，高于阈值{limit:.0%}" if e.kind == "deadline_risk"
                        else f"近7日{observed:.0f}件，期望{expected:.0f}件，预警线{limit:.1f}件")
            out.append((e.warning_id, day, e.first, i + 1, i == 0, e.kind, KIND_NAMES[e.kind], e.source, STREET[0],
                        e.community_code, e.grid_code, e.category, e.subject, observed, expected, limit, score,
                        None if e.kind == "deadline_risk" else f"2,3,1,2,4,3,2,{observed:.0f}", evidence))
    return out


def add_warnings_table(con: duckdb.DuckDBPyConnection, episodes=EPISODES) -> None:
    con.execute(f"create or replace table marts.fct_warnings ({COLUMNS})")
    if episodes:
        con.executemany(f"insert into marts.fct_warnings values ({', '.join('?' * 19)})", rows(episodes))


def write_warnings_snapshot(data_dir: Path, warnings: bool = True) -> None:
    """The hotline page's hand-made snapshot plus marts.fct_warnings (left out when `warnings` is False)."""
    write_snapshot(data_dir)
    if warnings:
        con = duckdb.connect(str(data_dir / "serving.duckdb"))
        add_warnings_table(con)
        con.close()
