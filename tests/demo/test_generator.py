"""The demo generator: determinism, the street's structure, and files that match their truth."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from demo.common import DIVISIONS_CSV
from demo.generator import generate
from demo.grids import build_street
from tests.demo.files import (
    DATE_HEADERS,
    GRID_HEADERS,
    ID_HEADERS,
    STATUS_HEADERS,
    column,
    parse_day,
    parse_time,
    read_grid_table,
    read_register,
    sha256_tree,
    valid_checksums,
)

TRUTH_TABLES = ("files", "bad_rows", "grids", "residents", "cases", "patrols")


def _run(root: Path, **kwargs) -> tuple[Path, Path, dict]:
    raw, truth = root / "raw", root / "truth"
    summary = generate(raw, truth, progress=False, **kwargs)
    return raw, truth, summary


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("a"), seed=7, communities=3, months=2)


def _truth(truth: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(truth / f"{name}.parquet")


def _encoding(note: str) -> str | None:
    return note.split()[-1] if note.startswith("CSV in") else None


def test_small_run_is_fast(small):
    assert small[2]["seconds"] < 15


def test_same_seed_gives_identical_files_and_truth(small, tmp_path):
    raw, truth, _ = small
    raw2, truth2, _ = _run(tmp_path, seed=7, communities=3, months=2)
    assert sha256_tree(raw) == sha256_tree(raw2)  # contents and mtimes
    for name in TRUTH_TABLES:
        assert_frame_equal(_truth(truth, name), _truth(truth2, name))


def test_another_seed_gives_other_files(small, tmp_path):
    raw, _, _ = small
    other, _, _ = _run(tmp_path, seed=8, communities=3, months=2)
    first, second = sha256_tree(raw), sha256_tree(other)
    shared = {p for p in set(first) & set(second) if (raw / p).stat().st_size and ("population" in p or "cases" in p)}
    assert shared and all(first[p][0] != second[p][0] for p in shared)


def test_street_has_the_real_communities_and_sized_grids():
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        expected = sorted(r["code"] for r in csv.DictReader(handle) if r["parent_code"] == "510116003" and r["level"] == "community")
    street = build_street(seed=2025, months=12)
    assert len(expected) == 24 and street.community_codes() == expected
    january = street.grids.filter(pl.col("valid_from") == datetime(2025, 1, 1).date())
    assert 130 <= january.height <= 150
    per_community = january.group_by("community_code").len()["len"]
    assert per_community.min() >= 3 and per_community.max() <= 9
    standard = january.filter(pl.col("grid_type") == "常规")
    assert standard["households"].is_between(300, 500).all()
    exclusive = january.filter(pl.col("grid_type") != "常规")
    assert 6 <= exclusive.height <= 10 and exclusive["households"].is_between(0, 80).all()
    assert exclusive["grid_name"].str.ends_with("专属网格").all()
    assert (january["grid_code"].str.slice(0, 12) == january["community_code"]).all()
    assert january["grid_code"].str.contains(r"^\d{15}$").all() and january["grid_code"].is_unique().all()
    assert january["worker_id"].str.contains(r"^0\d{4}$").all() and january["worker_id"].is_unique().all()
    assert (january["backup_worker_id"] != january["worker_id"]).all()
    ring = january["boundary"].str.extract_all(r"(\d+\.\d+) (\d+\.\d+)")
    assert (ring.list.len() == 5).all() and (ring.list.first() == ring.list.last()).all()
    people_per_household = street.households["size"].mean()
    assert 2.3 < people_per_household < 2.7


@pytest.mark.parametrize(("seed", "communities", "months"), [(2025, None, 12), (2025, None, 6), (7, 3, 12), (3, 1, 12),
                                                           (11, 2, 7), (5, 1, 12)])
def test_every_grid_table_keeps_standard_grids_in_band(seed, communities, months):
    """Every standard grid of every grid table (January and, with the redraw, July) holds 300-500 households."""
    street = build_street(seed=seed, communities=communities, months=months)
    assert (street.redraw is not None) == (months >= 7)
    assert street.grids.select("grid_code", "valid_from").is_unique().all()
    for month in (1, 7) if months >= 7 else (1,):
        first = datetime(2025, month, 1).date()  # valid_to is exclusive
        table = street.grids.filter((pl.col("valid_from") <= first) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > first)))
        assert table["grid_code"].is_unique().all() and table["worker_id"].is_unique().all()
        standard = table.filter(pl.col("grid_type") == "常规")
        assert standard["households"].is_between(300, 500).all(), (month, standard.filter(
            ~pl.col("households").is_between(300, 500)).select("grid_code", "households", "valid_from"))


def test_july_redraw_adjusts_two_neighbouring_grids():
    street = build_street(seed=2025, months=12)
    redraw = street.redraw
    (a, b), c = redraw.adjusted_grid_codes, redraw.new_grid_code
    january, july = datetime(2025, 1, 1).date(), datetime(2025, 7, 1).date()
    versions = {code: street.grids.filter(pl.col("grid_code") == code).sort("valid_from").rows(named=True) for code in (a, b, c)}
    assert [len(versions[code]) for code in (a, b, c)] == [2, 2, 1]
    for code in (a, b):
        old, new = versions[code]
        assert (old["valid_from"], old["valid_to"], new["valid_from"], new["valid_to"]) == (january, july, july, None)
        assert old["grid_type"] == new["grid_type"] == "常规" and old["community_code"] == redraw.community_code
        assert new["households"] < old["households"] and new["worker_id"] == old["worker_id"]
        assert old["grid_name"] == new["grid_name"] and old["boundary"] != new["boundary"]
    (new_grid,) = versions[c]
    assert (new_grid["valid_from"], new_grid["valid_to"], new_grid["grid_type"]) == (july, None, "常规")
    olds = [versions[code][0] for code in (a, b)]
    news = [versions[code][1] for code in (a, b)] + [new_grid]
    assert olds[1]["seq"] == olds[0]["seq"] + 1  # neighbours
    assert sum(g["households"] for g in olds) >= 900
    assert sum(g["households"] for g in olds) == sum(g["households"] for g in news)
    assert sum(g["persons"] for g in olds) == sum(g["persons"] for g in news)
    assert all(300 <= g["households"] <= 500 for g in olds + news)
    january_codes = street.grid_table(1).filter(pl.col("community_code") == redraw.community_code)
    assert c not in january_codes["grid_code"].to_list()
    assert int(c[-3:]) == january_codes["seq"].max() + 1 and c[:12] == redraw.community_code
    assert re.fullmatch(r"0\d{4}", new_grid["worker_id"]) and new_grid["worker_id"] not in street.grid_table(1)["worker_id"]
    moved = street.households.filter(pl.col("later_grid_code") == c)
    assert set(moved["grid_code"]) == {a, b} and moved.height == new_grid["households"]
    unchanged = street.grid_table(7).filter(~pl.col("grid_code").is_in([a, b, c]))
    assert (unchanged["valid_from"] == january).all() and unchanged.height == street.grid_table(1).height - 2


def test_a_whole_year_of_months(tmp_path):
    raw, truth, _ = _run(tmp_path, seed=3, communities=1, months=12)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    for source in ("population", "cases", "patrols"):
        assert sorted(p.name for p in (raw / source).iterdir()) == months
    assert len(list((raw / "grids").iterdir())) == 2
    _check_redraw_files(raw, truth)
    residents = _truth(truth, "residents")
    assert residents["month"].to_list() == months and residents["submitted"].sum() >= 11
    days = {p.name[5:13] for p in (raw / "cases").rglob("*.jsonl")}
    assert len(days) > 300  # one community has a few days without any case step


def _check_redraw_files(raw: Path, truth: Path) -> None:
    """The July grid table re-issues A and B (生效日期 2025-07-01) and adds C; registers and logs use C from July."""
    tables = {p.name: read_grid_table(p) for p in (raw / "grids").iterdir()}
    jan = {r["网格编码"]: r for r in tables["华阳街道网格台账_2025年1月.xlsx"]}
    jul = {r["网格编码"]: r for r in tables["华阳街道网格台账_2025年7月调整.xlsx"]}
    for rows in (jan, jul):
        assert all(300 <= r["户数"] <= 500 for r in rows.values() if r["网格类型"] == "常规")
    new = sorted(set(jul) - set(jan))
    adjusted = sorted(code for code in jan if jul[code]["生效日期"].date() != jan[code]["生效日期"].date())
    assert len(new) == 1 and len(adjusted) == 2 and set(jan) <= set(jul)
    (c,), (a, b) = new, adjusted
    assert all(jul[code]["生效日期"].date() == datetime(2025, 7, 1).date() for code in (a, b, c))
    assert all(r["生效日期"].date() == datetime(2025, 1, 1).date() for code, r in jul.items() if code not in (a, b, c))
    assert all(jul[code]["户数"] < jan[code]["户数"] for code in (a, b))
    assert jan[a]["户数"] + jan[b]["户数"] == jul[a]["户数"] + jul[b]["户数"] + jul[c]["户数"]
    assert re.fullmatch(r"0\d{4}", jul[c]["网格员工号"]) and jul[c]["网格员工号"] not in {r["网格员工号"] for r in jan.values()}

    grids = _truth(truth, "grids")
    assert grids.select("grid_code", "valid_from").is_unique().all()
    counts = dict(grids.group_by("grid_code").len().iter_rows())
    assert (counts[a], counts[b], counts[c]) == (2, 2, 1) and sum(counts.values()) == len(jan) + 3
    for code in (a, b):
        spans = grids.filter(pl.col("grid_code") == code).sort("valid_from").select("valid_from", "valid_to").rows()
        assert [tuple(str(d) for d in span) for span in spans] == [("2025-01-01", "2025-07-01"), ("2025-07-01", "None")]

    files = _truth(truth, "files").filter(pl.col("expected_status") == "landed")
    seen = {}
    for path, source, note, month in files.filter(pl.col("source").is_in(["population", "patrols"])).select(
        "path", "source", "note", "month"
    ).iter_rows():
        if source == "population":
            header, rows = read_register(raw / path, _encoding(note))
            codes = {r[column(header, GRID_HEADERS)] for _, r in rows}
        else:
            text = (raw / path).read_bytes().decode(_encoding(note)).lstrip("\ufeff")
            codes = {r["网格编码"] for r in csv.DictReader(io.StringIO(text))}
        seen.setdefault((source, month >= "2025-07"), set()).update(codes)
    for source in ("population", "patrols"):
        assert c not in seen[(source, False)] and {a, b, c} <= seen[(source, True)], source
    before, after = set(), set()
    for path in (raw / "cases").rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                record = json.loads(line)
                (after if path.parent.name >= "2025-07" else before).add(record.get("grid_code", record.get("网格编码")))
    assert c not in before and c in after


def test_valid_rows_carry_valid_id_numbers(small):
    raw, truth, _ = small
    files, bad = _truth(truth, "files"), _truth(truth, "bad_rows")
    registers = files.filter((pl.col("source") == "population") & pl.col("expected_status").is_in(["landed", "superseded"]))
    for path, note in registers.select("path", "note").iter_rows():
        header, rows = read_register(raw / path, _encoding(note))
        skip = set(bad.filter(pl.col("path") == path)["row_number"].to_list())
        ids = [str(r[column(header, ID_HEADERS)]) for n, r in rows if n not in skip]
        long = [i for i in ids if len(i) == 18]
        assert valid_checksums(long).all(), path
        assert all(re.fullmatch(r"\d{15}|E\d{8}", i) for i in ids if len(i) != 18), path
        assert len(set(ids)) == len(ids), path


def test_codes_keep_leading_zeros(small):
    raw, truth, _ = small
    files = _truth(truth, "files").filter(pl.col("source") == "patrols")
    for path, note in files.select("path", "note").iter_rows():
        text = (raw / path).read_bytes().decode(_encoding(note)).lstrip("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and all(re.fullmatch(r"0\d{4}", r["网格员工号"]) for r in rows)
    sheet = openpyxl.load_workbook(next((raw / "grids").iterdir()))["网格台账"]
    assert sheet["A1"].value.startswith("华阳街道网格台账") and sheet["K2"].value == "网格员工号"
    assert all(re.fullmatch(r"0\d{4}", c.value) and c.data_type == "s" for c in sheet["K"][2:])


def _population_bad(raw: Path, path: str, note: str, row_number: int, reason: str, grid_codes: set[str], month: str) -> None:
    header, rows = read_register(raw / path, _encoding(note))
    by_number = dict(rows)
    cells = by_number[row_number]
    id_number = cells[column(header, ID_HEADERS)]
    if reason == "invalid_id_checksum":
        assert len(id_number) == 18 and not valid_checksums([id_number])[0]
    elif reason == "unknown_grid":
        assert cells[column(header, GRID_HEADERS)] not in grid_codes
    elif reason == "future_date":
        assert parse_day(cells[header["出生日期"]]).strftime("%Y-%m") > month
    elif reason == "missing_required":
        assert cells[header["姓名"]] in (None, "") or id_number in (None, "")
    else:
        previous = [r for n, r in rows if n < row_number][-1]
        assert cells == previous


def test_bad_rows_are_bad_where_the_truth_says(small):
    raw, truth, _ = small
    files, bad = _truth(truth, "files"), _truth(truth, "bad_rows")
    grid_codes = set(_truth(truth, "grids")["grid_code"])
    rows = bad.join(files, on="path")
    assert set(rows["reason_code"]) >= {"invalid_id_checksum", "unknown_grid", "future_date", "duplicate_row"}
    for path, number, reason, source, note, month in rows.select(
        "path", "row_number", "reason_code", "source", "note", "month"
    ).iter_rows():
        if source == "population":
            _population_bad(raw, path, note, number, reason, grid_codes, month)
        elif source == "cases":
            line = (raw / path).read_text(encoding="utf-8").splitlines()[number - 1]
            if reason == "invalid_json":
                with pytest.raises(json.JSONDecodeError):
                    json.loads(line)
                continue
            record = json.loads(line)
            if reason == "missing_required":
                assert "case_id" not in record and "事件编号" not in record
            elif reason == "unknown_grid":
                assert record.get("grid_code", record.get("网格编码")) not in grid_codes
            else:
                assert record.get("time", record.get("时间")).replace("/", "-").startswith("2025-13-45")
        else:
            lines = list(csv.reader(io.StringIO((raw / path).read_bytes().decode(_encoding(note)).lstrip("\ufeff"))))
            cells, header = lines[number - 1], lines[0]
            value = dict(zip(header, cells))
            checks = {
                "time_order": lambda: value["结束时间"] < value["开始时间"],
                "not_a_number": lambda: not value["走访户数"].isdigit(),
                "unknown_grid": lambda: value["网格编码"] not in grid_codes,
                "missing_required": lambda: value["记录编号"] == "",
                "duplicate_row": lambda: cells == lines[number - 2],
            }
            assert checks[reason](), (path, number, reason)


def test_truth_counts_match_the_files(small):
    raw, truth, _ = small
    files, bad = _truth(truth, "files"), _truth(truth, "bad_rows")
    assert sorted(files["path"]) == sorted(sha256_tree(raw))
    residents = _truth(truth, "residents")
    landed = files.filter((pl.col("source") == "population") & (pl.col("expected_status") == "landed")
                          & pl.col("community_code").is_not_null())
    for path, code, month, note, data_rows, bad_rows in landed.select(
        "path", "community_code", "month", "note", "data_rows", "bad_rows"
    ).iter_rows():
        header, rows = read_register(raw / path, _encoding(note))
        skip = set(bad.filter(pl.col("path") == path)["row_number"].to_list())
        assert len(rows) == data_rows and len(skip) == bad_rows
        status = column(header, STATUS_HEADERS)
        living = sum(1 for n, r in rows if n not in skip and r[status] in ("在住", "外出"))
        expected = residents.filter((pl.col("community_code") == code) & (pl.col("month") == month)).row(0, named=True)
        assert expected["persons_in_register"] == data_rows - bad_rows and expected["residents"] == living
    for path, rows in files.filter(pl.col("source") == "cases").select("path", "data_rows").iter_rows():
        assert len((raw / path).read_text(encoding="utf-8").splitlines()) == rows
    statuses = set(files["expected_status"])
    assert statuses == {"landed", "rejected", "duplicate", "superseded"}
    assert _truth(truth, "patrols").height == files.filter(pl.col("source") == "patrols").select(
        pl.col("data_rows").sum() - pl.col("bad_rows").sum()).item()


def test_generator_never_imports_ingest():
    code = "import sys, demo.generator; print([m for m in sys.modules if m.startswith('pipelines.ingest')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]"


def _month_end(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    return (date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1))


def test_dates_are_not_after_the_files_month_unless_the_truth_says_so(small):
    """Ingest quarantines a date after the end of a file's month as `future_date`: only such rows may hold one."""
    raw, truth, _ = small
    files, bad = _truth(truth, "files"), _truth(truth, "bad_rows")
    future = {(p, n) for p, n, r in bad.select("path", "row_number", "reason_code").iter_rows() if r == "future_date"}
    labelled = {(p, n) for p, n in bad.select("path", "row_number").iter_rows()}
    readable = files.filter((pl.col("data_rows") > 0) & ~pl.col("note").str.starts_with("corrupt"))
    checked = {"population": 0, "patrols": 0, "cases": 0}
    for path, source, note, month in readable.select("path", "source", "note", "month").iter_rows():
        last = _month_end(month)
        if source == "population":
            header, rows = read_register(raw / path, _encoding(note))
            columns = [column(header, names) for names in DATE_HEADERS]
            for number, cells in rows:
                if (path, number) in future:
                    continue
                for i in columns:
                    day = parse_day(cells[i])
                    assert day is not None and day <= last, (path, number, cells[i])
                checked[source] += 1
        elif source == "patrols":
            text = (raw / path).read_bytes().decode(_encoding(note)).lstrip("\ufeff")
            for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
                for key in ("开始时间", "结束时间"):
                    at = parse_time(row[key])
                    assert at is not None and at.strftime("%Y-%m") == month, (path, number, row[key])
                checked[source] += 1
        elif source == "cases":
            day = datetime.strptime(re.search(r"_(\d{8})", path)[1], "%Y%m%d").date()
            for number, line in enumerate((raw / path).read_text(encoding="utf-8").splitlines(), start=1):
                if (path, number) in labelled:  # invalid_json, invalid_date: no time to hold
                    continue
                record = json.loads(line)
                at = parse_time(record.get("time", record.get("时间")))
                assert at is not None and at.date() == day <= last, (path, number, line[:80])
                checked[source] += 1
    assert all(checked.values()), checked
