"""data/published/预警_<YYYY-MM-DD>.xlsx: the warnings of the data's latest day ("today": the latest as_of_date
of marts.fct_warnings, not the wall clock), read from the serving snapshot, with Chinese headers.

The mart holds no personal data (case and order numbers, place words and masked evidence only), and the list
adds none. A list is written again only when its rows changed, so a run with nothing new leaves the file as it
was; the lists of earlier days stay beside it. No file without the mart (an older warehouse) or a warning.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from pipelines.core.settings import Paths
from pipelines.core.snapshot import open_snapshot
from pipelines.core.texts import WARNING_COLUMNS, WARNING_KINDS, WARNING_SOURCES, WARNINGS_FILE

TODAYS_WARNINGS = """
select warnings.*, streets.street_name, communities.community_name
from marts.fct_warnings as warnings
left join marts.dim_communities as communities on warnings.community_code = communities.community_code
left join marts.dim_streets as streets on warnings.street_code = streets.street_code
where warnings.as_of_date = (select max(as_of_date) from marts.fct_warnings)"""
WIDTHS = {"evidence": 70, "subject": 24, "category": 16, "community_name": 14, "street_name": 12}


def _has_mart(con) -> bool:
    return con.execute("""select count(*) from duckdb_tables() where database_name = current_database()
                          and schema_name = 'marts' and table_name = 'fct_warnings'""").fetchone()[0] == 1


def todays_warnings(paths: Paths) -> pd.DataFrame | None:
    """Today's warnings as the list shows them (Chinese headers, by kind, strongest first); None without the mart."""
    con = open_snapshot(paths.serving)
    try:
        if not _has_mart(con):
            return None
        frame = con.execute(TODAYS_WARNINGS).df()
    finally:
        con.close()
    order = {kind: i for i, kind in enumerate(WARNING_KINDS)}
    frame = frame.assign(kind_order=frame.kind.map(order).fillna(len(order)),
                         source_name=frame.source.map(WARNING_SOURCES).fillna(frame.source),
                         is_new=frame.is_new.map({True: "是", False: "否"}))
    for column in ("as_of_date", "first_as_of_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    frame = frame.sort_values(["kind_order", "score", "warning_id"], ascending=[True, False, True])
    return frame[list(WARNING_COLUMNS)].rename(columns=WARNING_COLUMNS).reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name="预警", index=False)
        sheet = writer.sheets["预警"]
        for j, column in enumerate(WARNING_COLUMNS):
            sheet.set_column(j, j, WIDTHS.get(column, 12))
        sheet.freeze_panes(1, 0)


def _cells(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [row for sheet in book for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def write_warning_list(paths: Paths) -> dict:
    """Write today's list unless it holds the same rows already; returns what was done (asset metadata)."""
    frame = todays_warnings(paths) if paths.serving.exists() else None
    if frame is None or frame.empty:
        return {"day": "", "rows": 0, "written": False, "path": ""}
    day = frame[WARNING_COLUMNS["as_of_date"]].iloc[0]
    out = paths.published / WARNINGS_FILE.format(date=day)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp.xlsx")
    _write(frame, tmp)
    if out.exists() and _cells(out) == _cells(tmp):
        tmp.unlink()
        return {"day": day, "rows": len(frame), "written": False, "path": str(out)}
    tmp.replace(out)
    return {"day": day, "rows": len(frame), "written": True, "path": str(out)}
