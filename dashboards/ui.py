"""Small UI helpers shared by the pages: KPI deltas and xlsx downloads."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from dashboards.i18n import t


def to_xlsx(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def table(frame: pd.DataFrame, labels: dict[str, str], filename: str, key: str) -> None:
    """Show a table with Chinese headers and offer it as an xlsx download (the same rows)."""
    shown = frame.rename(columns=labels)
    percent = {labels.get(c, c): st.column_config.NumberColumn(format="percent")
               for c in frame.columns if c.endswith("rate") or c.endswith("share")}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=percent)
    st.download_button(t("download_xlsx"), to_xlsx(shown), file_name=f"{filename}.xlsx", key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def fmt_count(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def fmt_rate(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1%}"


def delta(series: pd.DataFrame, column: str, month: str, lag: int) -> float | None:
    """Change of `column` against the month `lag` months earlier, or None without data."""
    months = list(series["month"])
    if month not in months or months.index(month) - lag < 0:
        return None
    now = series.loc[series.month == month, column].iloc[0]
    before_month = months[months.index(month) - lag]
    if _months_apart(before_month, month) != lag:
        return None
    before = series.loc[series.month == before_month, column].iloc[0]
    if pd.isna(now) or pd.isna(before):
        return None
    return float(now - before)


def _months_apart(a: str, b: str) -> int:
    ya, ma = map(int, a.split("-"))
    yb, mb = map(int, b.split("-"))
    return (yb - ya) * 12 + mb - ma
