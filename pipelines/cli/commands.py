"""`gridpulse` — the data staff's command line: generate, run, backfill, status, quality-report, report, check,
audit, place, serve, stop, ui.

Whatever goes wrong, data staff read a Chinese sentence and the exit code is not 0; the technical
detail (exception, traceback, dbt output) goes to data/logs/gridpulse.log only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.core.logs import LOG_NAME, setup_logging
from pipelines.core.settings import ROOT, Paths
from pipelines.core.texts import AUDIT_EVENTS, CLI, STEP_TITLES, USAGE_ERRORS, USAGE_HINT

console = Console(width=None if sys.stdout.isatty() else 140)

MONTH = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
DASHBOARD_PID = "dashboard.pid"  # in the data folder: the process `serve --background` started


def _months(start: str, end: str) -> set[str]:
    for m in (start, end):
        if not MONTH.match(m):
            raise SystemExit(f"月份“{m}”格式不对，请写成 2025-01 这样的年-月。")
    if end < start:
        raise SystemExit(f"结束月份 {end} 早于开始月份 {start}。")
    y, m = map(int, start.split("-"))
    out = set()
    while f"{y}-{m:02d}" <= end:
        out.add(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def cmd_generate(args, paths: Paths) -> None:
    truth = paths.data / "demo" / "truth"
    if args.sf is not None:  # a share of Chengdu: run it with GRIDPULSE_STREET=5101 (the city's scope)
        from demo.city import generate_city

        if args.communities is not None:
            raise SystemExit("--sf（全市按比例抽取社区）与 --communities 不能同时使用。")
        summary = generate_city(paths.raw, truth, sf=args.sf, seed=args.seed, months=args.months, progress=True)
    else:
        from demo.generator import generate

        summary = generate(paths.raw, truth, seed=args.seed, communities=args.communities, months=args.months,
                           progress=True)
    console.print(f"[green]演示数据已生成[/green]: {summary}")


def _terminal() -> Console:
    """A console on the terminal itself: the run sends stdout and stderr to its log meanwhile."""
    try:
        return Console(file=os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1),
                       width=None if sys.stdout.isatty() else 140)
    except (AttributeError, OSError, ValueError):  # stdout without a descriptor (a test's capture)
        return console


def _run(args, paths: Paths, months: set[str] | None = None):
    from pipelines.core.lock import WriterBusy
    from pipelines.defs.launch import MonthsOutOfRange, launch
    from pipelines.defs.runs import failure_message
    from quality.gate import QualityGateFailed

    term = _terminal()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=term, transient=False) as bar:
        tasks: dict[str, int] = {}

        def on_file(source: str, i: int, n: int, name: str) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(f"导入 {CLI['sources'].get(source, source)}", total=max(n, 1))
            bar.update(tasks[source], completed=i if n else 1, total=max(n, 1))

        def on_step(name: str, done: int | None, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(CLI["steps"][name], total=total)
            if done is None:  # finished
                total = bar.tasks[tasks[name]].total or 1
                done = total
            bar.update(tasks[name], completed=done, total=total or bar.tasks[tasks[name]].total)

        try:
            return launch(paths, months=months, force=getattr(args, "force", False), on_file=on_file,
                          on_step=on_step, wait=not args.no_wait, on_wait=lambda text: term.print(text))
        except WriterBusy as exc:
            bar.stop()
            console.print(f"[yellow]{exc}[/yellow]")
            raise SystemExit(2) from None
        except MonthsOutOfRange as exc:
            bar.stop()
            console.print(f"[red]月份 {'、'.join(exc.args[0])} 不在可运行的范围内[/red]（从 GRIDPULSE_FIRST_MONTH 所设月份到本月）。")
            raise SystemExit(1) from None
        except QualityGateFailed as exc:
            bar.stop()
            hint = ("网格台账入库后再次运行即可发布。" if exc.result.no_grid_table else
                    "请按“gridpulse quality-report <社区> <月份>”生成反馈表，社区更正后重新报送；更正文件入库后再次运行即可发布。")
            console.print(f"[red]{exc}[/red]\n{hint}")
            raise SystemExit(3) from None
        except Exception as exc:  # launch has logged the traceback
            bar.stop()
            console.print(f"[red]运行失败[/red]：{failure_message(exc)}\n服务快照未更新，仪表盘仍显示上一次发布的数据。"
                          f"技术细节见 {paths.logs / LOG_NAME}。")
            raise SystemExit(1) from None


def _totals(summary) -> str:
    files = "，".join(f"{text} {summary.files[k]}" for k, text in CLI["status"].items() if summary.files.get(k))
    checks = summary.checks
    passed, total = checks.get("pass", 0), sum(checks.values())
    bad = "，".join(f"{k} {v}" for k, v in checks.items() if k != "pass") or "无警告或失败"
    q = summary.quality
    gate = (f"质量闸门：{q['batches']} 个批次，本次检查 {q['validated']} 个，警告 {q['warnings']} 项；"
            if q else "")
    return (f"文件 {sum(summary.files.values())} 个（{files or '无新文件'}）；入库 {summary.rows_landed:,} 行，"
            f"隔离 {summary.rows_quarantined:,} 行；{gate}数据检查通过 {passed}/{total}（{bad}）")


def _seconds(seconds: dict[str, float]) -> str:
    return "，".join(f"{STEP_TITLES.get(k, k)} {v:.1f} 秒" for k, v in seconds.items())


def _missing(summary) -> None:
    """Say which sources the published snapshot has no data of (their pages show 无数据), and why."""
    empty = summary.sources_without_data
    if not empty:
        return
    names = "、".join(CLI["sources"][s] for s in empty)
    console.print(f"[yellow]尚无入库数据[/yellow]：{names}。仪表盘上相应内容显示“无数据”。"
                  + ("网格台账是按社区和网格统计的基础，请尽快报送（放入 raw/grids/）。" if "grids" in empty else "")
                  + ("部分文件被拒收，原因见 gridpulse status。" if summary.files.get("rejected") else ""))


def cmd_run(args, paths: Paths) -> None:
    started = time.perf_counter()
    summary = _run(args, paths)
    console.print(f"[green]完成[/green] 用时 {time.perf_counter() - started:.1f} 秒；{_totals(summary)}；"
                  f"各阶段用时 {_seconds(summary.seconds)}")
    _missing(summary)


def cmd_backfill(args, paths: Paths) -> None:
    months = _months(args.start, args.end)
    started = time.perf_counter()
    summary = _run(args, paths, months=months)
    table = Table(title=f"补录 {args.start} 至 {args.end}：按来源和月份")
    for col in ("来源", "月份", "文件", "已入库", "拒收", "重复", "被替换", "入库行", "隔离行"):
        table.add_column(col, justify="left" if col in ("来源", "月份") else "right")
    for r in summary.by_month:
        table.add_row(CLI["sources"].get(r["source"], r["source"]), r["month"], str(r["files"]),
                      *(str(r[s]) for s in CLI["status"]), f"{r['rows_landed']:,}", f"{r['rows_quarantined']:,}")
    console.print(table)
    console.print(f"[green]补录完成[/green] {len(months)} 个月，用时 {time.perf_counter() - started:.1f} 秒；"
                  f"{_totals(summary)}")
    _missing(summary)


def _when(value) -> str:
    return value.strftime("%m-%d %H:%M") if isinstance(value, dt.datetime) else "—"


def _gate(quality: dict | None) -> str:
    """The quality gate's verdict of a run, for the runs table."""
    if not quality:
        return "—"
    if quality.get("blocking"):
        return f"拦截 {len(quality['blocking'])} 项"
    return f"通过（警告 {quality.get('warnings', 0)} 项）"


