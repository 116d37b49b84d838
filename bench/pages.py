"""`make bench-pages`: render time of every dashboard page on the demo year (the snapshot under data/).

Writes bench/results/pages_demo.json and prints a Markdown table. Run `make demo` (or `make run`)
first; the figures go into dashboards/README.md (render times). Target: every page within 2 seconds.
"""

from __future__ import annotations

import json
import sys
import time

from bench.dashboard import measure
from bench.run import RESULTS, machine, table
from pipelines.core.settings import Paths

TARGET_S = 2.0


def main() -> None:
    paths = Paths.from_env()
    if not paths.serving.exists():
        sys.exit(f"no serving snapshot at {paths.serving}: run `make demo` or `make run` first")
    pages = measure(paths)
    for row in pages:
        row["within_2s"] = row["cold_s"] <= TARGET_S and row["warm_max_s"] <= TARGET_S
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M:%S"), "snapshot": str(paths.serving),
              "target_s": TARGET_S, "pages": pages}
    (RESULTS / "pages_demo.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(pages))
    if not all(row["within_2s"] for row in pages):
        print(f"some page took longer than {TARGET_S} s", file=sys.stderr)


if __name__ == "__main__":
    main()
