"""The whole run in one call: ingest → calendar → dbt build → publish, under the writer lock.

The Dagster assets call the same steps one by one; the command line calls `run_pipeline`.
The quality gate (quality/gate.py) runs after ingest and before dbt: a blocking finding stops the
run there (status `blocked`), so the serving snapshot stays as it was.
Every run leaves two lines in data/logs/runs.jsonl: one when it gets the writer lock (status
`running`) and one when it ends. A run killed outright leaves only the first, which is how
`gridpulse status` tells an interrupted run from a finished one.

Every state of the lake runs (see `run_pipeline`); a run that fails anyway records a Chinese
sentence for data staff in its summary (`failure_message`) and the technical detail, traceback
included, in data/logs/gridpulse.log only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
import time
import uuid
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from quality.gate import QualityGateFailed
from quality.gate import pipeline_step as quality_step

from . import build_scope
from .calendar import CalendarNotCovered, landed_months, write_calendar
from .config import DBT_PROJECT_DIR, Paths
from .ingest.contracts import SOURCES
from .ingest.lake import read_ledger
from .ingest.run import Ingestor, Progress
from .lock import writer_lock
from .logs import setup_logging
from .publish import PublishFailed, publish
from .routing import MonthIngestor, current_month, ledger_months, month_of
from .transform import DbtFailed, dbt_env, dbt_executable

log = logging.getLogger("gridpulse.pipeline")
Step = Callable[[str, int | None, int | None], None]  # (step, done, total); done=None: the step finished
NODE_DONE = re.compile(r"\b\d+ of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")
STATUSES = ("landed", "rejected", "duplicate", "superseded")
STEP_TITLES = {"ingest": "导入文件", "calendar": "工作日历", "quality": "数据质量检查", "dbt": "数据建模与检查（dbt build）",
               "publish": "发布服务快照"}


@dataclass
class RunSummary:
    started_at: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    kind: str = "run"
    months: list[str] | None = None
    pid: int = field(default_factory=os.getpid)
    status: str = "running"
    locked_at: str = ""
    finished_at: str = ""
    files: dict[str, int] = field(default_factory=dict)  # status -> count
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    by_month: list[dict] = field(default_factory=list)  # one row per source × month touched
    checks: dict[str, int] = field(default_factory=dict)  # dbt data tests: pass / warn / fail / error
    quality: dict = field(default_factory=dict)  # the quality gate's verdict (quality.gate.GateResult.as_dict)
    seconds: dict[str, float] = field(default_factory=dict)
    dbt_select: list[str] | None = None  # the dbt nodes built: None = all (pipelines/build_scope.py)
    message: str = ""  # for data staff (Chinese): why the run was blocked or failed
    step: str = ""  # the step under way when the run ended (the failing one, if it failed)
    sources_without_data: list[str] = field(default_factory=list)  # no landed rows in the lake (after ingest)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="microseconds")


def record_run(paths: Paths, summary: RunSummary) -> None:
    with open(paths.logs / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(summary), ensure_ascii=False) + "\n")


def dbt_checks(run_results: Path) -> dict[str, int]:
    """Outcomes of the dbt data tests of the last build (run_results.json)."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return dict(Counter(r["status"] for r in results if r["unique_id"].startswith("test.")))


def dbt_build(paths: Paths, on_node: Callable[[int, int], None] | None = None,
              select: list[str] | None = None) -> dict[str, int]:
    """`dbt build` (of the `select`ed nodes; None: all), reporting each finished node; returns the data
    tests' outcomes. A successful build is remembered so that the next run may build less (build_scope)."""
    run_results = paths.data / "dbt" / "target" / "run_results.json"
    run_results.unlink(missing_ok=True)
    build_scope.forget(paths)
    selected = ["--select", *select] if select else []
    proc = subprocess.Popen([dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR), *selected],
                            env=dbt_env(paths) | {"DBT_USE_COLORS": "false"}, cwd=DBT_PROJECT_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail: deque[str] = deque(maxlen=40)
    done = 0
    try:
        for line in proc.stdout:
            tail.append(line.rstrip())
            if (m := NODE_DONE.search(line)) and on_node:
                done += 1
                on_node(done, int(m.group(1)))
        code = proc.wait()
    finally:
        if proc.poll() is None:  # interrupted: do not leave dbt writing on its own
            proc.kill()
            proc.wait()
    checks = dbt_checks(run_results)
    if code:
        raise DbtFailed("dbt build failed:\n" + "\n".join(line for line in tail if line.strip()))
    build_scope.mark_built(paths)
    return checks


def summarise(summary: RunSummary, outcomes: list[dict], known: dict[str, str]) -> None:
    groups: dict[tuple[str, str], dict] = {}
    for o in outcomes:
        summary.files[o["status"]] = summary.files.get(o["status"], 0) + 1
        summary.rows_read += o["rows_read"]
        summary.rows_landed += o["rows_landed"]
        summary.rows_quarantined += o["rows_quarantined"]
        month = o["report_month"] or month_of(o["file_path"], known) or "—"
        g = groups.setdefault((o["source"], month), {"source": o["source"], "month": month, "files": 0,
                                                     **dict.fromkeys(STATUSES, 0), "rows_landed": 0,
                                                     "rows_quarantined": 0})
        g["files"] += 1
        g[o["status"]] = g.get(o["status"], 0) + 1
        g["rows_landed"] += o["rows_landed"]
        g["rows_quarantined"] += o["rows_quarantined"]
    order = {s: i for i, s in enumerate(SOURCES)}
    summary.by_month = [groups[k] for k in sorted(groups, key=lambda k: (order.get(k[0], 99), k[1]))]


def ingest_months(paths: Paths, months: set[str] | None, force: bool = False, sources: tuple[str, ...] | None = None,
                  progress: Progress | None = None) -> list[dict]:
    """New and changed files (months=None), or every file of some months (a backfill)."""
    kwargs = {"sources": sources} if sources else {}
    if months is None:
        return Ingestor(paths).run(force=force, progress=progress, **kwargs)
    return MonthIngestor(paths, unrouted=current_month() in months).run(months=months, progress=progress, **kwargs)


def _scope(paths: Paths, summary: RunSummary, force: bool) -> list[str] | None:
    """A backfill or a forced run builds everything; a run otherwise what its new data can change."""
    summary.dbt_select = build_scope.selection(paths, full=force or bool(summary.months))
    return summary.dbt_select


def sources_without_data(paths: Paths) -> list[str]:
    """Sources with no landed rows in the lake: nothing arrived yet, or every file was rejected."""
    return [s for s in SOURCES if not landed_months(paths.lake, (s,))]


def failure_message(exc: BaseException, step: str | None = None) -> str:
    """One Chinese sentence for data staff on why a run failed; never the exception's own text unless
    it is already written for them. The caller logs the technical detail."""
    where = STEP_TITLES.get(step or getattr(exc, "gridpulse_step", ""), "运行")
    if isinstance(exc, CalendarNotCovered):
        return str(exc)  # written for data staff
    if isinstance(exc, DbtFailed):
        return f"{where}失败：有模型未能生成或数据检查报错。"
    if isinstance(exc, PublishFailed):
        return f"{where}失败：新快照与数据仓库核对不一致，已放弃发布。"
    if isinstance(exc, MemoryError):
        return f"{where}失败：内存不足。"
    if isinstance(exc, OSError):
        name = getattr(exc, "filename", None)
        return f"{where}失败：读写文件出错{f'（{name}）' if name else ''}，请检查磁盘空间和文件权限。"
    return f"{where}失败：程序内部错误。"


def run_pipeline(paths: Paths, *, months: set[str] | None = None, force: bool = False,
                 progress: Progress | None = None, step: Step | None = None, wait: bool = True,
                 on_wait: Callable[[str], None] | None = None) -> RunSummary:
    """Ingest, check, build and publish; returns the run's summary.

    Every lake state runs to a published snapshot of what there is:
    - an empty raw/, or a source whose files were all rejected or of the wrong kind: the source has no
      landed rows (`summary.sources_without_data`), its marts are empty and the dashboard pages say
      无数据; the rejected files are in the ledger (status, 数据质量 page) with their reasons;
    - a grid table alone: the grids in force in the grid table's months, every other figure 无数据;
    - registers, case or patrol logs but no grid table at all: their grid codes cannot be checked, so
      the quality gate stops the run (QualityGateFailed) with a message that names the missing grid
      table; nothing is published until it lands.
    The working-day calendar covers the years of the landed data (pipelines/calendar.py).

    A failure raises the original exception after recording `summary.message` (Chinese, from
    `failure_message`) and logging the traceback to data/logs/gridpulse.log; the exception carries
    the failing step as `gridpulse_step`.
    """
    setup_logging(paths)
    summary = RunSummary(started_at=_now(), kind="backfill" if months else "run",
                         months=sorted(months) if months else None)
    with writer_lock(paths.lock, wait=wait, on_wait=on_wait, what=f"gridpulse {summary.kind}"):
        summary.locked_at = _now()
        record_run(paths, summary)
        try:
            t = time.perf_counter()
            summary.step = "ingest"
            outcomes = ingest_months(paths, months, force, progress=progress)
            summarise(summary, outcomes, ledger_months(read_ledger(paths.ledger)))
            summary.sources_without_data = sources_without_data(paths)
            summary.seconds["ingest"] = round(time.perf_counter() - t, 2)
            steps = (("calendar", lambda: write_calendar(paths.lake)),
                     ("quality", lambda: quality_step(paths, summary.quality,
                                                      lambda i, n, _: step and step("quality", i, n))),
                     ("dbt", lambda: summary.checks.update(dbt_build(
                         paths, lambda i, n: step and step("dbt", i, n), select=_scope(paths, summary, force)))),
                     ("publish", lambda: publish(paths)))
            for name, run in steps:
                summary.step = name
                if step:
                    step(name, 0, None)
                t = time.perf_counter()
                run()
                summary.seconds[name] = round(time.perf_counter() - t, 2)
                if step:
                    step(name, None, None)  # finished
            summary.status = "success"
        except QualityGateFailed as exc:  # blocking data problems: nothing is built or published
            summary.status, summary.message = "blocked", str(exc)
            log.error("run %s blocked by the quality gate", summary.run_id)
            raise
        except BaseException as exc:
            summary.status = "failed" if isinstance(exc, Exception) else "interrupted"
            if isinstance(exc, Exception):
                summary.message = failure_message(exc, summary.step)
                try:
                    exc.gridpulse_step = summary.step
                except AttributeError:  # an exception type without attributes of its own
                    pass
            log.error("run %s %s in step %s", summary.run_id, summary.status, summary.step, exc_info=exc)
            raise
        finally:
            summary.finished_at = _now()
            record_run(paths, summary)
    return summary
