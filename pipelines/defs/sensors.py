"""A sensor on raw/: new or changed files start a run of exactly the months they touch.

The cursor maps each raw file to (mtime_ns, size, sha256). A file is hashed only when its mtime or
size moved, and counts as changed only when its hash did — touching a file starts nothing. A file
whose contents the ledger already holds (a command-line run got there first) starts nothing either.
Months come from pipelines/ingest/routing.py; a file that names no month goes to the current month's run.
Consecutive months become one run (a range), separate months separate runs. Deleted files start
nothing: the lake keeps what was landed, and the ledger keeps the trace.
"""

import hashlib
import json

import dagster as dg

from pipelines.defs.jobs import refresh_months
from pipelines.defs.partitions import month_runs, run_request_for, valid_months
from pipelines.defs.resources import GridPulsePaths
from pipelines.ingest.lake import read_ledger
from pipelines.ingest.routing import current_month, ledger_months, month_of, raw_files


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def changed_files(paths, cursor: dict[str, list]) -> tuple[dict[str, str], dict[str, list]]:
    """(changed file → month, new cursor) for the files under raw/."""
    ledger = read_ledger(paths.ledger)
    in_ledger = set(zip(ledger["file_path"].to_list(), ledger["file_hash"].to_list()))
    known = ledger_months(ledger)
    changed, seen = {}, {}
    for rel, path in raw_files(paths).items():
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        before = cursor.get(rel)
        if before and before[:2] == [stat.st_mtime_ns, stat.st_size]:
            seen[rel] = before
            continue
        sha = _sha256(path)
        seen[rel] = [stat.st_mtime_ns, stat.st_size, sha]
        if (not before or before[2] != sha) and (rel, sha) not in in_ledger:
            changed[rel] = month_of(rel, known) or current_month()
    return changed, seen


@dg.sensor(job=refresh_months, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="New or changed files under raw/ → a run of the months they belong to.")
def raw_files_sensor(context: dg.SensorEvaluationContext, gridpulse: GridPulsePaths):
    paths = gridpulse.paths()
    cursor = json.loads(context.cursor) if context.cursor else {}
    changed, seen = changed_files(paths, cursor)
    new_cursor = json.dumps(seen, ensure_ascii=False, separators=(",", ":"))
    months = set(changed.values())
    for month in sorted(months - set(valid_months(months))):
        files = sorted(rel for rel, m in changed.items() if m == month)
        context.log.warning(f"{month} is outside the partitions (GRIDPULSE_FIRST_MONTH … this month): {files}")
    requests = []
    for first, last in month_runs(months):
        files = sorted(rel for rel, m in changed.items() if first <= m <= last)
        digest = hashlib.sha256("\n".join(f"{rel}:{seen[rel][2]}" for rel in files).encode()).hexdigest()[:16]
        requests.append(run_request_for(first, last, run_key=f"raw:{first}:{last}:{digest}",
                                        tags={"gridpulse/trigger": "raw_files", "gridpulse/files": str(len(files))}))
    if not requests:
        reason = "raw/ 中没有新增或修改的文件。" if not changed else "新文件的月份不在分区范围内，见日志。"
        return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=new_cursor)
    return dg.SensorResult(run_requests=requests, cursor=new_cursor)
