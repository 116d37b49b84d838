"""The per-community submission report (数据报送质量反馈), an xlsx in Chinese for the community's staff.

For one community and month: which months' files arrived and whether the register came by the
25th, rows quarantined by reason (and each row), the quality checks with their warnings, and a
numbered list of what to fix. Figures come from the file ledger, the quarantine and the gate's
check results — the same sources as the warehouse's marts. Tables use English column names inside
and `texts.REPORT_COLUMNS` headers in the workbook.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.core import texts
from pipelines.core.settings import DIVISIONS_CSV, Paths
from pipelines.ingest import lake
from pipelines.ingest.locate import communities
from pipelines.ingest.readers import find_month
from quality import results
from quality.batches import field_labels
from quality.config import QualityPaths, Thresholds

SUBMITTED = ("population", "patrols")  # what a community sends; grids and case logs come from the street
DUE_SOURCES = ("population",)  # registers are due by the 25th of their month (DESIGN.md §3)
T = texts.REPORT


@dataclass
class ReportData:
    community_code: str
    community_name: str
    street_name: str
    month: str
    due: dt.date
    months: pl.DataFrame  # one row per month × source, January to `month`
    files: pl.DataFrame  # the month's files, every status
    quarantine: pl.DataFrame  # the month's quarantined rows (of the landed files)
    reasons: pl.DataFrame  # quarantined rows counted by source, reason and field
    checks: pl.DataFrame  # the month's check results
    fixes: list[tuple[str, str, str]]  # (severity, issue, what to do)


def resolve_community(text: str, street: str) -> tuple[str, str]:
    """A community code or name (通济桥街社区, 通济桥街社区居委会) -> (code, display name)."""
    names = communities(street)
    code = names.get(text.strip())
    if code is None:
        raise ValueError(texts.RESULTS["unknown_community"].format(text=text))
    display = min((n for n, c in names.items() if c == code and not n.isdigit() and not n.endswith("居委会")),
                  key=len, default=code)
    return code, display


def due_date(month: str, due_day: int) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01") + dt.timedelta(days=due_day - 1)


def community_files(paths: Paths, code: str, street: str, ledger: pl.DataFrame | None = None) -> pl.DataFrame:
    """Ledger rows of the community's submissions; a rejected file (no community) is matched by name.
    `ledger`: the file ledger when already read."""
    ledger = (lake.read_ledger(paths.ledger) if ledger is None else ledger).filter(pl.col("source").is_in(SUBMITTED))
    variants = [n for n, c in communities(street).items() if c == code and not n.isdigit()]
    by_name = pl.any_horizontal([pl.col("file_path").str.contains(v, literal=True) for v in variants])
    files = ledger.filter((pl.col("community_code") == code) | (pl.col("community_code").is_null() & by_name))
    named_month = pl.col("file_path").map_elements(lambda p: find_month(Path(p).name), return_dtype=pl.String)
    return files.with_columns(report_month=pl.coalesce("report_month", named_month))


@cache
def street_name(street: str) -> str:
    names = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String}).filter(pl.col("code") == street)
    return names["name"].first() or street


def gather(paths: Paths, community: str, month: str, checks: pl.DataFrame | None = None,
           ledger: pl.DataFrame | None = None, thresholds: Thresholds | None = None) -> ReportData:
    """Everything the workbook shows; `checks` (the stored check results), `ledger` and `thresholds`
    when already read (`checks` and `ledger` may be cut down to the community's rows and the ledger's
    rows without a community)."""
    street = paths.street
    code, name = resolve_community(community, street)
    due_day = int((thresholds or Thresholds.load())["submission"]["due_day"])
    files = community_files(paths, code, street, ledger)
    checks = (results.read_all(QualityPaths(paths)) if checks is None else checks).filter(
        pl.col("community_code") == code)
    landed = files.filter((pl.col("report_month") == month) & (pl.col("status") == "landed"))
    quarantine = _quarantine(paths, landed)
    reasons = quarantine.group_by("source", "reason", "field").agg(rows=pl.len()).sort(
        "rows", "source", "reason", descending=[True, False, False])
    data = ReportData(code, name, street_name(street), month, due_date(month, due_day),
                      _months(files, checks, month, due_day), files.filter(pl.col("report_month") == month),
                      quarantine, reasons, checks.filter(pl.col("report_month") == month), [])
    data.fixes = _fixes(data)
    return data


def _months(files: pl.DataFrame, checks: pl.DataFrame, month: str, due_day: int) -> pl.DataFrame:
    rows = []
    for m in [f"{month[:4]}-{i:02d}" for i in range(1, int(month[5:]) + 1)]:
        for source in SUBMITTED:
            f = files.filter((pl.col("report_month") == m) & (pl.col("source") == source))
            landed = f.filter(pl.col("status") == "landed")
            # The warehouse's register freshness: the first readable file, received by the end of the 25th.
            first = f.filter(pl.col("status").is_in(["landed", "superseded"]))["received_at"].min()
            deadline = dt.datetime.combine(due_date(m, due_day) + dt.timedelta(days=1), dt.time())
            if source not in DUE_SOURCES:
                on_time = "—"
            else:
                on_time = T["missing"] if first is None else T["on_time"] if first < deadline else T["late"]
            failed = checks.filter((pl.col("report_month") == m) & (pl.col("source") == source) & ~pl.col("success"))
            read, quarantined = int(landed["rows_read"].sum()), int(landed["rows_quarantined"].sum())
            rows.append({
                "month": m, "source": source,
                "status": T["status"]["landed"] if landed.height else T["missing"] + (T["rejected_note"] if f.height else ""),
                "first_received_at": first, "on_time": on_time, "files": f.height, "rows_read": read,
                "rows_landed": int(landed["rows_landed"].sum()), "rows_quarantined": quarantined,
                "quarantined_share": quarantined / read if read else 0.0,
                "blocking": int((failed["severity"] == "blocking").sum()),
                "warnings": int((failed["severity"] == "warning").sum())})
    return pl.DataFrame(rows, schema_overrides={"first_received_at": pl.Datetime("us")})


def _quarantine(paths: Paths, landed: pl.DataFrame) -> pl.DataFrame:
    frames = []
    for source, month, part, file_path in landed.select("source", "report_month", "lake_part",
                                                        "file_path").iter_rows():
        path = lake.part_path(paths.quarantine, source, month, part)
        if path.exists():
            q = pl.read_parquet(path).filter(pl.col("file_path") == file_path)
            frames.append(q.select("source", "file_path", "source_row",
                                   pl.col("field").replace_strict(field_labels(source), default=pl.col("field")),
                                   "value", "reason"))
    schema = {"source": pl.String, "file_path": pl.String, "source_row": pl.Int64, "field": pl.String,
              "value": pl.String, "reason": pl.String}
    return pl.concat(frames).sort("source", "source_row") if frames else pl.DataFrame(schema=schema)


def _fixes(d: ReportData) -> list[tuple[str, str, str]]:
    out = []
    for r in d.checks.filter(~pl.col("success")).sort(pl.col("severity") != "blocking", "source").iter_rows(named=True):
        issue = T["issue"].format(source=texts.SOURCE_TITLES[r["source"]], title=r["check_title"],
                                  observed=r["observed_value"])
        out.append((r["severity"], issue, f"{r['fix_hint']} {r['examples'] or ''}".strip()))
    due = d.due.strftime(T["day"])
    for r in d.months.filter(pl.col("month") == d.month).iter_rows(named=True):
        source = texts.SOURCE_TITLES[r["source"]]
        if r["status"] != T["status"]["landed"]:
            out.append(("warning", T["missing_fix"].format(source=source, due=due), ""))
        elif r["on_time"] == T["late"]:
            received = r["first_received_at"].strftime(T["day"])
            out.append(("warning", T["late_fix"].format(source=source, received=received, due=due), ""))
    for r in d.files.filter(pl.col("status") == "rejected").iter_rows(named=True):
        out.append(("blocking", T["rejected_fix"].format(file=Path(r["file_path"]).name, message=r["message"]), ""))
    for r in d.reasons.iter_rows(named=True):
        out.append(("warning", T["quarantine_fix"].format(source=texts.SOURCE_TITLES[r["source"]], rows=r["rows"],
                                                          reason=r["reason"], field=r["field"]), T["see_quarantine"]))
    return out


def write_report(paths: Paths, community: str, month: str, out: Path | io.BytesIO | None = None,
                 checks: pl.DataFrame | None = None, ledger: pl.DataFrame | None = None,
                 thresholds: Thresholds | None = None) -> Path | io.BytesIO:
    """Write the report; by default to data/published/quality/<YYYY-MM>/<code>_<YYYY-MM>_数据报送质量反馈.xlsx,
    where the pipeline publishes it."""
    d = gather(paths, community, month, checks, ledger, thresholds)
    if out is None:
        out = QualityPaths(paths).reports / month / file_name(d.community_code, month)
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
    _render(d, out)
    return out


def file_name(code: str, month: str) -> str:
    return T["file_name"].format(code=code, month=month)


def _shown(frame: pl.DataFrame) -> pl.DataFrame:
    """Chinese values and headers for the workbook."""
    swaps = {"source": texts.SOURCE_TITLES, "severity": texts.SEVERITY_TITLES, "status": T["status"]}
    frame = frame.with_columns(pl.col(c).replace(m) for c, m in swaps.items() if c in frame.columns)
    return frame.rename({c: texts.REPORT_COLUMNS.get(c, c) for c in frame.columns})


def _render(d: ReportData, out) -> None:
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    key = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    cell = wb.add_format({"border": 1})
    style = {"table_style": "Table Style Light 9", "autofit": True, "float_precision": 4,
             "dtype_formats": {pl.Datetime: "yyyy-mm-dd hh:mm"}}
    heading = T["title"].format(community=d.community_name, month=d.month)

    ws = wb.add_worksheet(T["sheet_summary"])
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 40)
    ws.write(0, 0, heading, title)
    ws.write(1, 0, T["subtitle"].format(street=d.street_name, generated=f"{dt.datetime.now():%Y-%m-%d %H:%M}"))
    current = d.months.filter(pl.col("month") == d.month)
    values = (d.community_name, d.community_code, d.month, f"{d.due:%Y-%m-%d}", int(current["blocking"].sum()),
              int(current["warnings"].sum()), len(d.fixes))
    for i, (k, v) in enumerate(zip(T["summary_keys"], values)):
        ws.write(3 + i, 0, k, key)
        ws.write(3 + i, 1, v, cell)
    _shown(current).write_excel(wb, ws, position=(4 + len(values), 0), **style)

    fixes = pl.DataFrame([(i + 1, texts.SEVERITY_TITLES[s], issue, fix) for i, (s, issue, fix) in enumerate(d.fixes)]
                         or [(1, "—", T["all_good"], "")], schema=["number", "severity", "issue", "fix"], orient="row")
    checks = d.checks.sort("source", pl.col("severity") != "blocking", "check_name").select(
        "source", "check_title", "severity",
        pl.when(pl.col("success")).then(pl.lit(T["passed"])).otherwise(pl.lit(T["failed"])).alias("result"),
        "observed_value", "expected", "examples")
    files = d.files.sort("source", "received_at").select("file_path", "source", "received_at", "status", "rows_read",
                                                         "rows_landed", "rows_quarantined", "message")
    for name, frame in ((T["sheet_fix"], fixes), (T["sheet_months"], d.months), (T["sheet_files"], files),
                        (T["sheet_reasons"], d.reasons), (T["sheet_quarantine"], d.quarantine),
                        (T["sheet_checks"], checks)):
        ws = wb.add_worksheet(name)
        ws.write(0, 0, heading, title)
        _shown(frame).write_excel(wb, ws, position="A3", freeze_panes=(3, 0), **style)
    wb.close()
