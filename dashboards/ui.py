"""Small UI helpers shared by the pages: KPI deltas and xlsx downloads."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import streamlit as st

from dashboards import audit
from dashboards.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A share (a fraction 0–1, shown as a percentage) by its column name: a word rate, share or coverage in it
# (closure_rate, pay_share, household_visit_coverage, share_closed_at_level_1, share_of_cases).
SHARE_NAME = re.compile(r"(?:^|_)(?:rate|share|coverage)(?:_|$)")


def is_share(column: str) -> bool:
    """Whether `column` holds a share: every table, KPI card and map shows it as a percentage."""
    return bool(SHARE_NAME.search(column))


def to_xlsx(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def table(frame: pd.DataFrame, labels: dict[str, str], filename: str, key: str, trend: str | None = None) -> None:
    """Show a table with Chinese headers and offer it as an xlsx download (the same rows). `trend` names a
    column of number lists drawn as a small line chart in each row; the download leaves it out."""
    shown = frame.rename(columns=labels)
    config = {labels.get(c, c): st.column_config.NumberColumn(format="percent") for c in frame.columns if is_share(c)}
    kept = shown
    if trend is not None:
        config[labels.get(trend, trend)] = st.column_config.LineChartColumn(labels.get(trend, trend), y_min=0)
        kept = shown.drop(columns=[labels.get(trend, trend)])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    download(st, t("download_xlsx"), lambda: to_xlsx(kept), f"{filename}.xlsx", XLSX, key, rows=len(kept))


def download(where, label: str, make, file_name: str, mime: str, key: str, rows: int | None = None) -> None:
    """A download button (in `where`: st or a column) whose file is made, and the download logged in
    the audit log, only when it is clicked."""
    where.download_button(label, audit.download(make, file_name, rows), file_name=file_name, mime=mime, key=key,
                          on_click="ignore")


def metric_no_data(col, key: str) -> None:
    """A KPI card whose source has no data: 无数据 instead of a number."""
    col.metric(t(key), t("no_data"))


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


def quarter_label(month: str) -> str:
    year, m = month.split("-")
    return f"{year}Q{(int(m) - 1) // 3 + 1}"


def quarter_report(month: str, version: float | None) -> None:
    """Street-wide report of the selected month's quarter: leadership and data staff only (the caller checks).
    The pipeline publishes it; when it is missing (or older than the snapshot) the button asks the
    pipeline to build it (`gridpulse report`), the dashboard never prints it itself."""
    from dashboards import data
    from dashboards.commands import CommandFailed, build_report

    quarter = quarter_label(month)
    st.subheader(t("quarter_report"))
    files = data.quarter_reports(quarter)
    stale = not files or (version is not None and files[0].stat().st_mtime < version)
    if st.button(t("build_report" if not files else "rebuild_report", quarter=quarter), key="build_report",
                 type="primary" if stale else "secondary"):
        with st.spinner(t("building_report")):
            try:
                build_report(quarter)
            except CommandFailed as exc:
                st.error(t("report_failed", error=exc))
        files = data.quarter_reports(quarter)
    if len(files) == 2:
        pdf, xlsx = files
        st.caption(t("report_built_at", when=dt.datetime.fromtimestamp(pdf.stat().st_mtime).strftime("%Y-%m-%d %H:%M")))
        left, right = st.columns(2)
        download(left, t("download_pdf"), pdf.read_bytes, pdf.name, "application/pdf", "report_pdf")
        download(right, t("download_xlsx"), xlsx.read_bytes, xlsx.name, XLSX, "report_xlsx")


def metric_row(row: pd.Series, counts: tuple[str, ...] = (), rates: tuple[str, ...] = (),
               numbers: tuple[str, ...] = ()) -> None:
    """One line of st.metric cards: counts with thousands separators, rates as percentages."""
    keys = [(k, fmt_count) for k in counts] + [(k, fmt_rate) for k in rates] + [(k, fmt_number) for k in numbers]
    for col, (key, fmt) in zip(st.columns(len(keys)), keys):
        col.metric(t(key), fmt(row.get(key)))


def fmt_number(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.1f}"


def stop_without_months() -> None:
    """Stop the page with 无数据 and what is missing when the snapshot has no month to show (no grid table:
    the marts count by the grid table's communities and grids)."""
    from dashboards import data

    if not data.months():
        st.info(t("no_months") if data.has_data("grids") else t("no_months_no_grids"))
        st.stop()


def page_selection():
    """The signed-in user's sidebar selection, or stop the page when there is nothing to show."""
    from dashboards import data, filters

    if data.snapshot_version() is None:
        st.info(t("no_snapshot"))
        st.stop()
    stop_without_months()
    return filters.current(st.session_state["user"])


def no_source_data(source: str, sel) -> str | None:
    """The 无数据 note for `source` in the selection's month and community, or None when it has data."""
    from dashboards import data

    if data.has_data(source, sel.month, sel.community_code):
        return None
    names = dict(zip(data.communities().community_code, data.communities().community_name))
    scope = f"{names.get(sel.community_code, sel.community_code)} " if sel.community_code else ""
    return t("no_source_data", scope=scope, month=sel.month, source=t(f"source_{source}"))


def require_source(source: str, sel, note: str | None = None) -> None:
    """Stop the page with 无数据 when `source` has no landed data for the selection: a page of zeros
    would read as "nothing happened" when in fact nothing arrived."""
    text = no_source_data(source, sel)
    if text:
        st.info(text)
        if note:
            st.caption(note)
        st.stop()


def page_start(title_key: str):
    """Title, the scope line and the selection of a detail page (stops when nothing is published)."""
    sel = page_selection()
    st.title(t(title_key))
    st.caption(scope_caption(sel))
    return sel


def area_kpis_or_stop(sel) -> pd.Series:
    """The selection's KPI row of the month; the page stops with a note when the month has none."""
    from dashboards import data

    row = data.area_kpis(sel.month, sel.community_code, sel.grid_code, sel.street_code)
    if row.empty:
        st.info(t("no_data_for_month"))
        st.stop()
    return row


def scope_caption(sel) -> str:
    from dashboards import data

    frame = data.communities()
    names = dict(zip(frame.community_code, frame.community_name))
    streets = data.streets()
    street = dict(zip(streets.street_code, streets.street_name)).get(sel.street_code) if len(streets) > 1 else None
    where = names.get(sel.community_code, sel.community_code) if sel.community_code else (street or t("whole_street"))
    return f"{sel.month} · {where}" + (f" · {sel.grid_code}" if sel.grid_code else "")
