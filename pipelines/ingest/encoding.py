"""Text encodings of the files communities send: UTF-8 (with or without BOM), else GB18030 (GBK's superset)."""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, the superset of GBK."""
    return utf8(raw)[0]


def utf8(raw: bytes) -> tuple[str, bytes]:
    """The text and its UTF-8 bytes: UTF-8 (a BOM dropped) as it is, GB18030 re-encoded.

    An export cut inside its last character keeps its encoding: the broken tail is dropped, so a
    UTF-8 file is not misread as GB18030 and no file is rejected whole for it."""
    raw = raw.removeprefix(BOM)
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[:exc.start].decode("utf-8"), raw[:exc.start]
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:  # GBK cut inside its last character (up to four bytes in GB18030)
        if exc.start < len(raw) - 4:
            raise
        text = raw[:exc.start].decode("gb18030")
    return text, text.encode("utf-8")


def head_text(raw: bytes, size: int = 20_000) -> str | None:
    """The first `size` bytes as text when they are UTF-8 (a character cut at the end is dropped)."""
    head = raw[:size]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) == size and exc.start >= size - 3:
            return head[:exc.start].decode("utf-8")
        return None