def _run_note(run: dict) -> str:
    """The first line of a run's message for data staff; a run logged before messages were written in
    Chinese points to the technical log instead of showing its exception text."""
    first = (run.get("message") or "").splitlines()[0][:60] if run.get("message") else ""
    if first and not any("\u4e00" <= ch <= "\u9fff" for ch in first):
        return f"见 {LOG_NAME}"
    return first


def _age(published: dt.datetime) -> str:
    minutes = (dt.datetime.now() - published).total_seconds() / 60
    return f"{minutes:.0f} 分钟前" if minutes < 120 else f"{minutes / 60:.1f} 小时前"


def cmd_status(args, paths: Paths) -> None:
    import polars as pl

    from pipelines.cli import status
    from pipelines.ingest.calendar import landed_months
    from pipelines.publish.snapshot import snapshot_info

    view, expected = status.files(paths), status.expected_communities(paths)
    if args.source:
        view = view.filter(pl.col("source") == args.source)
    table = Table(title="文件到报情况（按来源和月份）")
    for col in ("来源", "月份", "到报", "最近收到", "文件", *CLI["status"].values(), "入库行", "隔离行"):
        table.add_column(col)
    for r in status.by_source_month(view, expected, status.case_log_days(paths)):
        if not args.month or r["month"] == args.month:
            table.add_row(CLI["sources"].get(r["source"], r["source"]), r["month"], r["arrived"],
                          _when(r["last_received"]), str(r["files"]), *(str(r[s]) for s in CLI["status"]),
                          f"{r['rows_landed']:,}", f"{r['rows_quarantined']:,}")
    console.print(table)
    months = sorted(m for m in view["month"].drop_nulls().unique().to_list() if m[:1].isdigit())
    month = args.month or (months[-1] if months else None)
    per_community = [s for s in status.PER_COMMUNITY if s == args.source or not args.source]
    if month and per_community:
        detail = Table(title=f"{month} 各社区报送（人口台账截止每月{status.REGISTER_DUE_DAY}日）")
        for col in ("社区", *(CLI["sources"][s] for s in per_community)):
            detail.add_column(col)
        for r in status.by_community(view, month, expected, paths.street):
            detail.add_row(r["community"], *("；".join(
                f"{CLI['status'][f['status']]} {_when(f['received_at'])}{'（逾期）' if f['late'] else ''}"
                for f in r[s]) or "[red]未报送[/red]" for s in per_community))
        console.print(detail)
    if month:
        # (a rejected file that names no month is listed under every month: it is still waiting for a fix)
        for path, msg in view.filter((pl.col("status") == "rejected")
                                     & ((pl.col("month") == month) | pl.col("month").is_null())) \
                .select("file_path", "message").iter_rows():
            console.print(f"[red]拒收[/red] {path}：{msg}")
    hotline = status.hotline_placement(paths)
    if hotline and (not args.source or args.source == "hotline"):
        share = hotline["placed"] / hotline["ours"] if hotline["ours"] else 0
        console.print(f"12345工单：共 {hotline['orders']:,} 件，其中其他街道 {hotline['other_streets']:,} 件；本街道及未定位的 "
                      f"{hotline['ours']:,} 件中已定位到社区 {hotline['placed']:,} 件（定位率 {share:.1%}），"
                      f"未定位 {hotline['unplaced']:,} 件（可用 gridpulse place 手工定位）")
    runs = Table(title="最近的运行（命令行）")
    for col in ("开始", "类型", "月份", "结果", "文件", "入库行", "隔离行", "质量闸门", "数据检查", "说明"):
        runs.add_column(col)
    for r in status.recent_runs(paths):
        checks = r.get("checks") or {}
        months_text = "–".join(dict.fromkeys([r["months"][0], r["months"][-1]])) if r.get("months") else "新文件"
        runs.add_row(r["started_at"][:19].replace("T", " "), CLI["kinds"].get(r.get("kind", "run"), "运行"),
                     months_text, CLI["runs"].get(r["status"], r["status"]), str(sum((r.get("files") or {}).values())),
                     f"{r.get('rows_landed', 0):,}", f"{r.get('rows_quarantined', 0):,}", _gate(r.get("quality")),
                     f"{checks.get('pass', 0)}/{sum(checks.values())}" if checks else "—",
                     _run_note(r))
    console.print(runs)
    empty = [s for s in CLI["sources"] if not landed_months(paths.lake, (s,))]
    if empty and (not args.source or args.source in empty):
        console.print(f"[yellow]尚无入库数据[/yellow]：{'、'.join(CLI['sources'][s] for s in empty)}（仪表盘上显示“无数据”）")
    for r in status.dagster_runs(paths):
        console.print(f"Dagster 运行 {r['run_id']} {r['job']} {r['partition'] or ''} {r['status']} "
                      f"{_when(dt.datetime.fromtimestamp(r['started_at'])) if r['started_at'] else ''}")
    snap = snapshot_info(paths)
    if snap is None:
        console.print("[yellow]尚未发布服务快照[/yellow]")
        return
    console.print(f"服务快照 {snap['path']}：{snap['published_at']:%Y-%m-%d %H:%M} 发布（{_age(snap['published_at'])}），"
                  f"{snap['tables_published']} 张表")
    newest = view["ingested_at"].max() if view.height else None
    if newest and snap.get("ledger_ingested_at") and newest > snap["ledger_ingested_at"]:
        console.print("[yellow]有文件在快照发布后才导入，尚未反映在仪表盘上（上次运行可能失败或中断）；"
                      "请运行 gridpulse run。[/yellow]")


