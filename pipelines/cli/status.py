"""What `gridpulse status` shows: files received per source, month and community, runs, snapshot.

Read-only: it reads the ledger (replaced atomically by ingest), data/logs/runs.jsonl, the serving
snapshot and, when the Dagster UI has been used, its run history. It never takes the writer lock.
"""

from __future__ import annotations

import calendar
import json
from pathlib import PurePosixPath

import polars as pl

from pipelines.core.lock import read_holder
from pipelines.core.settings import DIVISIONS_CSV, Paths
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.lake import latest_grid_tables, read_lake, read_ledger
from pipelines.ingest.locate import find_community
from pipelines.ingest.routing import ledger_months, month_of

PER_COMMUNITY = ("population", "patrols")  # sources sent by each community every month
REGISTER_DUE_DAY = 25  # DESIGN.md §3: registers are due by the 25th


def community_names(street: str) -> dict[str, str]:
    rows = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    rows = rows.filter((pl.col("level") == "community") & pl.col("parent_code").str.starts_with(street))
    return {c: n.removesuffix("居委会") for c, n in rows.select("code", "name").iter_rows()}


def expected_communities(paths: Paths) -> list[str]:
    """Communities in each street's latest grid table: the ones that owe a register and a patrol log."""
    latest = latest_grid_tables(paths.lake)
    return [] if latest is None else sorted(latest["community_code"].unique().to_list())


def files(paths: Paths) -> pl.DataFrame:
    """The ledger with a month and a community on every row (guessed from the path when not read)."""
    ledger = read_ledger(paths.ledger)
    known = ledger_months(ledger)
    return ledger.with_columns(
        month=pl.coalesce("report_month", pl.col("file_path").map_elements(
            lambda p: month_of(p, known), return_dtype=pl.String)),
        community=pl.coalesce("community_code", pl.col("file_path").map_elements(
            lambda p: find_community(PurePosixPath(p).name, paths.street), return_dtype=pl.String)),
    )


def by_source_month(view: pl.DataFrame, expected: list[str], log_days: dict[str, int] | None = None) -> list[dict]:
    """One row per source and month of the files received; `arrived` counts communities (registers,
    patrol logs), days with case steps (`log_days`, from `case_log_days`) or files (grid tables)."""
    out = []
    for (source, month), g in view.group_by("source", "month", maintain_order=True):
        landed = g.filter(pl.col("status") == "landed")
        if source in PER_COMMUNITY:
            arrived = f"{landed['community'].n_unique()}/{len(expected) or '?'} 社区"
        elif source == "cases" and month and month[:4].isdigit():
            days = calendar.monthrange(int(month[:4]), int(month[5:7]))[1]
            covered = log_days.get(month, 0) if log_days is not None else landed["slice_key"].n_unique()
            arrived = f"{covered}/{days} 天"
        else:
            arrived = f"{landed.height} 份"
        out.append({"source": source, "month": month or "—", "arrived": arrived,
                    "last_received": g["received_at"].max(), "files": g.height,
                    **{s: int((g["status"] == s).sum()) for s in ("landed", "rejected", "duplicate", "superseded")},
                    "rows_landed": int(g["rows_landed"].sum()), "rows_quarantined": int(g["rows_quarantined"].sum())})
    order = {s: i for i, s in enumerate(SOURCES)}
    return sorted(out, key=lambda r: (order.get(r["source"], 99), r["month"]))


def case_log_days(paths: Paths) -> dict[str, int]:
    """Month -> days of it with landed case steps: a case export may span any range, so the days a
    month's logs cover are the steps' own dates in the lake, not one file per day."""
    parts = [p for p in sorted((paths.lake / "cases").glob("month=*/*.parquet")) if p.stem != "_empty"]
    if not parts:
        return {}
    days = (pl.scan_parquet(parts).select(pl.col("step_at").dt.date().alias("day")).drop_nulls().unique()
            .group_by(pl.col("day").dt.strftime("%Y-%m").alias("month")).len().collect())
    return dict(days.iter_rows())


def by_community(view: pl.DataFrame, month: str, expected: list[str], street: str) -> list[dict]:
    """One row per community: what each per-community source received for the month, and when."""
    names = community_names(street)
    month_files = view.filter(pl.col("month") == month)
    codes = sorted(set(expected) | set(month_files["community"].drop_nulls().to_list()))
    rows = []
    for code in codes:
        row = {"community": names.get(code, code), "community_code": code}
        for source in PER_COMMUNITY:
            got = month_files.filter((pl.col("source") == source) & (pl.col("community") == code)).sort("received_at")
            row[source] = [{"status": s, "received_at": r, "late": source == "population" and r is not None
                            and r.strftime("%Y-%m") == month and r.day > REGISTER_DUE_DAY}
                           for s, r in got.select("status", "received_at").iter_rows()]
        rows.append(row)
    return rows


def hotline_placement(paths: Paths) -> dict | None:
    """12345 orders in the lake and how many are placed in a community, by ingest's placement or by
    hand (`gridpulse place`); None when no order has landed."""
    from pipelines.ingest.placement import corrections_path

    orders = read_lake(paths.lake, "hotline")
    if orders is None or not orders.height:
        return None
    # the last version landed of each order (parts are read in month and file order)
    latest = orders.select("order_id", "street_code", "community_code").unique("order_id", keep="last")
    corrected = corrections_path(paths)
    if corrected.exists():
        hand = pl.read_csv(corrected, infer_schema=False).select("order_id", hand=pl.col("community_code"))
        latest = latest.join(hand.unique("order_id", keep="last"), on="order_id", how="left").with_columns(
            pl.coalesce("hand", "community_code").alias("community_code"))
    ours = latest.filter(pl.col("street_code").is_null() | pl.col("street_code").str.starts_with(paths.street)
                         | pl.col("community_code").is_not_null())
    placed = ours["community_code"].is_not_null().sum()
    return {"orders": latest.height, "ours": ours.height, "placed": int(placed),
            "other_streets": latest.height - ours.height, "unplaced": ours.height - int(placed)}


def recent_runs(paths: Paths, n: int = 5) -> list[dict]:
    """The last command-line runs; a run whose process died without its closing line is `interrupted`."""
    log = paths.logs / "runs.jsonl"
    if not log.exists():
        return []
    runs: dict[str, dict] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            runs[r.get("run_id") or r["started_at"]] = r
    holder = read_holder(paths.lock)
    for r in runs.values():
        if r["status"] == "running" and not (holder and holder.get("pid") == r.get("pid")):
            r["status"] = "interrupted"
    return sorted(runs.values(), key=lambda r: r["started_at"])[-n:]


def dagster_runs(paths: Paths, n: int = 5) -> list[dict]:
    """The last runs of the Dagster code location, when `gridpulse ui` has kept a history here."""
    home = paths.data / "dagster"
    if not (home / "dagster.yaml").exists() or not (home / "history").exists():
        return []
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(limit=n)
        return [{"run_id": r.dagster_run.run_id[:8], "job": r.dagster_run.job_name,
                 "status": r.dagster_run.status.value, "started_at": r.start_time, "finished_at": r.end_time,
                 "partition": r.dagster_run.tags.get("dagster/partition") or "–".join(filter(None, (
                     r.dagster_run.tags.get("dagster/asset_partition_range_start"),
                     r.dagster_run.tags.get("dagster/asset_partition_range_end"))))}
                for r in records][::-1]
