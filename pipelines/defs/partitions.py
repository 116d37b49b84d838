"""Months: the partitions of the ingest assets, and the one pool every writer queues in."""

import os

import dagster as dg

from pipelines.ingest.routing import TIMEZONE

# The first month the street's data starts; a real street sets GRIDPULSE_FIRST_MONTH.
FIRST_MONTH = os.environ.get("GRIDPULSE_FIRST_MONTH", "2025-01")
WRITER_POOL = "gridpulse_writer"  # one writer on the lake and the warehouse (dagster.yaml: limit 1)

# end_offset=1: the month in progress is a partition too (the daily schedule and the sensor run it).
monthly = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", timezone=TIMEZONE, end_offset=1)


def valid_months(months) -> list[str]:
    keys = set(monthly.get_partition_keys())
    return sorted(m for m in months if m in keys)


def month_runs(months) -> list[tuple[str, str]]:
    """Consecutive months grouped into (first, last) ranges: one run each, touching no other month."""
    keys = monthly.get_partition_keys()
    index = {k: i for i, k in enumerate(keys)}
    ranges: list[list[str]] = []
    for m in sorted(set(months) & set(index)):
        if ranges and index[m] == index[ranges[-1][1]] + 1:
            ranges[-1][1] = m
        else:
            ranges.append([m, m])
    return [(a, b) for a, b in ranges]


def run_request_for(first: str, last: str, **kwargs) -> dg.RunRequest:
    """A run of one month (a partition key) or of a month range (one run, single-run backfill policy)."""
    tags = kwargs.pop("tags", {})
    if first == last:
        return dg.RunRequest(partition_key=first, tags=tags, **kwargs)
    return dg.RunRequest(tags={**tags, "dagster/asset_partition_range_start": first,
                               "dagster/asset_partition_range_end": last}, **kwargs)
