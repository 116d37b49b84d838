"""The demo generator over the real structure of Chengdu: a share `sf` of its 3,047 communities.

`generate_city` writes what the street demo writes, for every street the share touches: per street a
January grid table; per community its monthly registers and patrol logs; ONE city-wide daily case
export (the city event platform) holding every street's cases. It reuses the street demo's modules in
city mode: street and community names in every title and file name (community names repeat across
Chengdu, street names do not), ids with a street prefix (workers `116003` + `01001`, patrol records
`XC116003…`, cases `CD116003` + date + sequence), person ID numbers kept apart city-wide
(`identity.city_birth_and_sequence`), no July redraw, and a vectorised xlsx writer. The truth is one
set of tables for the whole run. Like the street demo it never imports `pipelines.ingest`.

CLI: `python -m demo --sf 0.1 --months 3 --raw DIR --truth DIR [--workers 2]`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

import polars as pl

from demo import vocab
from demo.case_files import assign_case_ids, case_steps, case_truth, write_case_files
from demo.cases import generate_cases
from demo.city_plan import CityEvents, CityStreet, plan_city, plan_city_events
from demo.common import SOURCES, WorkCalendar, month_last, set_mtime, stream, to_epoch
from demo.generator import _patrol_reports, _progress
from demo.grids import Street, build_street
from demo.patrols import patrol_records, plan_duty, write_patrol_files
from demo.population import write_community
from demo.profiles import Profile, build_profiles
from demo.truth import clear_truth_dir, grids_truth, write_truth
from demo.writers import write_grid_table

STEP_COLUMNS = ("t", "slot", "case_id", "at", "action", "actor", "role", "step_level", "category", "subcategory",
                "work_type", "channel", "grid_code", "community_code", "description", "step_satisfaction")


def generate_city(raw_dir: Path, truth_dir: Path, *, sf: float, seed: int = 2025, year: int = 2025, months: int = 3,
                  workers: int = 2, progress: bool = True) -> dict:
    """Write the raw files of a share `sf` (0 < sf <= 1) of Chengdu under `raw_dir`, the truth under `truth_dir`."""
    started = time.perf_counter()
    raw_dir, truth_dir = Path(raw_dir), Path(truth_dir)
    if not 1 <= months <= 12:
        raise ValueError("months must be between 1 and 12")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    plan, index = plan_city(sf, seed)
    for source in SOURCES:
        shutil.rmtree(raw_dir / source, ignore_errors=True)
    clear_truth_dir(truth_dir)

    streets: dict[str, Street] = {}
    profiles: dict[str, Profile] = {}
    for s in plan:  # at most 261 streets
        streets[s.code] = build_street(seed, year, months=months, street_code=s.code, street_name=s.name, keep=s.communities,
                                       redraw=False, id_prefix=s.id_prefix, centre=s.centre, ids=s.ids, community_index=index)
        mine = build_profiles(seed, s.all_communities, key=(s.code,))
        profiles.update({c: mine[c] for c in s.communities})
    events = plan_city_events(seed, profiles, plan, months)
    codes = [c for s in plan for c in s.communities]
    files, bad_rows, residents = [], [], []

    with _progress(progress) as bar:
        population_task = bar.add_task("population registers", total=len(codes))
        cases_task = bar.add_task("streets: grids, cases, patrols", total=len(plan) + 1)
        jobs = _jobs(plan, streets, profiles, events, raw_dir, seed)
        context = multiprocessing.get_context("spawn")
        with contextlib.ExitStack() as stack:
            if workers > 1 and len(jobs) > 1:
                pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context))
                results = (future.result() for future in as_completed([pool.submit(write_community, j) for j in jobs]))
            else:
                results = (write_community(j) for j in jobs)
            calendar = WorkCalendar(year)
            cutoff = to_epoch(datetime.combine(month_last(year, months), datetime.max.time()).replace(microsecond=0))
            all_cases, steps, patrols = [], [], []
            for s in plan:
                street = streets[s.code]
                files.append(_write_grid_table(street, raw_dir))
                cases, f, b, valid = _street_cases_and_patrols(s, street, profiles, calendar, cutoff, raw_dir, seed)
                files, bad_rows = files + f, bad_rows + b
                patrols += valid
                all_cases.append(cases)
                steps.append(case_steps(cases, centre=vocab.street_centre(s.name)).select(STEP_COLUMNS))
                bar.advance(cases_task)
            cases = pl.concat(all_cases)
            case_files, case_bad = write_case_files(pl.concat(steps).sort("t", "case_id", "slot"), raw_dir, year, months, seed)
            del steps
            files, bad_rows = files + case_files, bad_rows + case_bad
            files += [_not_a_spreadsheet(raw_dir, streets[code], year, month, seed) for code, month in events.docx]
            bar.advance(cases_task)
            for result in results:
                files += result["files"]
                bad_rows += result["bad_rows"]
                residents += result["residents"]
                bar.advance(population_task)

    grids = pl.concat([grids_truth(s) for s in streets.values()])
    counts = write_truth(truth_dir, files=files, bad_rows=bad_rows, residents=residents, grids=grids,
                         cases=case_truth(cases), patrols=patrols)
    table = pl.DataFrame(files, schema={"source": pl.String, "data_rows": pl.Int64, "bad_rows": pl.Int64},
                         strict=False).group_by("source").agg(pl.len().alias("files"), pl.col("data_rows").sum(),
                                                              pl.col("bad_rows").sum()).sort("source")
    first = f"{year}-01"
    return {
        "raw_dir": str(raw_dir), "truth_dir": str(truth_dir), "seed": seed, "year": year, "sf": sf, "months": months,
        "streets": len(plan), "communities": len(codes), "grids": grids.height,
        "residents": sum(r["residents"] for r in residents if r["month"] == first),
        "files": dict(zip(table["source"], table["files"])), "rows": dict(zip(table["source"], table["data_rows"])),
        "bad_rows": dict(zip(table["source"], table["bad_rows"])), "truth": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _jobs(plan: list[CityStreet], streets: dict[str, Street], profiles: dict[str, Profile], events: CityEvents,
          raw_dir: Path, seed: int) -> list[tuple]:
    """One population job per community, largest first so that the workers finish together."""
    jobs = []
    for s in plan:
        street = streets[s.code]
        names = dict(street.communities.select("community_code", "display_name").iter_rows())
        persons = dict(street.grids.group_by("community_code").agg(pl.col("persons").sum()).iter_rows())
        for code in s.communities:
            options = {"file_prefix": s.name, "anonymous_name": events.anonymous_names.get(code, "台账.xlsx"),
                       "company": vocab.street_centre(street.name)}
            jobs.append((persons.get(code, 0), code,
                         (street, profiles[code], names[code], str(raw_dir), events.by_community[code], seed, options)))
    return [job for _, _, job in sorted(jobs, key=lambda j: (-j[0], j[1]))]


def _street_cases_and_patrols(s: CityStreet, street: Street, profiles: dict[str, Profile], calendar: WorkCalendar,
                              cutoff: int, raw_dir: Path, seed: int) -> tuple[pl.DataFrame, list, list, list]:
    """The street's cases (ids with its prefix) and its communities' patrol logs (files written)."""
    duties, frames = {}, []
    for code in s.communities:
        duties[code] = plan_duty(street, profiles[code], code, calendar, seed)
        frames.append(generate_cases(duties[code], profiles[code], code, calendar, seed, cutoff))
    cases = assign_case_ids(pl.concat(frames), prefix=s.case_prefix)
    reported = _patrol_reports(cases)
    names = dict(street.communities.select("community_code", "display_name").iter_rows())
    files, bad_rows, valid = [], [], []
    for code in s.communities:
        records = patrol_records(duties[code], code, reported, seed, prefix=s.id_prefix)
        f, b, v = write_patrol_files(records, profiles[code], s.name + names[code], raw_dir, street.year, street.months, seed)
        files, bad_rows = files + f, bad_rows + b
        valid.append(v)
    return cases, files, bad_rows, valid


def _write_grid_table(street: Street, raw_dir: Path) -> dict:
    """The street's January grid table (the kept communities' grids); no July redraw in city mode."""
    year, name = street.year, street.name
    when = datetime(year, 1, 2, 9)
    grids = street.grid_table(1).sort("grid_code")
    path = raw_dir / "grids" / f"{name}网格台账_{year}年1月.xlsx"
    names = dict(street.communities.select("community_code", "display_name").iter_rows())
    write_grid_table(path, f"{name}网格台账（{year}年1月）", grids, names, when, vocab.street_centre(name))
    set_mtime(path, when)
    return {"path": path.relative_to(raw_dir).as_posix(), "source": "grids", "community_code": None,
            "month": f"{year}-01", "data_rows": grids.height, "bad_rows": 0, "expected_status": "landed",
            "note": f"grid table of {name}"}


def _not_a_spreadsheet(raw_dir: Path, street: Street, year: int, month: int, seed: int) -> dict:
    path = raw_dir / "population" / f"{year}-{month:02d}" / f"{street.name}人口台账说明.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stream(seed, "docx", street.code).bytes(2048))
    set_mtime(path, datetime(year, month, 10, 10))
    return {"path": path.relative_to(raw_dir).as_posix(), "source": "population", "community_code": None,
            "month": f"{year}-{month:02d}", "data_rows": 0, "bad_rows": 0, "expected_status": "rejected",
            "note": "not a spreadsheet (a .docx of random bytes)"}
