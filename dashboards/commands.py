"""The dashboard's door to the command line: work that belongs to the pipeline (reading raw files) is
asked of `gridpulse` in a process of its own, never imported here (the dashboard reads only the
serving snapshot and what the pipeline publishes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dashboards.data import ROOT

CHECK_TIMEOUT = 300  # seconds: a large register takes a few; a stuck read must not hold the page


class CommandFailed(RuntimeError):
    """The command could not give its answer; the text is for the data clerk."""


def check_files(files: list[tuple[str, bytes]], source: str | None = None) -> list[dict]:
    """`gridpulse check --json` on uploaded files (name, bytes): what ingest would make of each,
    against the installation's lake and ledger. Nothing is written to the data folder."""
    with tempfile.TemporaryDirectory(prefix="gridpulse-check-") as tmp:
        paths = []
        for i, (name, content) in enumerate(files):
            folder = Path(tmp) / str(i)  # two uploads may share a name
            folder.mkdir()
            path = folder / Path(name).name
            path.write_bytes(content)
            paths.append(str(path))
        cmd = [sys.executable, "-m", "pipelines.cli", "check", "--json", *paths,
               *(["--source", source] if source else [])]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=os.environ,
                                  timeout=CHECK_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise CommandFailed(f"检查超过 {CHECK_TIMEOUT} 秒仍未完成，请改用命令行 gridpulse check。") from exc
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise CommandFailed("检查未能完成，请联系系统管理员查看日志。") from exc


REPORT_TIMEOUT = 600  # seconds: reading the snapshot and printing the PDF with Chromium


def build_report(quarter: str) -> None:
    """`gridpulse report <quarter>`: the pipeline builds the quarter's report into data/published/reports/."""
    cmd = [sys.executable, "-m", "pipelines.cli", "report", quarter]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=os.environ, timeout=REPORT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise CommandFailed(f"超过 {REPORT_TIMEOUT} 秒仍未完成，请改用命令行 gridpulse report {quarter}。") from exc
    if proc.returncode:
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        raise CommandFailed(lines[-1] if lines else "请联系系统管理员查看日志。")


PLACE_TIMEOUT = 60  # seconds: one line appended to the corrections file


def place_order(order_id: str, community_code: str, grid_code: str | None = None) -> str:
    """`gridpulse place ORDER_ID COMMUNITY [--grid GRID]`: a data clerk's placement of one hotline order,
    kept in data/corrections/hotline_places.csv and applied by every later build. Returns what the
    command printed last (its confirmation)."""
    cmd = [sys.executable, "-m", "pipelines.cli", "place", order_id, community_code,
           *(["--grid", grid_code] if grid_code else [])]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=os.environ, timeout=PLACE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise CommandFailed(f"超过 {PLACE_TIMEOUT} 秒仍未完成，请改用命令行 gridpulse place {order_id} {community_code}。") from exc
    said = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode:
        errors = said or [line for line in proc.stderr.splitlines() if line.strip()]
        raise CommandFailed(errors[-1] if errors else "请联系系统管理员查看日志。")
    return said[-1] if said else f"{order_id} → {community_code}"
