"""Write the demo's raw files and its truth.

    python -m demo --raw raw --truth data/demo/truth [--seed N] [--communities N] [--months N]
        Huayang Street (the street demo; `--communities` keeps the first N of its 24 communities).
    python -m demo --sf 0.1 --months 3 --raw /tmp/city01/raw --truth /tmp/city01/truth [--workers 2]
        A share `sf` (0 < sf <= 1) of all of Chengdu's 3,047 communities (`demo.city`), for the
        city-scale benchmark; `--sf 1` is every community. `--months` defaults to 12 in both modes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Write the demo files: Huayang Street, "
                                     "or with --sf a share of all of Chengdu.")
    parser.add_argument("--raw", type=Path, default=Path("raw"), help="landing zone to write into (default: raw)")
    parser.add_argument("--truth", type=Path, default=Path("data/demo/truth"), help="where the truth goes")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--communities", type=int, default=None, help="keep the first N communities (by code)")
    parser.add_argument("--months", type=int, default=12, help="keep the first N months")
    parser.add_argument("--sf", type=float, default=None, help="city mode: the share of Chengdu's communities (0 < sf <= 1)")
    parser.add_argument("--workers", type=int, default=2, help="city mode: worker processes (default 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.sf is not None:
        if args.communities is not None:
            parser.error("--communities is for the street demo; --sf picks the communities of the city")
        if not 0 < args.sf <= 1:
            parser.error("--sf must be in (0, 1]")
        from demo.city import generate_city

        summary = generate_city(args.raw, args.truth, sf=args.sf, seed=args.seed, year=args.year, months=args.months,
                                workers=args.workers, progress=not args.quiet)
        title = (f"city sf={args.sf}: {summary['streets']} streets, {summary['communities']} communities, "
                 f"{summary['grids']} grids, {summary['residents']:,} residents, {summary['months']} months, "
                 f"{summary['seconds']} s")
    else:
        from demo.generator import generate

        summary = generate(args.raw, args.truth, seed=args.seed, year=args.year, communities=args.communities,
                           months=args.months, progress=not args.quiet)
        title = (f"demo: {summary['communities']} communities, {summary['months']} months, "
                 f"{summary['grids']} grid versions, {summary['seconds']} s")
    table = Table(title=title)
    for column in ("source", "files", "data rows", "bad rows"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, count in summary["files"].items():
        table.add_row(source, str(count), str(summary["rows"][source]), str(summary["bad_rows"][source]))
    console = Console()
    console.print(table)
    console.print("truth rows: " + ", ".join(f"{k} {v}" for k, v in summary["truth"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
