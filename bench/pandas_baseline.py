"""What a clerk's script costs: pandas.read_excel of every sheet of a workbook, next to a bare fastexcel read
of the same files in the same run (the same ceiling bench/ingest.py measures ingest against).

The sample is deterministic (evenly spaced over the sorted paths), so repeated runs read the same files.
Files either reader cannot open (the demo's corrupt and empty workbooks) are left out of both totals and
listed under "unreadable", so the two readers' rows and times are always over the same files.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import fastexcel
import pandas as pd


def sample(files: list[Path], max_files: int = 20) -> list[Path]:
    """At most `max_files` of the xlsx files, evenly spaced over the sorted paths (deterministic)."""
    xlsx = sorted((Path(f) for f in files if Path(f).suffix.lower() == ".xlsx"), key=str)
    if len(xlsx) <= max_files:
        return xlsx
    step = len(xlsx) / max_files
    return [xlsx[int(i * step)] for i in range(max_files)]


def pandas_rows(path: Path) -> int:
    """Rows of every sheet, the way a clerk's script reads a workbook."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's style and data-validation warnings
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    return sum(len(frame) for frame in sheets.values())


def fastexcel_rows(path: Path) -> int:
    """Rows of every sheet, decoded bare by fastexcel (calamine) into Arrow/polars."""
    reader = fastexcel.read_excel(str(path))
    return sum(reader.load_sheet(i, header_row=None, dtypes="string").to_polars().height
               for i in range(len(reader.sheet_names)))


def _timed(read, path: Path) -> tuple[int | None, float]:
    start = time.perf_counter()
    try:
        rows = read(path)
    except Exception:  # corrupt, empty or not really a workbook
        rows = None
    return rows, time.perf_counter() - start


def measure_pandas_sample(files: list[Path], max_files: int = 20) -> dict:
    """pandas.read_excel (openpyxl, every sheet, no header, text) on a deterministic sample of the xlsx files,
    then fastexcel on the same sample.

    Returns {"files": files read by both, "rows": pandas rows, "seconds": pandas time, "rows_per_s",
    "fastexcel": {"rows", "seconds", "rows_per_s"}, "fastexcel_speedup": fastexcel rows/s over pandas rows/s,
    "sampled": files in the sample, "of_files": xlsx files given, "unreadable": names left out}.
    """
    chosen = sample(files, max_files)
    for path in chosen:  # warm the page cache, so neither reader pays for the disk
        path.read_bytes()
    by_pandas = [_timed(pandas_rows, path) for path in chosen]
    by_fastexcel = [_timed(fastexcel_rows, path) for path in chosen]
    both = [i for i, (p, f) in enumerate(zip(by_pandas, by_fastexcel)) if p[0] is not None and f[0] is not None]

    def totals(results: list[tuple[int | None, float]]) -> dict:
        rows = sum(results[i][0] for i in both)
        seconds = sum(results[i][1] for i in both)
        return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds) if seconds else None}

    pandas_totals, fastexcel_totals = totals(by_pandas), totals(by_fastexcel)
    speedup = (fastexcel_totals["rows_per_s"] / pandas_totals["rows_per_s"]
               if pandas_totals["rows_per_s"] and fastexcel_totals["rows_per_s"] else None)
    return {"files": len(both), **pandas_totals, "fastexcel": fastexcel_totals,
            "fastexcel_speedup": round(speedup, 1) if speedup else None,
            "sampled": len(chosen), "of_files": sum(Path(f).suffix.lower() == ".xlsx" for f in files),
            "unreadable": [chosen[i].name for i in range(len(chosen)) if i not in both]}


if __name__ == "__main__":
    import json

    from pipelines.core.settings import Paths

    raw = Paths.from_env().raw
    print(json.dumps(measure_pandas_sample(sorted(raw.rglob("*.xlsx"))), ensure_ascii=False, indent=2))