def cmd_quality_report(args, paths: Paths) -> None:
    from quality.report import write_report

    if not MONTH.match(args.month):
        raise SystemExit(f"月份“{args.month}”格式不对，请写成 2025-01 这样的年-月。")
    try:
        out = write_report(paths, args.community, args.month, args.out)
    except (KeyError, ValueError, FileNotFoundError) as exc:
        console.print(f"[red]反馈表未生成[/red]：{exc}")
        raise SystemExit(1) from None
    console.print(f"[green]数据报送质量反馈表已生成[/green]：{out}")


def cmd_report(args, paths: Paths) -> None:
    from pipelines.defs.launch import launch_report
    from reports import BadQuarter, PdfFailed, Quarter, ReportError

    started = time.perf_counter()
    try:
        quarter = Quarter.parse(args.quarter)
        with _terminal().status(f"正在生成 {args.quarter} 季度形势分析报告（读取服务快照，Chromium 排版打印）…"):
            pdf, xlsx = launch_report(paths, quarter)
    except (BadQuarter, ReportError, PdfFailed) as exc:
        console.print(f"[red]报告未生成[/red]：{exc}")
        raise SystemExit(1) from None
    console.print(f"[green]报告已生成[/green]，用时 {time.perf_counter() - started:.1f} 秒：\n  PDF   {pdf}\n  Excel {xlsx}")


