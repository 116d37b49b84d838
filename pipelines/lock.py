"""One writer at a time on the working warehouse (DESIGN.md §6)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


class WriterBusy(RuntimeError):
    pass


@contextmanager
def writer_lock(path: Path, wait: bool = True):
    """Hold an exclusive lock file; with wait=False a second writer fails at once, clearly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise WriterBusy(f"另一个任务正在写入数据仓库（进程 {holder or '未知'}），请稍后再试。") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
