"""What a run did, told while it runs: the run summary and the reporter the assets write it through.

Every asset of the refresh job reports its step to `reporter()`: ingest its files, the quality gate
its verdict, dbt its nodes and data tests, publish its snapshot. A command-line run
(`pipelines/defs/launch.py`) installs a reporter that also drives the progress bars and keeps the
exception of a failing step for the Chinese summary; a run started from the Dagster UI, a schedule
or the sensor gets one that only collects (its record is Dagster's run log).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from pipelines.core.settings import Paths
from pipelines.core.texts import STEP_TITLES
from pipelines.ingest.calendar import CalendarNotCovered, landed_months
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.routing import month_of
from pipelines.publish.snapshot import PublishFailed
from pipelines.transform.dbt import DbtFailed

FileProgress = Callable[[str, int, int, str], None]  # (source, done, total, file name)
StepProgress = Callable[[str, int | None, int | None], None]  # (step, done, total); done=None: finished
STATUSES = ("landed", "rejected", "duplicate", "superseded")


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
    dbt_select: list[str] | None = None  # the dbt nodes built: None = all (pipelines/transform/scope.py)
    message: str = ""  # for data staff (Chinese): why the run was blocked or failed
    step: str = ""  # the step under way when the run ended (the failing one, if it failed)
    sources_without_data: list[str] = field(default_factory=list)  # no landed rows in the lake (after ingest)
    dagster_run_id: str = ""  # the run in the project's Dagster instance


def now() -> str:
    return dt.datetime.now().isoformat(timespec="microseconds")


class Reporter:
    """Collects one run's summary from its steps; `on_file` and `on_step` show progress."""

    def __init__(self, summary: RunSummary | None = None, on_file: FileProgress | None = None,
                 on_step: StepProgress | None = None):
        self.summary = summary or RunSummary(started_at=now())
        self.on_file, self.on_step = on_file, on_step
        self.outcomes: list[dict] = []
        self.gate = None  # quality.gate.GateResult of the run's quality step
        self.error: BaseException | None = None  # the first exception a step raised

    def file(self, source: str, done: int, total: int, name: str) -> None:
        if self.on_file:
            self.on_file(source, done, total, name)

    def progress(self, step: str, done: int | None, total: int | None) -> None:
        if self.on_step:
            self.on_step(step, done, total)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step (several calls add up: one ingest asset per source) and keep its exception."""
        self.summary.step = name
        if name != "ingest":
            self.progress(name, 0, None)
        started = time.perf_counter()
        try:
            yield
        except BaseException as exc:
            if self.error is None:
                self.error = exc
                try:
                    exc.gridpulse_step = name
                except AttributeError:  # an exception type without attributes of its own
                    pass
            raise
        finally:
            seconds = self.summary.seconds.get(name, 0) + time.perf_counter() - started
            self.summary.seconds[name] = round(seconds, 2)
        if name != "ingest":
            self.progress(name, None, None)

    def ingested(self, outcomes: list[dict]) -> None:
        self.outcomes += outcomes

    def checked(self, result) -> None:
        """The quality gate's verdict on one source (one check per source)."""
        self.gate = result if self.gate is None else self.gate.merge(result)
        self.summary.quality = self.gate.as_dict()


_current: Reporter | None = None


def reporter() -> Reporter:
    """The reporter of the run under way in this process (a collecting one when nobody installed one)."""
    global _current
    if _current is None:
        _current = Reporter()
    return _current


@contextmanager
def reporting(rep: Reporter) -> Iterator[Reporter]:
    """Install `rep` for the steps of one in-process run."""
    global _current
    before, _current = _current, rep
    try:
        yield rep
    finally:
        _current = before


def record_run(paths: Paths, summary: RunSummary) -> None:
    """One line in data/logs/runs.jsonl: at the start (status `running`) and at the end of a run. A
    run killed outright leaves only the first, which is how `gridpulse status` tells it from a finished one."""
    with open(paths.logs / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(summary), ensure_ascii=False) + "\n")


def summarise(summary: RunSummary, outcomes: list[dict], known: dict[str, str]) -> None:
    """Files and rows of the run's ingest, in total and by source × month."""
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
