"""`gridpulse` — the data staff's command line: demo, run, backfill, status, serve."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import ROOT, Paths

console = Console()


def _months(start: str, end: str) -> set[str]:
    y, m = map(int, start.split("-"))
    out = set()
    while f"{y}-{m:02d}" <= end:
        out.add(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def cmd_generate(args, paths: Paths) -> None:
    from .demo.generator import generate

    summary = generate(paths.raw, paths.data / "demo" / "truth", seed=args.seed, communities=args.communities,
                       months=args.months, progress=True)
    console.print(f"[green]演示数据已生成[/green]: {summary}")


def cmd_run(args, paths: Paths, months: set[str] | None = None) -> None:
    from .pipeline import run_pipeline

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def on_file(source: str, i: int, n: int, name: str) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(f"导入 {source}", total=max(n, 1))
            bar.update(tasks[source], completed=i if n else 1, total=max(n, 1))

        def on_stage(name: str) -> None:
            bar.add_task({"calendar": "工作日历", "dbt": "数据建模 (dbt build)", "publish": "发布快照"}[name], total=None)

        started = time.perf_counter()
        summary = run_pipeline(paths, months=months, force=args.force, progress=on_file, stage=on_stage,
                               wait=not args.no_wait)
    console.print(
        f"[green]完成[/green] 用时 {time.perf_counter() - started:.1f} 秒；文件 {summary.files}；"
        f"读取 {summary.rows_read} 行，入库 {summary.rows_landed} 行，隔离 {summary.rows_quarantined} 行；"
        f"各阶段秒数 {summary.seconds}")


def cmd_backfill(args, paths: Paths) -> None:
    args.force = False
    cmd_run(args, paths, months=_months(args.start, args.end))


def cmd_status(args, paths: Paths) -> None:
    import json

    import polars as pl

    from .ingest.lake import read_ledger

    ledger = read_ledger(paths.ledger)
    table = Table(title="文件台账（按来源和月份）")
    for col in ("来源", "月份", "文件数", "已入库", "已拒收", "重复", "被替换", "入库行", "隔离行"):
        table.add_column(col)
    if ledger.height:
        agg = ledger.group_by("source", "report_month").agg(
            pl.len().alias("n"), *[(pl.col("status") == s).sum().alias(s) for s in
                                   ("landed", "rejected", "duplicate", "superseded")],
            pl.col("rows_landed").sum(), pl.col("rows_quarantined").sum()).sort("source", "report_month")
        for r in agg.iter_rows():
            table.add_row(*[str(v) if v is not None else "—" for v in r])
    console.print(table)
    rejected = ledger.filter(pl.col("status") == "rejected") if ledger.height else ledger
    for path, msg in rejected.select("file_path", "message").iter_rows():
        console.print(f"[red]拒收[/red] {path}: {msg}")
    runs = paths.logs / "runs.jsonl"
    if runs.exists():
        for line in runs.read_text(encoding="utf-8").splitlines()[-5:]:
            r = json.loads(line)
            console.print(f"运行 {r['started_at']} {r['status']} 入库 {r['rows_landed']} 行 {r.get('message', '')[:80]}")
    if paths.serving.exists():
        age = (time.time() - paths.serving.stat().st_mtime) / 60
        console.print(f"服务快照 {paths.serving}：{age:.0f} 分钟前发布")
    else:
        console.print("[yellow]尚未发布服务快照[/yellow]")


def cmd_serve(args, paths: Paths) -> None:
    env = os.environ | {"GRIDPULSE_DATA": str(paths.data)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "streamlit_app.py"),
           "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    os.execvpe(cmd[0], cmd, env) if not args.background else subprocess.Popen(
        cmd, env=env, stdout=open(paths.logs / "dashboard.log", "a"), stderr=subprocess.STDOUT, start_new_session=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gridpulse", description="GridPulse 网格化服务管理数据仓库")
    parser.add_argument("--raw", type=Path, help="raw/ folder (default: GRIDPULSE_RAW or ./raw)")
    parser.add_argument("--data", type=Path, help="data/ folder (default: GRIDPULSE_DATA or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the Huayang Street demo files into raw/")
    g.add_argument("--seed", type=int, default=2025)
    g.add_argument("--communities", type=int, default=None)
    g.add_argument("--months", type=int, default=12)
    for name, text in (("run", "ingest new files, build the warehouse and publish"),
                       ("backfill", "re-run a month range, e.g. 2025-01 2025-06")):
        p = sub.add_parser(name, help=text)
        if name == "backfill":
            p.add_argument("start")
            p.add_argument("end")
        else:
            p.add_argument("--force", action="store_true", help="re-read every file, not only new ones")
        p.add_argument("--no-wait", action="store_true", help="stop at once if another run holds the warehouse")
    sub.add_parser("status", help="files received per source and month, last runs, snapshot age")
    s = sub.add_parser("serve", help="start the dashboard")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--background", action="store_true")
    args = parser.parse_args(argv)
    default = Paths.from_env()
    paths = Paths(raw=args.raw or default.raw, data=args.data or default.data)
    paths.logs.mkdir(parents=True, exist_ok=True)
    {"generate": cmd_generate, "run": cmd_run, "backfill": cmd_backfill, "status": cmd_status,
     "serve": cmd_serve}[args.command](args, paths)


if __name__ == "__main__":
    main()
