"""The whole run in one call: ingest → calendar → dbt build → publish, under the writer lock.

The Dagster assets call the same steps one by one; the command line calls `run_pipeline`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import asdict, dataclass, field

from .calendar import write_calendar
from .config import Paths
from .ingest.run import Ingestor, Progress
from .lock import writer_lock
from .publish import publish
from .transform import build

log = logging.getLogger("gridpulse.pipeline")


@dataclass
class RunSummary:
    started_at: str
    status: str = "running"
    files: dict[str, int] = field(default_factory=dict)  # status -> count
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    message: str = ""


def setup_logging(paths: Paths) -> None:
    paths.logs.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(paths.logs / "gridpulse.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger("gridpulse")
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def run_pipeline(paths: Paths, *, months: set[str] | None = None, force: bool = False,
                 progress: Progress | None = None, stage: callable = None, wait: bool = True) -> RunSummary:
    setup_logging(paths)
    summary = RunSummary(started_at=dt.datetime.now().isoformat(timespec="seconds"))
    with writer_lock(paths.lock, wait=wait):
        try:
            t = time.perf_counter()
            outcomes = Ingestor(paths).run(months=months, force=force, progress=progress)
            for o in outcomes:
                summary.files[o["status"]] = summary.files.get(o["status"], 0) + 1
                summary.rows_read += o["rows_read"]
                summary.rows_landed += o["rows_landed"]
                summary.rows_quarantined += o["rows_quarantined"]
            summary.seconds["ingest"] = round(time.perf_counter() - t, 2)
            for name, step in (("calendar", lambda: write_calendar(paths.lake)), ("dbt", lambda: build(paths)),
                               ("publish", lambda: publish(paths))):
                if stage:
                    stage(name)
                t = time.perf_counter()
                step()
                summary.seconds[name] = round(time.perf_counter() - t, 2)
            summary.status = "success"
        except Exception as exc:
            summary.status, summary.message = "failed", str(exc)
            log.error("run failed: %s", exc.__class__.__name__)
            raise
        finally:
            with open(paths.logs / "runs.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps(asdict(summary), ensure_ascii=False) + "\n")
    return summary