def _moment(text: str | None, default: dt.datetime | None, end: bool = False) -> dt.datetime | None:
    """A day (2026-12-01) or a minute (2026-12-01 08:30); a day given as the end means its whole day."""
    if text is None:
        return default
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = dt.datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return moment + dt.timedelta(days=1) if end and layout == "%Y-%m-%d" else moment
    raise SystemExit(f"时间“{text}”格式不对，请写成 2026-12-01 或 2026-12-01 08:30。")


def cmd_audit(args, paths: Paths) -> None:
    """The access audit log: sign-ins, page views with their filters, downloads."""
    import polars as pl

    from pipelines.core.audit import AuditLog
    from pipelines.core.texts import AUDIT_EVENTS, AUDIT_REASONS, ROLE_NAMES, TEXT

    since = _moment(args.since, dt.datetime.now() - dt.timedelta(days=7))
    until = _moment(args.until, None, end=True)
    events = AuditLog(paths.data).read(since, until, user=args.user)
    if args.event:
        events = events.filter(events["event"].is_in(args.event))
    if args.json:
        for record in events.iter_rows(named=True):  # one JSON object per line, as stored
            print(json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False))
        return
    table = Table(title=f"访问审计（{since:%Y-%m-%d %H:%M} 起，共 {events.height} 条）")
    columns = ("time", "event", "user", "role", "page", "month", "community", "grid", "table", "rows", "reason", "client")
    for column in columns:
        table.add_column(TEXT[column])
    names = {"event": AUDIT_EVENTS, "role": ROLE_NAMES, "reason": AUDIT_REASONS}
    shown = events.select(columns).with_columns(
        *(pl.col(c).replace_strict(m, default=pl.col(c)) for c, m in names.items()),
        pl.col("time").str.replace("T", " "), pl.col("rows").cast(pl.String)).fill_null("")
    for record in shown.iter_rows():
        table.add_row(*record)
    console.print(table)


