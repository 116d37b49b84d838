"""One community's year of population registers: files, odd files, and their truth.

`write_community` runs in a worker process; it returns plain records (no frames) for the truth.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from demo.common import month_key, set_mtime, stream
from demo.fast_xlsx import write_register_xlsx_fast
from demo.grids import Street
from demo.people import monthly_registers
from demo.profiles import Profile, submission_time
from demo.registers import Rendered, render, title_lines
from demo.writers import register_csv_bytes

ON_TIME_DAY = 25


def _stats(register: pl.DataFrame) -> list[list]:
    counts = register.pivot(on="status", index="grid", values="person", aggregate_function="len").fill_null(0)
    statuses = [s for s in ("在住", "外出", "迁出", "死亡") if s in counts.columns]
    rows = [["网格", *statuses, "合计"]]
    for row in counts.sort("grid").iter_rows(named=True):  # one row per grid (at most ~11)
        values = [int(row[s]) for s in statuses]
        rows.append([row["grid"], *values, sum(values)])
    return rows


class CommunityWriter:
    """City mode passes `file_prefix` (the street's name, put before the community's name in file names and
    the filling unit), `anonymous_name` (the month folder is shared by many communities) and `company` (the
    workbooks' author: the street's centre rather than the demo street's). `register_jumps` are the community's
    (grid_code, month, share) register jumps of `demo.warning_events`."""

    def __init__(self, street: Street, profile: Profile, display_name: str, raw_dir: Path, events: dict[str, int], *,
                 file_prefix: str = "", anonymous_name: str = "台账.xlsx", company: str | None = None,
                 register_jumps: tuple = ()):
        self.street, self.profile, self.name, self.raw_dir, self.events = street, profile, display_name, raw_dir, events
        self.file_name, self.anonymous_name = f"{file_prefix}{display_name}", anonymous_name
        self.write_xlsx = write_register_xlsx_fast
        self.extra = {"company": company} if company else {}
        self.code = profile.community_code
        self.files: list[dict] = []
        self.bad_rows: list[dict] = []
        self.residents: list[dict] = []
        self.register_jumps = tuple(register_jumps)
        self.jump_counts: list[dict] = []  # residents of each jump's grid the month before and the month of it

    def _record(self, path: Path, month: int, rendered: Rendered | None, status: str, note: str, community: bool = True) -> None:
        rel = path.relative_to(self.raw_dir).as_posix()
        listed = rendered is not None and status != "rejected"
        self.files.append({
            "path": rel, "source": "population", "community_code": self.code if community else None,
            "month": month_key(self.street.year, month), "data_rows": rendered.data_rows if rendered else 0,
            "bad_rows": len(rendered.bad) if listed else 0, "expected_status": status, "note": note,
        })
        if listed:
            self.bad_rows += [{"path": rel, "row_number": r, "reason_code": c} for r, c in rendered.bad]

    def _xlsx(self, path: Path, rendered: Rendered, month: int, when: datetime, register: pl.DataFrame,
              profile: Profile | None = None) -> None:
        p = profile or self.profile
        titles = title_lines(self.name, self.street.year, month, when.date(), self.street.name, self.file_name)
        self.write_xlsx(
            path, rendered, sheet_name=p.sheet_name, titles=titles, created=when, notes_sheet=p.notes_sheet,
            stats=_stats(register) if p.stats_sheet else None, totals=p.totals, **self.extra,
        )
        set_mtime(path, when)

    def run(self, seed: int) -> None:
        year, code, p = self.street.year, self.code, self.profile
        counts = {}
        for month, register in monthly_registers(self.street, code, seed, p.tag_separator, self.register_jumps):
            for grid_code, jump_month, _ in self.register_jumps:
                if month in (jump_month - 1, jump_month):
                    counts[grid_code, month] = register.filter(
                        (pl.col("grid") == grid_code) & pl.col("status").is_in(["在住", "外出"])).height
            folder = self.raw_dir / "population" / month_key(year, month)
            folder.mkdir(parents=True, exist_ok=True)
            when = submission_time(seed, code, year, month, p.late_share)
            row = {"community_code": code, "month": month_key(year, month), "persons_in_register": 0, "residents": 0,
                   "submitted": False, "submitted_at": None, "on_time": False}
            events = {e for e, m in self.events.items() if m == month}
            if "no_register" in events:
                self.residents.append(row)
                continue
            rng = stream(seed, "render", code, month)
            rendered = render(register, p, code, year, month, rng)
            if p.csv_encoding:
                path = folder / f"{self.file_name}_实有人口_{month_key(year, month)}.csv"
                path.write_bytes(register_csv_bytes(rendered, p.csv_encoding))
                set_mtime(path, when)
                self._record(path, month, rendered, "landed", f"CSV in {p.csv_encoding}")
            else:
                path = folder / f"{self.file_name}实有人口台账_{year}年{month}月.xlsx"
                when = self._xlsx_events(path, rendered, register, month, when, events, rng)
            row.update(persons_in_register=rendered.persons, residents=rendered.residents, submitted=True, submitted_at=when,
                       on_time=when <= datetime(year, month, ON_TIME_DAY, 23, 59, 59))
            self.residents.append(row)
            if "anonymous" in events:
                self._anonymous(folder, register, month, when)
        self.jump_counts = [{"grid_code": g, "before": counts.get((g, m - 1)), "after": counts.get((g, m))}
                            for g, m, _ in self.register_jumps]

    def _xlsx_events(self, path: Path, rendered: Rendered, register, month: int, when: datetime, events: set, rng) -> datetime:
        """Write the month's workbook(s); returns when the first usable register arrived."""
        p, stem = self.profile, path.stem
        first_usable = when
        if "empty" in events:
            blank = dataclasses.replace(p, totals=None, blank_rows=0, stats_sheet=False)
            empty = render(register.head(0), blank, self.code, self.street.year, month, rng, with_bad=False)
            target = path.with_name(f"{stem}_空表.xlsx")
            self._xlsx(target, empty, month, when - timedelta(days=2), register.head(0), blank)
            self._record(target, month, None, "rejected", "empty template: header only, no data rows")
        if "missing_id_column" in events:
            lacking = render(register, p, self.code, self.street.year, month, rng, with_bad=False, drop_columns=("id_number",))
            self._xlsx(path, lacking, month, when, register)
            self._record(path, month, lacking, "rejected", "required ID number column missing; corrected a day later")
            path, first_usable = path.with_name(f"{stem}_更正.xlsx"), when + timedelta(days=1)
            self._xlsx(path, rendered, month, first_usable, register)
            self._record(path, month, rendered, "landed", "corrected file after a rejected submission")
            return first_usable
        self._xlsx(path, rendered, month, when, register)
        if "resubmitted" in events:
            self._record(path, month, rendered, "superseded", "replaced by a corrected re-submission 3 days later")
            changed = dataclasses.replace(rendered, values={k: list(v) for k, v in rendered.values.items()})
            phones = changed.values["phone"]
            usable = ~np.isin(rendered.data_row_numbers, [r for r, _ in rendered.bad]) & pl.Series(phones).is_not_null().to_numpy()
            candidates = np.flatnonzero(usable)
            for i in candidates[:: max(1, len(candidates) // 5)][:5]:  # five corrected phone numbers
                phones[i] = phones[i][:3] + phones[i][7:] + phones[i][3:7]
            again = path.with_name(f"{stem}_重报.xlsx")
            self._xlsx(again, changed, month, when + timedelta(days=3), register)
            self._record(again, month, changed, "landed", "re-submission with a few rows changed")
        else:
            self._record(path, month, rendered, "landed", self._describe())
        if "byte_copy" in events:
            copy = path.with_name(f"{stem}_副本.xlsx")
            shutil.copyfile(path, copy)
            set_mtime(copy, when + timedelta(hours=2))
            self._record(copy, month, rendered, "duplicate", f"byte-identical copy of {path.name}")
        if "corrupt" in events:
            broken = path.with_name(f"{stem}(1).xlsx")
            data = path.read_bytes()
            broken.write_bytes(data[: len(data) // 2])
            set_mtime(broken, when - timedelta(minutes=30))
            self._record(broken, month, None, "rejected", "corrupt: a workbook truncated to half its bytes")
        return first_usable

    def _anonymous(self, folder: Path, register: pl.DataFrame, month: int, when: datetime) -> None:
        plain = dataclasses.replace(self.profile, title_rows=0, merged_header=False, notes_sheet=False, stats_sheet=False,
                                    totals=None, blank_rows=0, csv_encoding=None, date_format="iso", sheet_name="Sheet1")
        rng = stream(0, "anonymous", self.code, month)
        rendered = render(register, plain, self.code, self.street.year, month, rng, with_bad=False, title_rows=0)
        path = folder / self.anonymous_name
        self._xlsx(path, rendered, month, when + timedelta(hours=1), register, plain)
        self._record(path, month, rendered, "rejected",
                     f"no title row and a file name without community or month (content of {self.code})", community=False)

    def _describe(self) -> str:
        p = self.profile
        parts = [f"{p.title_rows} title rows", f"dates {p.date_format}"]
        parts += [label for flag, label in ((p.merged_header, "merged two-row header"), (p.notes_sheet, "notes sheet first"),
                                            (p.stats_sheet, "trailing stats sheet"), (p.totals, "totals row"),
                                            (p.blank_rows, "blank rows"), (p.spaced_headers, "spaced headers"),
                                            (p.fullwidth_rooms, "full-width room numbers")) if flag]
        return ", ".join(parts)


def write_community(args: tuple) -> dict:
    """Worker entry point: (street, profile, display_name, raw_dir, events, seed[, options]) -> truth records.

    `options` (city mode) are keyword arguments of `CommunityWriter`.
    """
    street, profile, display_name, raw_dir, events, seed, *options = args
    writer = CommunityWriter(street, profile, display_name, Path(raw_dir), events, **(options[0] if options else {}))
    writer.run(seed)
    return {"community_code": profile.community_code, "files": writer.files, "bad_rows": writer.bad_rows,
            "residents": writer.residents, "register_jumps": writer.jump_counts}
