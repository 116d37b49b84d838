"""Quarter labels and their neighbours."""

import datetime as dt

import pytest

from reports.quarter import BadQuarter, Quarter


@pytest.mark.parametrize("text", ["2025Q3", "2025q3", "2025-Q3", " 2025 Q3 "])
def test_quarter_labels_parse(text):
    q = Quarter.parse(text)
    assert (q.label, q.zh, q.start, q.end) == ("2025Q3", "2025年第三季度", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert q.month_keys == ("2025-07", "2025-09")


def test_previous_and_same_quarter_last_year():
    assert Quarter.parse("2025Q1").previous == Quarter(2024, 4)
    assert Quarter.parse("2025Q1").last_year == Quarter(2024, 1)
    assert Quarter.of(dt.date(2025, 12, 31)) == Quarter(2025, 4)


@pytest.mark.parametrize("text", ["2025Q5", "2025-07", "Q3", ""])
def test_bad_quarters_are_refused_in_chinese(text):
    with pytest.raises(BadQuarter, match="请写成 2025Q3"):
        Quarter.parse(text)
