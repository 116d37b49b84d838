"""GridPulse pipelines: ingest, transform, publish, and the Dagster code location."""

import logging

# A library logs to its own logger; the CLI and Dagster decide where it goes.
logging.getLogger("gridpulse").addHandler(logging.NullHandler())
