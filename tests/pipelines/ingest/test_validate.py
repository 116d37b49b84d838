import datetime as dt

import polars as pl

from pipelines.ingest.validate import parse_date, parse_datetime


def test_dates_in_every_spelling_of_the_field():
    texts = ["2025-03-05", "2025/3/5", "2025年3月5日", "20250305", "45721", "2025-03-05 00:00:00", "2025-13-45", "明天"]
    got = pl.DataFrame({"t": texts}).select(d=parse_date(pl.col("t")))["d"].to_list()
    assert got == [dt.date(2025, 3, 5)] * 6 + [None, None]


def test_datetimes_with_and_without_seconds():
    texts = ["2025-03-05 09:12:33", "2025/03/05 09:12:33", "2025-03-05 08:30", "2025-13-45 25:00:00"]
    got = pl.DataFrame({"t": texts}).select(d=parse_datetime(pl.col("t")))["d"].to_list()
    assert got == [dt.datetime(2025, 3, 5, 9, 12, 33), dt.datetime(2025, 3, 5, 9, 12, 33),
                   dt.datetime(2025, 3, 5, 8, 30), None]
