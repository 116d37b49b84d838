"""One writer at a time on the lake and the working warehouse (DESIGN.md §6).

An exclusive `flock` on data/.writer.lock: the kernel drops it when the holder dies, even by
SIGKILL, so a killed run never leaves a stale lock behind. While held, the file names the holder
(process id, what it is, since when) so a second writer can say who it is waiting for; the holder
empties it on release.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from pipelines.core.texts import BUSY, WAITING

_held: dict[str, int] = {}  # lock file -> the thread of this process that holds it


class WriterBusy(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(path: Path) -> dict | None:
    """Who holds the lock now, as written by the holder; None when free or the holder is gone."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and _alive(int(info.get("pid", 0) or 0)) else None


def describe(info: dict | None) -> str:
    if not info:
        return "进程未知"
    return f"进程 {info.get('pid')}，{info.get('what') or '写入任务'}，{str(info.get('since', ''))[11:19]} 开始"


@contextmanager
def writer_lock(path: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None, what: str = ""):
    """Hold the exclusive writer lock for the body.

    wait=False: a second writer fails at once with `WriterBusy` (a sentence for the data clerk).
    wait=True: it tells `on_wait` who it waits for, then blocks until the first one is done.
    Re-entrant in the thread that holds it: a command-line run holds the lock for the whole run
    while the Dagster steps it executes in process take it again, each around its own write.
    """
    key = str(path.resolve())
    if _held.get(key) == threading.get_ident():
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = describe(read_holder(path))
            if not wait:
                raise WriterBusy(BUSY.format(holder=holder)) from exc
            if on_wait:
                on_wait(WAITING.format(holder=holder))
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {"pid": os.getpid(), "what": what, "since": dt.datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode(), 0)
        _held[key] = threading.get_ident()
        try:
            yield
        finally:
            del _held[key]
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock
