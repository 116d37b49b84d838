"""The access audit log: every sign-in (and failed one), every page view with its filters and every
download, appended as JSON Lines to <data>/audit/<YYYY-MM>.jsonl (one file per month).

The log holds no personal data. Accounts appear by their user name; a name typed at a failed sign-in
that is no account (it may be anything, a phone number included) and the client's network address
are kept only as keyed digests, so repeated attempts still group together. Digests are written in
base32 (letters and the digits 2-7), so no run of them can read as an ID or phone number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from pathlib import Path

import polars as pl

EVENTS = ("sign_in", "sign_in_failed", "sign_in_refused", "sign_out", "session_expired", "page_view", "download")
SCHEMA = {"time": pl.String, "event": pl.String, "user": pl.String, "role": pl.String, "client": pl.String,
          "page": pl.String, "street": pl.String, "month": pl.String, "community": pl.String, "grid": pl.String,
          "table": pl.String, "rows": pl.Int64, "reason": pl.String}
_WRITE = threading.Lock()  # the dashboard serves every session from threads of one process


def _month(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m")


class AuditLog:
    """The audit log of one data folder."""

    def __init__(self, data: Path):
        self.folder = Path(data) / "audit"

    def file(self, month: str) -> Path:
        return self.folder / f"{month}.jsonl"

    def digest(self, value: str) -> str:
        """A keyed, stable pseudonym for a value that must not be stored (16 base32 characters)."""
        key_file = self.folder / ".key"
        if not key_file.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        mac = hmac.new(key_file.read_text().strip().encode(), value.encode(), hashlib.sha256).digest()
        return base64.b32encode(mac[:10]).decode()

    def append(self, event: str, *, now: dt.datetime | None = None, **fields) -> dict:
        """Append one event; fields outside SCHEMA are refused so nothing unplanned lands in the log."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        unknown = set(fields) - set(SCHEMA)
        if unknown:
            raise ValueError(f"audit fields not in the schema: {sorted(unknown)}")
        moment = now or dt.datetime.now()
        record = {"time": moment.isoformat(timespec="seconds"), "event": event,
                  **{k: v for k, v in fields.items() if v is not None}}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        with _WRITE:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.file(_month(moment)), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            try:
                os.write(fd, line)  # one write of one line: lines of concurrent writers never interleave
            finally:
                os.close(fd)
        return record

    def read(self, since: dt.datetime | None = None, until: dt.datetime | None = None, *,
             user: str | None = None, event: str | None = None) -> pl.DataFrame:
        """Events in [since, until), oldest first, optionally of one user or one kind; only the month
        files the period touches are read."""
        files = sorted(self.folder.glob("*.jsonl"))
        if since is not None:
            files = [f for f in files if f.stem >= _month(since)]
        if until is not None:
            files = [f for f in files if f.stem <= _month(until)]
        files = [f for f in files if f.stat().st_size]
        if not files:
            return pl.DataFrame(schema=SCHEMA)
        frame = pl.concat([pl.read_ndjson(f, schema=SCHEMA) for f in files])
        if since is not None:
            frame = frame.filter(pl.col("time") >= since.isoformat(timespec="seconds"))
        if until is not None:
            frame = frame.filter(pl.col("time") < until.isoformat(timespec="seconds"))
        if user is not None:
            frame = frame.filter(pl.col("user") == user)
        if event is not None:
            frame = frame.filter(pl.col("event") == event)
        return frame.sort("time", maintain_order=True)
