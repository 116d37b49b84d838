"""Entry point of the demo generator: a year of Huayang Street's raw files plus the truth.

The generator never imports `pipelines.ingest`: tests hold ingest against this independent truth.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

import polars as pl
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from demo.case_files import assign_case_ids, case_steps, case_truth, write_case_files
from demo.cases import generate_cases
from demo.common import SOURCES, STREET_NAME, WorkCalendar, month_last, set_mtime, stream, to_epoch
from demo.grids import Street, build_street, load_communities
from demo.hotline import grid_places, write_hotline
from demo.patrols import patrol_records, plan_duty, write_patrol_files
from demo.population import write_community
from demo.profiles import build_profiles, plan_odd_events
from demo.truth import clear_truth_dir, write_truth
from demo.warning_events import events_truth, inject_case_events, plan_warning_events
from demo.writers import write_grid_table


class _NoProgress:
    def add_task(self, *args, **kwargs) -> int:
        return 0

    def advance(self, *args, **kwargs) -> None:
        pass


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator:
    if not enabled:
        yield _NoProgress()
        return
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as progress:
        yield progress


def generate(
    raw_dir: Path, truth_dir: Path, *, seed: int = 2025, year: int = 2025, communities: int | None = None,
    months: int = 12, progress: bool = True,
) -> dict:
    """Write the demo's raw files under `raw_dir` and its truth under `truth_dir`; return a summary."""
    started = time.perf_counter()
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    if not 1 <= months <= 12:
        raise ValueError("months must be between 1 and 12")
    for source in SOURCES:
        shutil.rmtree(raw_dir / source, ignore_errors=True)
    clear_truth_dir(truth_dir)

    street = build_street(seed, year, communities, months)
    if street.communities.height == 0:
        raise ValueError("communities must be at least 1")
    profiles = build_profiles(seed, load_communities()["community_code"].to_list())
    codes = street.community_codes()
    names = dict(street.communities.select("community_code", "display_name").iter_rows())
    plan = plan_odd_events(seed, profiles, codes, months)
    events = {code: {e: m for e, (c, m) in plan.items() if c == code} for code in codes}
    calendar = WorkCalendar(year)
    warnings = plan_warning_events(seed, street, profiles, plan, calendar)
    jumps = {code: tuple((e.grid_code, e.start.month, e.magnitude) for e in warnings
                         if e.kind == "register_jump" and e.community_code == code) for code in codes}
    files, bad_rows, residents, jump_counts, repeats = [], [], [], [], []

    with _progress(progress) as bar:
        population_task = bar.add_task("population registers", total=len(codes))
        cases_task = bar.add_task("cases and patrols", total=len(codes) + 2)
        # Largest communities first so that the two workers finish together.
        sizes = street.grid_table(1).group_by("community_code").agg(pl.col("persons").sum())
        order = sizes.sort("persons", "community_code", descending=[True, False])["community_code"].to_list()
        jobs = [(street, profiles[c], names[c], str(raw_dir), events[c], seed, {"register_jumps": jumps[c]}) for c in order]
        context = multiprocessing.get_context("spawn")
        with contextlib.ExitStack() as stack:
            if len(jobs) > 1:
                # An executor, not multiprocessing.Pool: a worker that dies raises BrokenProcessPool
                # here instead of leaving the parent waiting forever for its lost task.
                pool = stack.enter_context(ProcessPoolExecutor(2, mp_context=context))
                results = (future.result() for future in as_completed([pool.submit(write_community, j) for j in jobs]))
            else:
                results = iter([write_community(jobs[0])])
            files += _write_grid_tables(street, raw_dir, names)
            case_frames, duties = [], {}
            cutoff = to_epoch(datetime.combine(month_last(year, months), datetime.max.time()).replace(microsecond=0))
            for code in codes:
                duties[code] = plan_duty(street, profiles[code], code, calendar, seed)
                frame = generate_cases(duties[code], profiles[code], code, calendar, seed, cutoff)
                mine = [e for e in warnings if e.community_code == code]
                if mine:
                    frame, made = inject_case_events(frame, duties[code], profiles[code], code, calendar, seed, cutoff, mine)
                    repeats += made
                case_frames.append(frame)
                bar.advance(cases_task)
            cases = assign_case_ids(pl.concat(case_frames))
            case_files, case_bad = write_case_files(case_steps(cases), raw_dir, year, months, seed)
            files += case_files
            bad_rows += case_bad
            bar.advance(cases_task)
            reported = _patrol_reports(cases)
            patrols = []
            for code in codes:
                records = patrol_records(duties[code], code, reported, seed)
                f, b, valid = write_patrol_files(records, profiles[code], names[code], raw_dir, year, months, seed)
                files, bad_rows = files + f, bad_rows + b
                patrols.append(valid)
            bar.advance(cases_task)
            files.append(_not_a_spreadsheet(raw_dir, year, months, seed))
            files += write_hotline(raw_dir, truth_dir, seed=seed, year=year, months=months, street=street)
            for result in results:
                files += result["files"]
                bad_rows += result["bad_rows"]
                residents += result["residents"]
                jump_counts += result["register_jumps"]
                bar.advance(population_task)

    counts = write_truth(truth_dir, files=files, bad_rows=bad_rows, residents=residents, street=street,
                         cases=case_truth(cases), patrols=patrols,
                         events=events_truth(warnings, repeats, cases, jump_counts))
    table = pl.DataFrame(files, schema={"source": pl.String, "data_rows": pl.Int64, "bad_rows": pl.Int64},
                         strict=False).group_by("source").agg(pl.len().alias("files"), pl.col("data_rows").sum(),
                                                              pl.col("bad_rows").sum()).sort("source")
    return {
        "raw_dir": str(raw_dir), "truth_dir": str(truth_dir), "seed": seed, "year": year,
        "communities": len(codes), "months": months, "grids": street.grids.height,
        "files": dict(zip(table["source"], table["files"])), "rows": dict(zip(table["source"], table["data_rows"])),
        "bad_rows": dict(zip(table["source"], table["bad_rows"])), "truth": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _write_grid_tables(street: Street, raw_dir: Path, names: dict[str, str]) -> list[dict]:
    """The January table and, once the redraw is inside the run, the July re-send."""
    year = street.year
    versions = [(f"{STREET_NAME}网格台账_{year}年1月.xlsx", f"{STREET_NAME}网格台账（{year}年1月）", 1, datetime(year, 1, 2, 9))]
    if street.redraw is not None:
        versions.append((f"{STREET_NAME}网格台账_{year}年7月调整.xlsx", f"{STREET_NAME}网格台账（{year}年7月调整）", 7,
                         datetime(year, 6, 28, 10)))
    records = []
    for name, title, month, when in versions:
        grids = street.grid_table(month).sort("grid_code")
        path = raw_dir / "grids" / name
        write_grid_table(path, title, grids, names, when, places=grid_places(street, street.seed, grids))
        set_mtime(path, when)
        records.append({"path": path.relative_to(raw_dir).as_posix(), "source": "grids", "community_code": None,
                        "month": f"{year}-{month:02d}", "data_rows": grids.height, "bad_rows": 0,
                        "expected_status": "landed", "note": "grid table" if month == 1 else "re-sent after the July redraw"})
    return records


def _patrol_reports(cases: pl.DataFrame) -> pl.DataFrame:
    """Ids of the cases each grid's worker reported on patrol, per grid and day."""
    return (
        cases.filter(pl.col("channel") == "网格员巡查")
        .sort("case_id")
        .group_by("grid_code", "report_day")
        .agg(pl.col("case_id").str.join(";").alias("case_ids"))
        .rename({"report_day": "day"})
    )


def _not_a_spreadsheet(raw_dir: Path, year: int, months: int, seed: int) -> dict:
    month = 4 if months >= 4 else months
    path = raw_dir / "population" / f"{year}-{month:02d}" / "人口台账说明.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stream(seed, "docx").bytes(2048))
    set_mtime(path, datetime(year, month, 10, 10))
    return {"path": path.relative_to(raw_dir).as_posix(), "source": "population", "community_code": None,
            "month": f"{year}-{month:02d}", "data_rows": 0, "bad_rows": 0, "expected_status": "rejected",
            "note": "not a spreadsheet (a .docx of random bytes)"}
