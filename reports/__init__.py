"""The quarterly situation-analysis report (季度形势分析报告): PDF and xlsx from the serving snapshot.

figures.py holds the only SQL; tables.py arranges the figures for both outputs; narrative.py writes
the plain-Chinese summary; xlsx.py and pdf.py render them.
"""

from reports.build import build_report
from reports.figures import ReportError
from reports.pdf import PdfFailed
from reports.quarter import BadQuarter, Quarter

__all__ = ["BadQuarter", "PdfFailed", "Quarter", "ReportError", "build_report"]
