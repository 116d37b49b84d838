"""One ingest asset per source (raw/<source> → lake/<source>), plus the ledger they keep."""


import dagster as dg

from ..calendar import write_calendar
from ..ingest.contracts import SOURCES
from ..ingest.run import Ingestor
from ..lock import writer_lock
from .resources import GridPulsePaths

raw_specs = [dg.AssetSpec(["raw", s], group_name="raw", description=f"Files dropped into raw/{s}/.")
             for s in SOURCES]


def _ingest_asset(source: str) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["raw", source])] + ([dg.AssetKey(["lake", "grids"])] if source != "grids" else [])

    @dg.asset(key=["lake", source], deps=deps, group_name="lake", kinds={"parquet", "polars"},
              description=f"Typed, pseudonymised Parquet slices of raw/{source}/ (one per community × month).")
    def _asset(context: dg.AssetExecutionContext, gridpulse: GridPulsePaths) -> dg.MaterializeResult:
        paths = gridpulse.paths()
        with writer_lock(paths.lock):
            outcomes = Ingestor(paths).run(sources=(source,),
                                           progress=lambda s, i, n, f: context.log.debug(f"{s} {i}/{n} {f}"))
        by_status: dict[str, int] = {}
        for o in outcomes:
            by_status[o["status"]] = by_status.get(o["status"], 0) + 1
        return dg.MaterializeResult(metadata={
            "files": len(outcomes), **{f"files_{k}": v for k, v in by_status.items()},
            "rows_landed": sum(o["rows_landed"] for o in outcomes),
            "rows_quarantined": sum(o["rows_quarantined"] for o in outcomes)})

    return _asset


@dg.asset(key=["lake_meta", "calendar"], group_name="lake", kinds={"parquet"},
          deps=[dg.AssetKey(["lake", s]) for s in SOURCES],
          description="Working-day calendar (chinese-calendar) for the years in the lake.")
def working_calendar(gridpulse: GridPulsePaths) -> dg.MaterializeResult:
    paths = gridpulse.paths()
    with writer_lock(paths.lock):
        path = write_calendar(paths.lake)
    return dg.MaterializeResult(metadata={"path": str(path)})


ledger_specs = [
    dg.AssetSpec(["lake_meta", name], group_name="lake", description=text,
                 deps=[dg.AssetKey(["lake", s]) for s in SOURCES])
    for name, text in (("ledger", "The file ledger, kept by the ingest assets."),
                       ("quarantine", "Quarantined rows, kept by the ingest assets."))
]

assets = [*raw_specs, *(_ingest_asset(s) for s in SOURCES), working_calendar, *ledger_specs]
