"""One ingest asset per source (raw/<source> → lake/<source>), by month, plus the ledger they keep.

Materialising `lake/<source>` for a month re-reads every file of that month (pipelines/ingest/routing.py
says which), replacing its slices; a range of months is one run (single-run backfill policy), so a
backfill from the UI re-reads its months once, then builds and publishes once. A run tagged
`gridpulse/read=new` (`gridpulse run`) reads the new and changed files of any month instead, and
`gridpulse/read=all` (`gridpulse run --force`) every file.
"""

import warnings

import dagster as dg

from pipelines.defs.partitions import WRITER_POOL, monthly, valid_months
from pipelines.defs.resources import GridPulsePaths, writer
from pipelines.defs.runs import reporter
from pipelines.ingest.calendar import write_calendar
from pipelines.ingest.contracts import SOURCES
from pipelines.ingest.routing import current_month, ingest_months

READ_TAG = "gridpulse/read"  # "new" | "all"; absent: the files of the run's months

raw_specs = [dg.AssetSpec(["raw", s], group_name="raw", description=f"Files dropped into raw/{s}/.")
             for s in SOURCES]


def _month_table(outcomes: list[dict]) -> str:
    rows: dict[str, list[int]] = {}
    for o in outcomes:
        r = rows.setdefault(o["report_month"] or "—", [0, 0, 0, 0])
        r[0] += 1
        r[1] += o["status"] == "landed"
        r[2] += o["rows_landed"]
        r[3] += o["rows_quarantined"]
    lines = ["| month | files | landed | rows landed | rows quarantined |", "|---|---|---|---|---|"]
    return "\n".join(lines + [f"| {m} | {a} | {b} | {c} | {d} |" for m, (a, b, c, d) in sorted(rows.items())])


def _ingest_asset(source: str) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["raw", source])] + ([dg.AssetKey(["lake", "grids"])] if source != "grids" else [])

    def _asset(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
        paths, rep = gridpulse.paths(), reporter()
        months = set(context.partition_keys)
        read = context.run.tags.get(READ_TAG)

        def progress(s: str, i: int, n: int, name: str) -> None:
            rep.file(s, i, n, name)
            context.log.debug(f"{s} {i}/{n} {name}")

        with writer(context, paths), rep.step("ingest"):
            outcomes = ingest_months(paths, None if read in ("new", "all") else months, force=read == "all",
                                     sources=(source,), progress=progress)
        rep.ingested(outcomes)
        # Files that landed in a month outside this run (a new file without a month in its path, a new
        # grid table): record that month's partition as materialised too.
        landed = {m for o in outcomes if o["status"] == "landed"
                  for m in (o.get("months") or o["report_month"] or "").split(",") if m}  # a log may span months
        for month in valid_months(landed - months):
            context.log_event(dg.AssetMaterialization(context.asset_key, partition=month, metadata={
                "landed_by_run_of": ", ".join(sorted(months)), "current_month": current_month()}))
        by_status: dict[str, int] = {}
        for o in outcomes:
            by_status[o["status"]] = by_status.get(o["status"], 0) + 1
        return dg.MaterializeResult(metadata={
            "files": len(outcomes), **{f"files_{k}": v for k, v in by_status.items()},
            "rows_landed": sum(o["rows_landed"] for o in outcomes),
            "rows_quarantined": sum(o["rows_quarantined"] for o in outcomes),
            "by_month": dg.MetadataValue.md(_month_table(outcomes))})

    with warnings.catch_warnings():  # the single-run backfill policy is a beta parameter of Dagster's
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.asset(key=["lake", source], deps=deps, group_name="lake", kinds={"parquet", "polars"},
                        partitions_def=monthly, backfill_policy=dg.BackfillPolicy.single_run(), pool=WRITER_POOL,
                        description=f"Typed, pseudonymised Parquet slices of raw/{source}/ by month "
                                    "(a partition re-reads every file of its month).")(_asset)


@dg.asset(key=["lake_meta", "calendar"], group_name="lake", kinds={"parquet"}, pool=WRITER_POOL,
          deps=[dg.AssetKey(["lake", s]) for s in SOURCES],
          description="Working-day calendar (chinese-calendar) for the years in the lake.")
def working_calendar(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer(context, paths), reporter().step("calendar"):
        path = write_calendar(paths.lake)
    return dg.MaterializeResult(metadata={"path": str(path)})


ledger_specs = [
    dg.AssetSpec(["lake_meta", name], group_name="lake", description=text,
                 deps=[dg.AssetKey(["lake", s]) for s in SOURCES])
    for name, text in (("ledger", "The file ledger, kept by the ingest assets."),
                       ("quarantine", "Quarantined rows, kept by the ingest assets."))
]

assets = [*raw_specs, *(_ingest_asset(s) for s in SOURCES), working_calendar, *ledger_specs]
