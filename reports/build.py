"""`build_report(paths, "2025Q3")`: the quarter's PDF and xlsx under data/published/reports/."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from pipelines.core.settings import Paths
from pipelines.core.texts import REPORT_FILE
from reports import figures as figures_module
from reports.narrative import paragraphs
from reports.pdf import print_pdf, render_html
from reports.quarter import Quarter
from reports.xlsx import write_xlsx

log = logging.getLogger("gridpulse.reports")


def report_dir(paths: Paths) -> Path:
    return paths.published / "reports"


def report_name(figures: figures_module.Figures) -> str:
    return REPORT_FILE.format(street=figures.street_name, quarter=figures.quarter.label)


def build_report(paths: Paths, quarter: str | Quarter, street_code: str | None = None) -> tuple[Path, Path]:
    """Write the quarter's report as PDF and xlsx from the serving snapshot; return their paths.

    Raises figures.ReportError (no snapshot, no such quarter, a mart missing) or pdf.PdfFailed
    (Chromium missing or failing) with a message in Chinese for the data staff."""
    started = time.perf_counter()
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    figures = figures_module.load(paths, quarter, street_code)
    narrative = paragraphs(figures)
    out = report_dir(paths)
    out.mkdir(parents=True, exist_ok=True)
    name = report_name(figures)
    xlsx_path = write_xlsx(figures, narrative, out / f"{name}.xlsx")
    html = render_html(figures, narrative)
    (out / f".{name}.html").write_text(html, encoding="utf-8")  # kept beside the PDF for inspection
    tmp_pdf = out / f".{name}.pdf.tmp"
    print_pdf(html, tmp_pdf)
    pdf_path = tmp_pdf.replace(out / f"{name}.pdf")
    log.info("report %s written in %.1f s: %s, %s", quarter.label, time.perf_counter() - started, pdf_path, xlsx_path)
    return pdf_path, xlsx_path
