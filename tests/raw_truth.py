"""Recompute the overview numbers straight from the generated raw files.

Independent of the pipeline code on purpose: plain openpyxl/csv/json, the generator's list of
bad rows and rejected files, and chinese_calendar for deadlines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path

import chinese_calendar
import openpyxl
import polars as pl

STATUSES = {"在住", "外出", "迁出", "死亡"}
RESIDENT = {"在住", "外出"}
SLA = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}


class RawTruth:
    def __init__(self, raw: Path, truth: Path):
        self.raw = raw
        files = pl.read_parquet(truth / "files.parquet")
        self.landed = set(files.filter(pl.col("expected_status") == "landed")["path"])
        bad = pl.read_parquet(truth / "bad_rows.parquet")
        self.bad = {(p, r) for p, r in bad.select("path", "row_number").iter_rows()}

    def _files(self, source: str, month: str | None = None) -> list[Path]:
        root = self.raw / source
        return sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(self.raw).as_posix() in self.landed
                      and (month is None or p.parent.name == month))

    def _sheet_rows(self, path: Path) -> list[tuple[int, list]]:
        if path.suffix == ".csv":
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            return [(i + 1, row) for i, row in enumerate(csv.reader(io.StringIO(text)))]
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            rows = [(i + 1, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True))]
            if any(v in ("居住状态", "状态") for _, r in rows[:6] for v in r):
                return rows
        return []

    def residents(self, month: str) -> int:
        total = 0
        for path in self._files("population", month):
            rel = path.relative_to(self.raw).as_posix()
            rows = self._sheet_rows(path)
            header = next(r for _, r in rows if any(v in ("居住状态", "状态") for v in r))
            col = next(i for i, v in enumerate(header) if v in ("居住状态", "状态"))
            total += sum(1 for n, r in rows if len(r) > col and r[col] in RESIDENT and (rel, n) not in self.bad)
        return total

    def grids_patrolled(self, month: str) -> int:
        grids = set()
        for path in self._files("patrols", month):
            rel = path.relative_to(self.raw).as_posix()
            rows = self._sheet_rows(path)
            header = rows[0][1]
            g, kind = header.index("网格编码"), header.index("巡查类型")
            grids |= {r[g] for n, r in rows[1:] if r[kind] == "巡查" and (rel, n) not in self.bad}
        return len(grids)

    def cases(self) -> dict[str, dict]:
        steps = defaultdict(list)
        for path in self._files("cases"):
            rel = path.relative_to(self.raw).as_posix()
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip() or (rel, n) in self.bad:
                    continue
                rec = json.loads(line)
                cid = rec.get("case_id") or rec.get("事件编号")
                at = dt.datetime.strptime((rec.get("time") or rec.get("时间")).replace("/", "-"), "%Y-%m-%d %H:%M:%S")
                steps[cid].append((at, rel, n, rec.get("action") or rec.get("环节"), int(rec.get("level") or rec.get("处置层级"))))
        cases = {}
        for cid, s in steps.items():
            s.sort()
            acts = defaultdict(list)
            for at, _, _, action, _ in s:
                acts[action].append(at)
            cases[cid] = {"accepted": min(acts["受理"]) if acts["受理"] else None,
                          "closed": max(acts["结案"]) if acts["结案"] else None,
                          "void": bool(acts["作废"]), "extended": bool(acts["延期"]), "level": s[-1][4]}
        return cases

    @staticmethod
    def due(accepted: dt.date, working_days: int) -> dt.date:
        day, left = accepted, working_days
        while left:
            day += dt.timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        return day

    def case_numbers(self, month: str) -> tuple[int, int, float | None]:
        cases = self.cases()
        accepted = [c for c in cases.values() if c["accepted"] and not c["void"]
                    and c["accepted"].strftime("%Y-%m") == month]
        closed = sum(1 for c in cases.values() if c["closed"] and not c["void"] and c["closed"].strftime("%Y-%m") == month)
        on_time = sum(1 for c in accepted if c["closed"] and c["closed"].date() <= self.due(
            c["accepted"].date(), 5 if c["extended"] else SLA[c["level"]]))
        return len(accepted), closed, (on_time / len(accepted) if accepted else None)
