"""The technical log of an installation: data/logs/gridpulse.log (tracebacks, dbt output, timings).

Data staff read Chinese sentences on the command line and the dashboard; everything a developer
needs to find the cause of a failure goes here, and only here.
"""

from __future__ import annotations

import logging

from pipelines.core.settings import Paths

LOG_NAME = "gridpulse.log"


def setup_logging(paths: Paths) -> None:
    """Send the `gridpulse` loggers to this installation's data/logs/gridpulse.log.

    One file handler per process, moved when a process works on another data folder (tests, a
    scheduler serving several installations): a failure is logged where its data is.
    """
    paths.logs.mkdir(parents=True, exist_ok=True)
    target = str((paths.logs / LOG_NAME).resolve())
    root = logging.getLogger("gridpulse")
    for handler in [h for h in root.handlers if isinstance(h, logging.FileHandler)]:
        if handler.baseFilename == target:
            break
        root.removeHandler(handler)
        handler.close()
    else:
        handler = logging.FileHandler(target, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
