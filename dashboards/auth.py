"""Sign-in against hashed passwords in configuration, and the three roles."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

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


def load_users(path: Path | None = None) -> dict[str, dict]:
    path = path or Path(os.environ.get("GRIDPULSE_USERS", USERS_FILE))
    return yaml.safe_load(path.read_text(encoding="utf-8"))["users"]


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
