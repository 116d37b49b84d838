"""`gridpulse serve --background` records its process; `gridpulse stop` ends exactly that one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from pipelines.core.settings import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(data, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "--data", str(data), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=os.environ)


def _up(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
    except OSError:
        return False


def test_stop_ends_the_dashboard_serve_started(tmp_path):
    port = _free_port()
    assert _cli(tmp_path, "serve", "--background", "--port", str(port)).returncode == 0
    pid = int((tmp_path / "dashboard.pid").read_text())
    deadline = time.monotonic() + 60
    while not _up(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _up(port)
    done = _cli(tmp_path, "stop")
    assert done.returncode == 0 and f"仪表盘已停止（进程 {pid}）" in done.stdout
    deadline = time.monotonic() + 20
    while _up(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _up(port) and not (tmp_path / "dashboard.pid").exists()
    assert "仪表盘未在后台运行" in _cli(tmp_path, "stop").stdout