def cmd_check(args, paths: Paths) -> None:
    """A dry run: what ingest would make of the files; nothing is written anywhere."""
    from pipelines.ingest.check import check_files

    results = check_files(paths, args.files, args.source)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=str, indent=1))
    for r in [] if args.json else results:
        head = f"[bold]{escape(r['file'])}[/bold]（{CLI['sources'].get(r['source'], '类别未知')}）"
        if r["status"] in ("landed", "superseded"):
            where = "全街道" if r["source"] == "grids" else "、".join(r["communities"]) or "按每行网格定位"
            console.print(f"{head}：可入库。社区 {where}；月份 {'、'.join(r['months'])}；读取 {r['rows_read']} 行，"
                          f"将入库 {r['rows_landed']} 行，隔离 {r['rows_quarantined']} 行"
                          + (f"，已由此前文件入库 {r['rows_already_landed']} 行" if r["rows_already_landed"] else "") + "。")
            for _code, q in r["quarantined"].items():
                examples = "；".join(f"第{e['row']}行 {e['field']}={e['value'] or '（空）'}" for e in q["examples"])
                console.print(escape(f"  隔离 {q['rows']} 行：{q['reason']}（例：{examples}）"))
        else:
            console.print(f"{head}：[red]{CLI['status'].get(r['status'], '拒收')}[/red]。{escape(r['message'])}")
        for h in r.get("hints", []):  # texts and file names may hold brackets rich would take for markup
            console.print(f"  [yellow]提示[/yellow]：{escape(h['message'])}\n    {escape(h['contract'])}：{escape(h['contract_line'])}")
    if any(r["status"] not in ("landed", "superseded") for r in results):
        raise SystemExit(1)  # a file ingest would not land


def cmd_place(args, paths: Paths) -> None:
    from pipelines.ingest.placement import PlacementRefused, record_correction

    try:
        row = record_correction(paths, args.order_id, args.community, args.grid)
    except PlacementRefused as exc:
        console.print(escape(str(exc)), soft_wrap=True)
        raise SystemExit(2) from None
    console.print(escape(row["message"]), soft_wrap=True)


def cmd_serve(args, paths: Paths) -> None:
    env = os.environ | {"GRIDPULSE_DATA": str(paths.data), "GRIDPULSE_STREET": paths.street}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "streamlit_app.py"),
           "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if not args.background:
        os.execvpe(cmd[0], cmd, env)
    proc = subprocess.Popen(cmd, env=env, stdout=open(paths.logs / "dashboard.log", "a"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    (paths.data / DASHBOARD_PID).write_text(str(proc.pid))  # `gridpulse stop` ends exactly this process


def cmd_stop(args, paths: Paths) -> None:
    """End the dashboard `serve --background` started, by the process id it recorded."""
    pid_file = paths.data / DASHBOARD_PID
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        console.print("仪表盘未在后台运行。")
        return
    try:
        os.killpg(pid, signal.SIGTERM)  # its own session: streamlit and anything it started
        console.print(f"仪表盘已停止（进程 {pid}）。")
    except ProcessLookupError:
        console.print("仪表盘进程已不在运行。")
    pid_file.unlink(missing_ok=True)


def cmd_ui(args, paths: Paths) -> None:
    """The Dagster UI with its history under data/dagster and one writer run at a time (dagster.yaml)."""
    from pipelines.defs.launch import instance_home

    env = os.environ | {"DAGSTER_HOME": str(instance_home(paths)), "GRIDPULSE_RAW": str(paths.raw.resolve()),
                        "GRIDPULSE_DATA": str(paths.data.resolve()), "GRIDPULSE_STREET": paths.street}
    cmd = [str(Path(sys.executable).with_name("dagster")), "dev", "-m", "pipelines.definitions", "-p", str(args.port)]
    os.chdir(ROOT)
    os.execvpe(cmd[0], cmd, env)


def _dispatch(command, args, paths: Paths) -> None:
    """Run a command; any failure it did not explain itself becomes one Chinese sentence, its
    traceback goes to the technical log."""
    try:
        command(args, paths)
    except KeyboardInterrupt:
        console.print("[yellow]已中断。[/yellow]")
        raise SystemExit(130) from None
    except Exception as exc:
        setup_logging(paths)
        logging.getLogger("gridpulse.cli").error("gridpulse %s failed", args.command, exc_info=exc)
        console.print(f"[red]“gridpulse {args.command}”未能完成[/red]：程序内部错误，技术细节见 {paths.logs / LOG_NAME}。")
        raise SystemExit(1) from None


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese (the usage line itself stays as argparse writes it)."""

    def error(self, message: str):
        for pattern, text in USAGE_ERRORS:
            found = re.fullmatch(pattern, message)
            if found:
                message = text.format(**found.groupdict())
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{message}{USAGE_HINT.format(prog=self.prog)}\n")


def main(argv: list[str] | None = None) -> None:
    parser = _Parser(prog="gridpulse", description="GridPulse 网格化服务管理数据仓库")
    parser.add_argument("--raw", type=Path, help="raw/ folder (default: GRIDPULSE_RAW or ./raw)")
    parser.add_argument("--data", type=Path, help="data/ folder (default: GRIDPULSE_DATA or ./data)")
    parser.add_argument("--street", help="division code of the street (or city) served "
                                         "(default: GRIDPULSE_STREET or 510116003, Huayang Street)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="命令")
    g = sub.add_parser("generate", help="write the Huayang Street demo files into raw/")
    g.add_argument("--seed", type=int, default=2025)
    g.add_argument("--communities", type=int, default=None)
    g.add_argument("--months", type=int, default=12)
    g.add_argument("--sf", type=float, default=None,
                   help="instead of Huayang Street, a share of all Chengdu (1 = its 3,047 communities)")
    for name, text in (("run", "ingest new and changed files, build the warehouse and publish"),
                       ("backfill", "re-ingest every file of a month range, rebuild and publish")):
        p = sub.add_parser(name, help=text)
        if name == "backfill":
            p.add_argument("start", help="first month, e.g. 2025-01")
            p.add_argument("end", help="last month, e.g. 2025-06")
        else:
            p.add_argument("--force", action="store_true", help="re-read every file, not only new ones")
        p.add_argument("--no-wait", action="store_true", help="stop at once if another run holds the warehouse")
    st = sub.add_parser("status", help="files per source, month and community; last runs; snapshot age")
    st.add_argument("--month", help="show this month's communities (default: the latest month)")
    st.add_argument("--source", choices=list(CLI["sources"]))
    qr = sub.add_parser("quality-report", help="a community's data-quality feedback (xlsx) for one month")
    qr.add_argument("community", help="community code (510116003001) or name (通济桥街社区)")
    qr.add_argument("month", help="the month, e.g. 2025-02")
    qr.add_argument("--out", type=Path, help="where to write the xlsx (default: data/published/quality/<month>/)")
    rp = sub.add_parser("report", help="write a quarter's situation-analysis report (PDF and xlsx) into data/published/reports/")
    rp.add_argument("quarter", help="the quarter, e.g. 2025Q3")
    ck = sub.add_parser("check", help="what ingest would make of files (a dry run: nothing is written)")
    ck.add_argument("files", nargs="+", type=Path)
    ck.add_argument("--source", choices=list(CLI["sources"]), help="the kind of data (default: from the folder or header)")
    ck.add_argument("--json", action="store_true", help="print the results as JSON")
    au = sub.add_parser("audit", help="the dashboard's access audit log: sign-ins, page views, downloads")
    au.add_argument("--user", help="one account (default: all)")
    au.add_argument("--since", help="from this day or minute, e.g. 2026-12-01 or '2026-12-01 08:30' (default: 7 days ago)")
    au.add_argument("--until", help="up to this day (inclusive) or minute (default: now)")
    au.add_argument("--event", nargs="+", choices=list(AUDIT_EVENTS), help="only these kinds of events")
    au.add_argument("--json", action="store_true", help="print the events as JSON Lines")
    pc = sub.add_parser("place", help="place a 12345 hotline order by hand (kept in data/corrections/hotline_places.csv)")
    pc.add_argument("order_id", help="the order's id (工单编号)")
    pc.add_argument("community", help="community code (510116003004) or name (菜蔬街社区)")
    pc.add_argument("--grid", help="grid code of that community (15 digits)")
    s = sub.add_parser("serve", help="start the dashboard")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--background", action="store_true")
    sub.add_parser("stop", help="stop the dashboard that serve --background started")
    u = sub.add_parser("ui", help="start the Dagster UI (schedules, sensor, month backfills)")
    u.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    default = Paths.from_env()
    # absolute: the quality gate's Great Expectations context refuses a relative folder
    paths = Paths(raw=(args.raw or default.raw).resolve(), data=(args.data or default.data).resolve(),
                  street=args.street or default.street)
    if args.command != "check":  # a dry run leaves the data folder as it was
        paths.logs.mkdir(parents=True, exist_ok=True)
    _dispatch({"check": cmd_check, "generate": cmd_generate, "run": cmd_run, "backfill": cmd_backfill, "status": cmd_status,
     "quality-report": cmd_quality_report, "report": cmd_report, "audit": cmd_audit, "place": cmd_place, "serve": cmd_serve,
     "stop": cmd_stop, "ui": cmd_ui}[args.command], args, paths)


if __name__ == "__main__":
    main()
