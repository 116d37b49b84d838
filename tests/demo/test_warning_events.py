"""The early-warning events the generator injects into the demo year (`demo.warning_events`), checked against
the raw files it writes: the surges, stalls, repeats and register jumps of `events.parquet` are really there.

The events start from March, so the small runs of the other fixtures (two or three months, three or four
communities, nearly all with odd register files) hold few or none: this module generates the default year
once (seed 2025, all communities, 12 months; ~15 s, no pipeline run).
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import polars as pl
import pytest

from tests.demo.files import GRID_HEADERS, STATUS_HEADERS, clean, column, parse_time, read_register

KEYS = {  # English keys before July, Chinese keys from July on
    "case_id": ("case_id", "事件编号"), "time": ("time", "时间"), "action": ("action", "环节"),
    "category": ("category", "大类"), "grid_code": ("grid_code", "网格编码"), "description": ("description", "事件描述"),
}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from demo.generator import generate

    root = tmp_path_factory.mktemp("warning-events")
    raw, truth = root / "raw", root / "truth"
    generate(raw, truth, seed=2025, progress=False)
    return raw, truth, pl.read_parquet(truth / "events.parquet")


@pytest.fixture(scope="module")
def steps(year) -> pl.DataFrame:
    """Every readable step line of the raw case exports (bad lines left out)."""
    raw, _, _ = year
    rows = []
    for path in sorted((raw / "cases").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            values = {k: next((record[n] for n in names if n in record), None) for k, names in KEYS.items()}
            values["time"] = parse_time(values["time"])
            if values["case_id"] and values["time"] and not str(values["grid_code"]).endswith("099"):
                rows.append(values)
    return pl.DataFrame(rows, schema={"case_id": pl.String, "time": pl.Datetime("us"), "action": pl.String,
                                      "category": pl.String, "grid_code": pl.String, "description": pl.String})


@pytest.fixture(scope="module")
def raw_cases(steps) -> pl.DataFrame:
    """One row per case from its steps: grid, category, description, report, acceptance and closing."""
    def at(action: str) -> pl.Expr:
        return pl.col("time").filter(pl.col("action") == action).first()

    return steps.group_by("case_id").agg(
        pl.col("grid_code").first(), pl.col("category").first(), pl.col("description").first(),
        at("上报").alias("reported"), at("受理").alias("accepted"), at("结案").alias("closed"),
        (pl.col("action") == "作废").any().alias("void"),
    )


def _workdays_between(first: date, last: date) -> int:
    """Working days after `first` up to and including `last`."""
    return sum(chinese_calendar.is_workday(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))


def test_every_kind_is_injected_in_its_own_grid_from_march_to_november(year):
    _, truth, events = year
    assert events.group_by("kind").len().sort("kind").rows() == [
        ("register_jump", 10), ("repeat", 16), ("stall", 10), ("surge", 16)]
    assert events["event_id"].is_unique().all() and events["grid_code"].is_unique().all()
    assert events["start_date"].is_between(date(2025, 3, 1), date(2025, 11, 30)).all()
    assert (events["end_date"] >= events["start_date"]).all()
    assert (events["grid_code"].str.slice(0, 12) == events["community_code"]).all()
    grids = pl.read_parquet(truth / "grids.parquet")
    redrawn = grids.group_by("grid_code").len().filter(pl.col("len") > 1)["grid_code"]
    new = grids.filter(pl.col("valid_from") > date(2025, 1, 1))["grid_code"]
    assert not events["grid_code"].is_in(redrawn.implode()).any() and not events["grid_code"].is_in(new.implode()).any()
    standard = grids.filter(pl.col("grid_type") == "常规")["grid_code"]
    assert events["grid_code"].is_in(standard.implode()).all()
    # away from the deliberate mess: no odd, missing or late register in an event's community
    files = pl.read_parquet(truth / "files.parquet").filter(pl.col("source") == "population")
    odd = files.filter(pl.col("expected_status") != "landed")["community_code"].drop_nulls()
    anonymous = files.filter(pl.col("community_code").is_null() & pl.col("note").str.contains("content of"))
    odd = pl.concat([odd, anonymous["note"].str.extract(r"content of (\d{12})")])
    residents = pl.read_parquet(truth / "residents.parquet")
    missing = residents.filter(~pl.col("submitted"))["community_code"]
    assert not events["community_code"].is_in(pl.concat([odd, missing]).implode()).any()
    assert kinds_have_their_fields(events)


def kinds_have_their_fields(events: pl.DataFrame) -> bool:
    surge, stall, repeat, jump = (events.filter(pl.col("kind") == k) for k in ("surge", "stall", "repeat", "register_jump"))
    assert surge["category"].is_not_null().all() and surge["magnitude"].is_between(0.6, 1.5).all()
    assert ((surge["end_date"] - surge["start_date"]).dt.total_days() + 1).is_between(7, 21).all()
    assert stall["category"].is_null().all()
    assert (stall["magnitude"] == (stall["end_date"] - stall["start_date"]).dt.total_days() + 1).all()
    assert stall["magnitude"].is_between(7, 21).all()
    assert all(chinese_calendar.is_workday(d) for d in stall["start_date"])
    assert repeat.select("category", "place", "case_id", "previous_case_id").null_count().sum_horizontal().item() == 0
    assert (repeat["start_date"] == repeat["end_date"]).all()
    assert (jump["start_date"].dt.day() == 1).all() and (jump["end_date"] == jump["start_date"].dt.month_end()).all()
    assert jump["magnitude"].abs().is_between(0.25, 0.6).all()
    assert (jump["magnitude"] > 0).any() and (jump["magnitude"] < 0).any()
    others = events.filter(pl.col("kind") != "repeat")
    assert others.select("place", "case_id", "previous_case_id").null_count().sum_horizontal().item() == 3 * others.height
    return True


def test_a_surge_brings_its_grid_and_category_clearly_more_cases(year, raw_cases):
    _, _, events = year
    days = pl.date_range(date(2025, 1, 1), date(2025, 12, 31), eager=True)
    for e in events.filter(pl.col("kind") == "surge").iter_rows(named=True):
        mine = raw_cases.filter((pl.col("grid_code") == e["grid_code"]) & (pl.col("category") == e["category"]))
        in_window = mine["reported"].dt.date().is_between(e["start_date"], e["end_date"])
        length = (e["end_date"] - e["start_date"]).days + 1
        expected = (~in_window).sum() / (days.len() - length) * length  # the series' own average over the window
        seen = int(in_window.sum())
        # at least three cases, three times the average, and a count that average gives less than once in 100
        tail = 1 - sum(math.exp(-expected) * expected**i / math.factorial(i) for i in range(seen))
        assert seen >= max(3, 3 * expected) and tail < 0.01, (e["event_id"], seen, expected)


def test_a_stall_closes_its_grids_cases_only_after_the_window(year, raw_cases, steps):
    _, _, events = year
    for e in events.filter(pl.col("kind") == "stall").iter_rows(named=True):
        start, end = e["start_date"], e["end_date"]
        accepted, closed = pl.col("accepted").dt.date(), pl.col("closed").dt.date()
        stalled = raw_cases.filter(
            (pl.col("grid_code") == e["grid_code"]) & ~pl.col("void") & pl.col("closed").is_not_null()
            & (accepted.is_between(start, end) | ((accepted < start) & (closed >= start)))
        )
        assert stalled.height >= 2, e["event_id"]
        assert (stalled["closed"].dt.date() > end).all(), e["event_id"]
        late = [_workdays_between(end, d) for d in stalled["closed"].dt.date()]
        assert min(late) >= 1 and max(late) <= 5, (e["event_id"], late)
        # no case of the grid is closed inside the window
        assert not raw_cases.filter((pl.col("grid_code") == e["grid_code"]) & closed.is_between(start, end)).height
        # the steps stay in order: closing after every step but the evaluation
        mine = steps.filter(pl.col("case_id").is_in(stalled["case_id"].implode()))
        last = mine.filter(pl.col("action") != "评价").group_by("case_id").agg(pl.col("time").max())
        order = last.join(stalled.select("case_id", "closed"), on="case_id")
        assert (order["time"] == order["closed"]).all(), e["event_id"]


def test_a_repeat_is_the_same_place_category_and_grid_soon_after_the_closing(year, raw_cases):
    _, _, events = year
    cases = raw_cases.select("case_id", "grid_code", "category", "description", "reported", "closed")
    repeats = events.filter(pl.col("kind") == "repeat")
    joined = repeats.join(cases, on="case_id").join(cases, left_on="previous_case_id", right_on="case_id", suffix="_before")
    assert joined.height == repeats.height
    for r in joined.iter_rows(named=True):
        assert r["grid_code"] == r["grid_code_before"] == r["grid_code_right"], r["event_id"]
        assert r["category"] == r["category_before"] == r["category_right"], r["event_id"]
        assert r["description"].startswith(r["place"]) and r["description_before"].startswith(r["place"]), r["event_id"]
        gap = (r["reported"].date() - r["closed_before"].date()).days
        assert 2 <= gap <= 20 and gap == r["magnitude"] and r["reported"].date() == r["start_date"], r["event_id"]
        assert r["reported"] > r["closed_before"]


def test_a_register_jump_changes_the_grids_residents_by_a_quarter_or_more(year):
    raw, truth, events = year
    files = pl.read_parquet(truth / "files.parquet").filter(
        (pl.col("source") == "population") & (pl.col("expected_status") == "landed"))
    for e in events.filter(pl.col("kind") == "register_jump").iter_rows(named=True):
        counts = []
        for month in (e["start_date"].month - 1, e["start_date"].month):
            (path, note), = files.filter((pl.col("community_code") == e["community_code"])
                                         & (pl.col("month") == f"2025-{month:02d}")).select("path", "note").rows()
            counts.append(_residents_of(raw / path, e["grid_code"], note))
        change = (counts[1] - counts[0]) / counts[0]
        assert abs(change) >= 0.25 and change * e["magnitude"] > 0, (e["event_id"], counts)
        assert abs(change - e["magnitude"]) < 0.02, (e["event_id"], counts, e["magnitude"])


def _residents_of(path: Path, grid_code: str, note: str) -> int:
    """Rows of a register file naming the grid and a resident's status (在住 or 外出), whatever the layout."""
    if path.suffix == ".csv":
        header, rows = read_register(path, note.split()[-1])
        grid, status = column(header, GRID_HEADERS), column(header, STATUS_HEADERS)
        return sum(clean(row[grid]) == grid_code and clean(row[status]) in ("在住", "外出") for _, row in rows)
    sheets = pl.read_excel(path, sheet_id=0, has_header=False, infer_schema_length=0)
    total = 0
    for sheet in sheets.values():  # a notes or stats sheet has no status cells
        cells = sheet.select(pl.concat_list(pl.all().cast(pl.String).str.strip_chars()).alias("cells"))["cells"]
        total += int((cells.list.contains(grid_code) & (cells.list.contains("在住") | cells.list.contains("外出"))).sum())
    return total


def test_events_of_a_short_run_fit_in_it(tmp_path: Path):
    """A run that ends before March has no events; the truth table is there all the same."""
    from demo.generator import generate

    generate(tmp_path / "raw", tmp_path / "truth", seed=7, communities=1, months=1, progress=False)
    assert pl.read_parquet(tmp_path / "truth" / "events.parquet").height == 0
