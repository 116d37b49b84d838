"""Sign-in against hashed passwords in configuration, the three roles, and the throttle on failed
sign-ins.

The throttle reads the audit log (pipelines/core/audit.py), so it holds across sessions, restarts and
browser tabs: after `delay_after` failures in a row for a user name a growing wait is imposed before
the next attempt, and at `lock_after` failures within `lock_minutes` the name is locked for
`lock_minutes`. The same rules with `client_lock_after` apply to one client trying many names.
Attempts refused by the throttle are logged but never checked, so they neither succeed nor prolong it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import os
import secrets
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl
import yaml

from pipelines.core.audit import AuditLog

USERS_FILE = Path(__file__).with_name("users.yaml")
ROLES = ("leader", "community", "data")


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    community_code: str | None = None

    @property
    def sees_quality(self) -> bool:
        return self.role == "data"

    @property
    def scope(self) -> str | None:
        """The only community this user may see, or None for the whole street."""
        return self.community_code if self.role == "community" else None


def hash_password(password: str, salt: str | None = None, iterations: int = 200_000) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def _verify(password: str, stored: str) -> bool:
    scheme, iterations, salt, digest = stored.split("$")
    if scheme != "pbkdf2_sha256":
        return False
    return hmac.compare_digest(hash_password(password, salt, int(iterations)).split("$")[3], digest)


@dataclass(frozen=True)
class Security:
    """The sign-in rules; a deployment sets them under `security:` in its users file."""

    delay_after: int = 3  # failures in a row after which each attempt must wait
    delay_seconds: float = 2.0  # the first wait; it doubles with every further failure
    lock_after: int = 5  # failures within lock_minutes that lock the user name
    lock_minutes: float = 15.0
    client_lock_after: int = 10  # the same for one client, whatever names it tries
    idle_minutes: float = 30.0  # a session without any action for this long is signed out


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is not even checked, and for how long (seconds)."""

    locked: bool
    wait_seconds: int


def _users_file(path: Path | None) -> Path:
    return path or Path(os.environ.get("GRIDPULSE_USERS", USERS_FILE))


def load_users(path: Path | None = None) -> dict[str, dict]:
    return yaml.safe_load(_users_file(path).read_text(encoding="utf-8"))["users"]


def load_security(path: Path | None = None) -> Security:
    configured = yaml.safe_load(_users_file(path).read_text(encoding="utf-8")).get("security") or {}
    known = {f.name: f.type for f in fields(Security)}
    unknown = set(configured) - set(known)
    if unknown:
        raise ValueError(f"unknown keys under security: {sorted(unknown)}")
    return Security(**{k: (int if known[k] == "int" else float)(v) for k, v in configured.items()})


def account_name(username: str, users: dict[str, dict], log: AuditLog) -> str:
    """How the audit log names who tried: the account, or a digest of a name that is no account."""
    name = username.strip()
    return name if name in users else f"?{log.digest(name)}"


def _refusal(failures: pl.DataFrame, limit: int, security: Security, now: dt.datetime, delays: bool) -> Refusal | None:
    """The throttle over one user name's (or client's) failures since its last success."""
    if failures.height == 0:
        return None
    times = failures["time"].str.to_datetime("%Y-%m-%dT%H:%M:%S")
    last = times.max()
    window = dt.timedelta(minutes=security.lock_minutes)
    recent = int((times >= last - window).sum())
    if recent >= limit and now < last + window:
        return Refusal(True, math.ceil((last + window - now).total_seconds()))
    if not delays or recent < security.delay_after:
        return None
    wait = dt.timedelta(seconds=security.delay_seconds * 2 ** (recent - security.delay_after))
    return Refusal(False, math.ceil((last + wait - now).total_seconds())) if now < last + wait else None


def throttled(log: AuditLog, who: str, client: str, security: Security, now: dt.datetime | None = None) -> Refusal | None:
    """Whether an attempt to sign in as `who` (account_name) from `client` must be refused unchecked."""
    now = now or dt.datetime.now()
    since = now - dt.timedelta(minutes=2 * security.lock_minutes)
    events = log.read(since, now + dt.timedelta(seconds=1)).filter(pl.col("event").is_in(["sign_in", "sign_in_failed"]))
    refusals = []
    for column, value, limit, delays in (("user", who, security.lock_after, True),
                                         ("client", client, security.client_lock_after, False)):
        mine = events.filter(pl.col(column) == value)
        successes = mine.filter(pl.col("event") == "sign_in")["time"]
        after = successes.max() if successes.len() else ""
        refusals.append(_refusal(mine.filter((pl.col("event") == "sign_in_failed") & (pl.col("time") > after)),
                                 limit, security, now, delays))
    refusals = [r for r in refusals if r is not None]
    return max(refusals, key=lambda r: (r.locked, r.wait_seconds)) if refusals else None


def sign_in(username: str, password: str, client: str, log: AuditLog, *, users: dict[str, dict] | None = None,
            security: Security | None = None, now: dt.datetime | None = None) -> User | Refusal | None:
    """Check an attempt under the throttle and log it: the user, the throttle's refusal, or None for
    a wrong name or password."""
    users = users if users is not None else load_users()
    security = security or load_security()
    who = account_name(username, users, log)
    refusal = throttled(log, who, client, security, now)
    if refusal is not None:
        log.append("sign_in_refused", now=now, user=who, client=client,
                   reason="locked" if refusal.locked else "too_soon")
        return refusal
    user = authenticate(username, password, users)
    if user is None:
        log.append("sign_in_failed", now=now, user=who, client=client)
        return None
    log.append("sign_in", now=now, user=user.username, role=user.role, client=client)
    return user


def authenticate(username: str, password: str, users: dict[str, dict] | None = None) -> User | None:
    users = users if users is not None else load_users()
    entry = users.get(username.strip())
    if not entry or not _verify(password, entry["password"]) or entry["role"] not in ROLES:
        return None
    code = str(entry["community_code"]) if entry.get("community_code") else None
    if entry["role"] == "community" and not code:
        return None  # a community account without its community sees nothing rather than everything
    return User(username.strip(), entry.get("name", username), entry["role"], code)


if __name__ == "__main__":
    print(hash_password(sys.argv[1]))
