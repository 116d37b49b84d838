"""The report as a PDF: an HTML page from a jinja2 template with inline SVG charts, printed by headless
Chromium with the CJK fonts the project installs (Debian chromium, fonts-noto-cjk). No network."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pandas as pd

from pipelines.core.texts import (
    DEFINITIONS,
    LEVELS,
    NO_DATA,
    NO_LAST_YEAR,
    NO_PREVIOUS,
    NOT_COMPARABLE,
    NOT_COMPUTABLE,
    NOTE_CUTOFF,
    NOTE_SOURCE,
    SECTIONS,
    TITLE,
)
from reports import charts
from reports import formats as f
from reports.figures import Figures
from reports.tables import Table, all_tables

TEMPLATES = Path(__file__).with_name("templates")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--no-pdf-header-footer", "--virtual-time-budget=10000")


# the cells that stand for a missing value: printed grey, centred and on one line (class "missing")
MISSING_MARKS = (NO_DATA, NOT_COMPUTABLE, NOT_COMPARABLE, NO_LAST_YEAR, NO_PREVIOUS)


class PdfFailed(RuntimeError):
    pass


def _text(cell, kind: str) -> tuple[str, str]:
    """(text, css class) of one cell."""
    if isinstance(cell, str):
        if cell in MISSING_MARKS:  # not any text starting with 无: a message such as 无法确定… wraps like text
            return cell, "missing"
        return cell, "num" if cell.startswith("<") else ""  # a suppressed count sits with the numbers
    if kind.startswith("change:"):
        return f.change_text(cell, kind.split(":")[1], ""), "num"
    if kind == "datetime":
        return f"{cell:%Y-%m-%d %H:%M}", ""
    return (f.FORMATS[kind](cell), "num") if kind in f.FORMATS else (str(cell), "")


def display(table: Table) -> SimpleNamespace:
    """The table as the PDF prints it. Communities with no data at all are gathered into one last row
    (their names, then `无数据` across the columns) so that the page is not a wall of 无数据."""
    rows, empty = [], []
    drop_last = table.key == "headline"  # the mart column is for the xlsx
    columns = table.columns[:-1] if drop_last else table.columns
    for i, row in enumerate(table.rows):
        row_kind = table.row_kinds[i] if table.row_kinds else "text"
        cells = []
        for column, cell in zip(columns, row):
            kind = {"row": row_kind, "change": f"change:{row_kind}"}.get(column.kind, column.kind)
            text, css = _text(cell, kind)
            cells.append(SimpleNamespace(text=text, css=css, colspan=1))
        if len(cells) > 2 and all(c.text == NO_DATA for c in cells[1:]):
            empty.append(cells[0].text)
        else:
            rows.append(SimpleNamespace(cells=cells, nodata=False))
    if empty:
        rows.append(SimpleNamespace(nodata=True, cells=[
            SimpleNamespace(text=f"{NO_DATA}（{len(empty)}个社区）", css="missing", colspan=1),
            SimpleNamespace(text=f"{'、'.join(empty)}：本季度未收到任何数据，不计为零。", css="names",
                            colspan=len(columns) - 1)]))
    return SimpleNamespace(columns=[c.label for c in columns], rows=rows, note=table.note)


def _none(values) -> list[float | None]:
    return [None if f.missing(v) else float(v) for v in values]


def build_charts(figures: Figures) -> dict[str, str | list[str]]:
    """Each chart as one SVG, or as a list of SVGs when it is drawn in page-sized pieces (charts.hbars)."""
    months, q = figures.months, figures.quarter
    out = {"trend": charts.vbars(
        [f"{pd.Timestamp(m).month}月" for m in months.month_start],
        [("受理", _none(months.cases_accepted), charts.BLUE), ("结案", _none(months.cases_closed), charts.LIGHT)],
        f.count, highlight=[pd.Timestamp(m).date() >= q.start for m in months.month_start])}
    for mix in ("category", "channel"):
        rows = figures.case_mix[figures.case_mix.mix_type == mix]
        out[mix] = charts.hbars(list(rows.mix_name), [("本季度", _none(rows.cases), charts.BLUE),
                                                      ("上季度", _none(rows.cases_previous), charts.LIGHT)],
                                f.count, width=330, label_width=80)
    levels = figures.case_levels
    out["levels"] = charts.hbars([LEVELS.get(v, str(v)) for v in levels.final_level],
                                 [("事件", _none(levels.cases), charts.BLUE)], f.count, width=330, label_width=95)
    c = figures.communities[figures.communities.has_data]
    out["community_rates"] = charts.hbars(list(c.community_name), [
        ("结案率", _none(c.closure_rate), charts.BLUE), ("按期结案率", _none(c.on_time_closure_rate), charts.ORANGE),
        ("满意率", _none(c.satisfaction_rate), charts.GREEN)], f.rate, max_value=1.0, label_width=100)
    patrol = [None if r.patrol_log_months == 0 else r.patrol_compliance_rate for r in c.itertuples()]
    out["patrol"] = charts.hbars(list(c.community_name), [("巡查达标率", _none(patrol), charts.BLUE)], f.rate,
                                 max_value=1.0, target=1.0, target_label="要求", label_width=100)
    if figures.assessment is not None:
        bins = figures.assessment["bins"]
        out["scores"] = charts.vbars([f"{int(b)}–{int(b) + 5}" for b in bins.bin_start],
                                     [("人次", _none(bins.workers), charts.BLUE)], f.count, width=330, height=190)
    return out


def render_html(figures: Figures, narrative: list[str]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    current = figures.street["current"]
    title = TITLE.format(street=figures.street_name, quarter=figures.quarter.zh)
    tables = {t.key: display(t) for t in all_tables(figures)}
    return env.get_template("report.html.j2").render(
        title=title, header=title, street_name=figures.street_name, narrative=narrative, sections=SECTIONS,
        tables=SimpleNamespace(**{k: tables.get(k) for k in (
            "headline", "communities", "case_mix", "levels", "top_grids", "overdue", "coverage", "population",
            "special_groups", "assessment", "assessment_bottom", "registers", "quarantine", "rejected",
            "checks", "hotline", "hotline_communities", "hotline_topics", "warnings_by_kind",
            "warnings_communities", "warnings_top")}),
        charts=SimpleNamespace(**{k: [jinja2.utils.markupsafe.Markup(svg) for svg in ([v] if isinstance(v, str) else v)]
                                  for k, v in build_charts(figures).items()}),
        as_of_date=f"{current['as_of_date']:%Y-%m-%d}", published_at=f"{figures.published_at:%Y-%m-%d %H:%M}",
        generated_at=f"{dt.datetime.now():%Y-%m-%d %H:%M}",
        cutoff_note=None if current["is_complete"] else NOTE_CUTOFF.format(as_of_date=f"{current['as_of_date']:%Y-%m-%d}"),
        quality_text=narrative_quality(narrative), definitions=DEFINITIONS,
        source_note=NOTE_SOURCE.format(published_at=f"{figures.published_at:%Y-%m-%d %H:%M}"))


def narrative_quality(narrative: list[str]) -> str:
    return next((p for p in narrative if "人口台账" in p and "应报" in p), "")


def chromium() -> str:
    found = os.environ.get("GRIDPULSE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise PdfFailed("找不到 Chromium：请先安装（make browser，即 apt-get install chromium fonts-noto-cjk）。")
    return found


def print_pdf(html: str, pdf_path: Path, timeout: int = 120) -> Path:
    """Print `html` to `pdf_path` with headless Chromium (a fresh profile, no network services)."""
    with tempfile.TemporaryDirectory(prefix="gridpulse-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--print-to-pdf={out}", page.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise PdfFailed(f"Chromium 未能生成 PDF（退出码 {proc.returncode}）：{proc.stderr.strip()[-500:]}")
        shutil.move(out, pdf_path)
    return pdf_path
