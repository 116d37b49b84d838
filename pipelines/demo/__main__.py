"""`python -m pipelines.demo --raw raw --truth data/demo/truth [--seed N] [--communities N] [--months N]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.demo.generator import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.demo", description="Write the Huayang Street demo files.")
    parser.add_argument("--raw", type=Path, default=Path("raw"), help="landing zone to write into (default: raw)")
    parser.add_argument("--truth", type=Path, default=Path("data/demo/truth"), help="where the truth goes")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--communities", type=int, default=None, help="keep the first N communities (by code)")
    parser.add_argument("--months", type=int, default=12, help="keep the first N months")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    summary = generate(args.raw, args.truth, seed=args.seed, year=args.year, communities=args.communities,
                       months=args.months, progress=not args.quiet)
    table = Table(title=f"demo: {summary['communities']} communities, {summary['months']} months, "
                        f"{summary['grids']} grid versions, {summary['seconds']} s")
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
