"""The Dagster code location: everything is defined under `pipelines/defs/`."""

from pipelines.defs import defs  # noqa: F401  (dagster dev -m pipelines.definitions)
