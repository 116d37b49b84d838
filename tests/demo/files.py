"""Plain readers for the demo's raw files (openpyxl / csv / json only), independent of the generator."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl

ID_HEADERS = {"公民身份号码", "身份证号", "身份证号码", "证件号码"}
GRID_HEADERS = {"所属网格", "网格编码", "网格编号"}
STATUS_HEADERS = {"居住状态", "状态"}
DATE_HEADERS = ({"出生日期"}, {"登记日期", "采集日期"}, {"更新日期", "变更日期"})
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECKS = np.array(list("10X98765432"))


def sha256_tree(root: Path) -> dict[str, tuple[str, float]]:
    """relative path -> (sha256, mtime) of every file under root."""
    return {
        p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def clean(label: object) -> str:
    return str(label or "").replace(" ", "").replace("\u3000", "")


def valid_checksums(ids: list[str]) -> np.ndarray:
    """Vectorised ISO 7064 MOD 11-2 check of 18-character ID numbers."""
    if not ids:
        return np.array([], dtype=bool)
    raw = np.frombuffer("".join(ids).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    body = raw[:, :17].astype(np.int64) - 48
    return CHECKS[(body @ WEIGHTS) % 11] == raw[:, 17].copy().view("S1").astype(str)


def parse_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    match = re.fullmatch(r"(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?", str(value or ""))
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


@functools.lru_cache(maxsize=64)
def read_register(path: Path, encoding: str | None = None) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """(header name -> column index, [(row number, cells)]) of a population register.

    Data rows are the rows below the header whose first cell is a number (the row number column): title, header,
    blank and totals rows are left out, as a clerk would count.
    """
    if path.suffix == ".csv":
        text = path.read_bytes().decode(encoding or "utf-8-sig")
        lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        header = {clean(h): i for i, h in enumerate(lines[0])}
        return header, [(n, row) for n, row in enumerate(lines[1:], start=2) if row]
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        top = next((i for i, row in enumerate(rows) if "姓名" in {clean(c) for c in row}), None)
        if top is None:
            continue
        header = {clean(c): i for i, c in enumerate(rows[top]) if c is not None}
        if top + 1 < len(rows) and rows[top + 1] and rows[top + 1][0] is None:  # merged two-row header
            header.update({clean(c): i for i, c in enumerate(rows[top + 1]) if c is not None})
        data = [
            (n, list(row)) for n, row in enumerate(rows, start=1)
            if n > top + 1 and row and isinstance(row[0], (int, float)) and not isinstance(row[0], bool)
        ]
        workbook.close()
        return header, data
    workbook.close()
    raise AssertionError(f"no register sheet in {path}")


def column(header: dict[str, int], names: set[str]) -> int:
    return next(i for h, i in header.items() if h in names)


def parse_time(value: object) -> datetime | None:
    """`2025-03-05 08:30[:00]` or `2025/03/05 08:30:00` -> datetime (None when it is not such a time)."""
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))?", str(value or "").strip())
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups(default="0")))
    except ValueError:
        return None


def read_grid_table(path: Path) -> list[dict]:
    """Rows of a street grid table (title row, header row, data from row 3) keyed by header text."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header = [clean(c) for c in rows[1]]
    return [dict(zip(header, row)) for row in rows[2:] if row and row[0] is not None]
