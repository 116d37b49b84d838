"""Ingest throughput per source and file format next to a bare fastexcel/polars read of the same files.

The bare read is the ceiling: it only decodes the cells (every sheet of every xlsx with
fastexcel, every csv with polars, every jsonl with polars' read_ndjson) — no header search, no
validation, no pseudonymisation, no writing.

The floor is the least any ingest that lands Parquet has to do: the same files read by ingest's
readers in ingest's reader threads (header found, community and month located) and their rows,
as text and unvalidated, written as one Parquet part per month with the lake's settings. Its
ratio to the bare read bounds what validation and pseudonymisation may cost for a target.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import fastexcel
import polars as pl

from pipelines.core.settings import Paths
from pipelines.ingest import lake
from pipelines.ingest.encoding import decode_text
from pipelines.ingest.errors import FileRejected
from pipelines.ingest.run import Ingestor, prefetch, scan

COMBOS = (("population", ".xlsx"), ("population", ".csv"), ("patrols", ".csv"), ("cases", ".jsonl"),
          ("hotline", ".xlsx"), ("hotline", ".csv"))


def bare_read(path: Path) -> int | None:
    """Rows decoded by the plainest read of the file; None for what that read cannot decode (a corrupt
    workbook, an empty file, a log with a cut-off line): such files count in neither the bare rows nor
    its time, so the ceiling is the bare reader's true speed."""
    try:
        if path.suffix == ".xlsx":
            reader = fastexcel.read_excel(str(path))
            return sum(reader.load_sheet(i, header_row=None, dtypes="string").to_polars().height
                       for i in range(len(reader.sheet_names)))
        if path.suffix == ".csv":
            return pl.read_csv(io.BytesIO(decode_text(path.read_bytes()).encode()), infer_schema=False,
                               truncate_ragged_lines=True).height
        if path.suffix == ".jsonl":
            return pl.read_ndjson(path, ignore_errors=True).height
    except Exception:  # the corrupt and empty demo files
        return None
    return None


def bare_reads(paths: list[Path]) -> dict:
    """Bare-read every file: rows and seconds over the files it decodes, and how many it could not."""
    rows, seconds, unreadable = 0, 0.0, 0
    for path in paths:
        t = time.perf_counter()
        n = bare_read(path)
        if n is None:
            unreadable += 1
        else:
            rows, seconds = rows + n, seconds + time.perf_counter() - t
    return {"rows": rows, "seconds": seconds, "unreadable": unreadable}


def floor(ingestor: Ingestor, files: list, out: Path) -> dict:
    """Read the files as ingest does and write their rows unvalidated, one part per month (see the
    module's docstring): rows and seconds."""
    t = time.perf_counter()
    by_month: dict[str, list[pl.DataFrame]] = {}
    for _, read in prefetch(ingestor._read, files):
        if not isinstance(read, FileRejected):
            table, _, month, _ = read
            by_month.setdefault(month, []).append(table.frame)
    rows = 0
    for month, frames in by_month.items():
        frame = pl.concat(frames, how="diagonal_relaxed")
        lake.write_atomic(frame, lake.part_path(out, "floor", month, "part"))
        rows += frame.height
    return {"rows": rows, "seconds": time.perf_counter() - t}


def _subset(paths: Paths, work: Path, source: str, suffix: str) -> Paths:
    """A raw tree of links: the grid tables plus the source's files of one format."""
    shutil.rmtree(work, ignore_errors=True)
    sub = Paths(raw=work / "raw", data=work / "data")
    for f in scan(paths, "grids") + [f for f in scan(paths, source) if f.path.suffix == suffix]:
        target = sub.raw / f.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(f.path, target)
        os.utime(target, (f.path.stat().st_mtime,) * 2)
    return sub


# Each measurement is repeated and its best time kept (both sides alike): the machine is shared, and
# a neighbour's burst during one run would otherwise decide the ratio.
REPEATS = int(os.environ.get("GRIDPULSE_BENCH_REPEATS", 3))


def _once(paths: Paths, work: Path, source: str, suffix: str) -> dict:
    """One ingest of the source's files of one format into a fresh lake, then their bare read and floor."""
    sub = _subset(paths, work, source, suffix)
    ingestor = Ingestor(sub)
    ingestor.run(sources=("grids",))
    files = scan(sub, source)
    t = time.perf_counter()
    outcomes = ingestor.run(sources=(source,))
    ingest_s = time.perf_counter() - t
    bare = bare_reads([f.path for f in files])
    least = floor(ingestor, files, sub.data / "floor")
    shutil.rmtree(work, ignore_errors=True)
    return {"files": len(files), "rows": sum(o["rows_read"] for o in outcomes), "ingest_s": ingest_s,
            "bare_rows": bare["rows"], "bare_s": bare["seconds"], "unreadable": bare["unreadable"],
            "floor_rows": least["rows"], "floor_s": least["seconds"]}


def measure(paths: Paths, work: Path, repeats: int = REPEATS) -> list[dict]:
    results = []
    for source, suffix in COMBOS:
        runs = [_once(paths, work / f"{source}{suffix.replace('.', '_')}", source, suffix) for _ in range(repeats)]
        best = {k: min(r[k] for r in runs) for k in ("ingest_s", "bare_s", "floor_s")}
        rows, bare_rows, floor_rows = runs[0]["rows"], runs[0]["bare_rows"], runs[0]["floor_rows"]
        speed = {"ingest": rows / best["ingest_s"], "bare": bare_rows / best["bare_s"], "floor": floor_rows / best["floor_s"]}
        results.append({
            "source": source, "format": suffix.lstrip("."), "files": runs[0]["files"], "rows": rows,
            "ingest_s": round(best["ingest_s"], 2), "ingest_rows_per_s": round(speed["ingest"]),
            "bare_read_s": round(best["bare_s"], 2), "bare_rows_per_s": round(speed["bare"]),
            "bare_unreadable_files": runs[0]["unreadable"], "ratio": round(speed["ingest"] / speed["bare"], 2),
            "floor_s": round(best["floor_s"], 2), "floor_ratio": round(speed["floor"] / speed["bare"], 2),
            "repeats": repeats,
            "ratio_per_run": [round((r["rows"] / r["ingest_s"]) / (r["bare_rows"] / r["bare_s"]), 2) for r in runs],
        })
    return results
