"""The demo's 12345 hotline exports (demo/hotline.py): both platform layouts, and files that match their truth.

The files are read with openpyxl and the csv module only, never with the generator's own code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from demo.hotline import write_hotline
from tests.demo.files import valid_checksums

MONTHS = 3
HUAYANG = "510116003"
ID_HEADERS = {"工单编号", "诉求编号", "留言编号"}
RECEIVED_HEADERS = {"来电时间", "受理时间", "留言时间"}
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _clean(label: object) -> str:
    return re.sub(r"\s", "", str(label or ""))


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _read_rows(raw: Path) -> dict[tuple[str, str | None, int], dict[str, object]]:
    """(file, sheet, row) -> {clean header: value} of every data row of every hotline file."""
    rows = {}
    for path in sorted((raw / "hotline").iterdir()):
        rel = path.relative_to(raw).as_posix()
        if path.suffix == ".xlsx":
            for ws in openpyxl.load_workbook(path).worksheets:
                values = list(ws.iter_rows(values_only=True))
                top = next(i for i, r in enumerate(values) if ID_HEADERS & {_clean(v) for v in r})
                header = [_clean(v) for v in values[top]]
                for i, r in enumerate(values[top + 1:]):
                    rows[(rel, ws.title, top + 2 + i)] = dict(zip(header, r))
        else:
            records = list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"), newline="")))
            for i, r in enumerate(records[1:]):
                rows[(rel, None, i + 2)] = dict(zip(records[0], r))
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, pl.DataFrame, list[dict], dict]:
    root = tmp_path_factory.mktemp("hotline")
    files = write_hotline(root / "raw", root / "truth", seed=2025, year=2025, months=MONTHS)
    truth = pl.read_parquet(root / "truth" / "hotline_truth.parquet")
    return root, truth, files, _read_rows(root / "raw")


def _row_of(rows: dict, order: dict) -> dict:
    return rows[(order["file"], order["sheet"], order["row"])]


def _text(row: dict) -> str:
    return "\n".join(str(v) for v in row.values() if v is not None)


def test_both_layouts_are_written(run):
    root, truth, files, _ = run
    hotline = root / "raw" / "hotline"
    workbooks, csvs = sorted(hotline.glob("*.xlsx")), sorted(hotline.glob("*.csv"))
    assert len(workbooks) == 1 and len(csvs) == MONTHS
    sheets = openpyxl.load_workbook(workbooks[0]).worksheets
    assert len(sheets) == MONTHS
    headers = []
    for ws in sheets:
        values = list(ws.iter_rows(values_only=True))
        header = next(r for r in values if ID_HEADERS & {_clean(v) for v in r})
        headers.append(tuple(header))
        assert None in header or "" in header, "a blank header cell"
        assert any(v and re.search(r"[ \n]", str(v)) for v in header), "a header with an inner space or line break"
    assert len(set(headers)) == len(headers), "each sheet spells its header differently"
    for path in csvs:
        data = path.read_bytes()
        data.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    assert sorted(f["path"] for f in files) == sorted(p.relative_to(root / "raw").as_posix() for p in workbooks + csvs)
    assert set(truth["layout"]) == {"A", "B"}


def test_row_counts_equal_the_truth(run):
    _, truth, files, rows = run
    assert len(rows) == truth.height
    per_file = truth.group_by("file").len()
    assert dict(per_file.iter_rows()) == {f["path"]: f["data_rows"] for f in files}
    per_place = {(r["file"], r["sheet"], r["row"]) for r in truth.iter_rows(named=True)}
    assert per_place == set(rows)


def test_each_truth_row_points_at_its_order(run):
    _, truth, _, rows = run
    assert truth["order_id"].n_unique() == truth.height
    for order in truth.iter_rows(named=True):
        row = _row_of(rows, order)
        written = next(v for k, v in row.items() if k in ID_HEADERS)
        assert str(written) == order["order_id"]


def test_planted_numbers_appear_exactly_as_recorded(run):
    _, truth, _, rows = run
    assert truth["personal_numbers"].list.len().sum() > 50
    assert truth["case_numbers"].list.len().sum() > 20
    assert truth["premasked_numbers"].list.len().sum() > 10
    for order in truth.iter_rows(named=True):
        text = _text(_row_of(rows, order))
        for number in order["personal_numbers"] + order["case_numbers"] + order["premasked_numbers"]:
            assert number in text, (order["order_id"], number)
    numbers = [n.translate(FULLWIDTH).replace("-", "") for n in truth["personal_numbers"].explode().drop_nulls()]
    mobiles = [n for n in numbers if len(n) == 11 and n.startswith("1")]
    ids = [n for n in numbers if len(n) == 18]
    landlines = [n for n in numbers if n.startswith("0288")]
    assert len(mobiles) + len(ids) + len(landlines) == len(numbers)
    assert all(re.fullmatch(r"1[3-9]\d{9}", m) for m in mobiles)
    assert ids and valid_checksums(ids).all()
    assert any(re.search(r"[０-９]{11}", n) for n in truth["personal_numbers"].explode().drop_nulls())
    # case numbers whose digits read like a mobile sit in texts too, and are not personal numbers
    cases = truth["case_numbers"].explode().drop_nulls().to_list()
    assert any(re.fullmatch(r"FZ1[3-9]\d{9}", c) for c in cases)
    assert not set(cases) & set(numbers)
    premasked = set(truth["premasked_numbers"].explode().drop_nulls())
    assert "0000-00000000" in premasked and any(re.fullmatch(r"1\d\d\*{4}\d{4}", p) for p in premasked)


def test_mixed_date_spellings_in_one_column(run):
    _, truth, _, rows = run
    by_id = {r["order_id"]: r for r in truth.iter_rows(named=True)}
    kinds_a, kinds_b = set(), set()
    for (file, _sheet, _), row in rows.items():
        value = next(v for k, v in row.items() if k in RECEIVED_HEADERS)
        order_id = str(next(v for k, v in row.items() if k in ID_HEADERS))
        expected = by_id[order_id]["received_at"]
        if file.endswith(".xlsx"):
            if isinstance(value, datetime):
                kinds_a.add("serial")
                assert abs(value - expected) < timedelta(seconds=1)
            else:
                kinds_a.add("text")
                assert datetime.strptime(value, "%Y/%m/%d %H:%M:%S") == expected
        elif re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", value):
            kinds_b.add("us")
            assert datetime.strptime(value, "%m/%d/%Y %H:%M") == expected.replace(second=0)
        else:
            kinds_b.add("iso")
            assert datetime.fromisoformat(value) == expected
    assert kinds_a == {"serial", "text"} and kinds_b == {"us", "iso"}


def test_places_in_the_text(run):
    _, truth, _, rows = run
    placeable = truth["community_code"].is_not_null().mean()
    assert 0.65 <= placeable <= 0.85
    kinds = dict(truth.group_by("place_kind").len().iter_rows())
    assert set(kinds) == {"estate", "community", "exclusive", "road", "other_street", "none"}
    other = truth.filter(pl.col("place_kind") == "other_street")
    assert other["community_code"].is_null().all() and (other["street_code"] != HUAYANG).all()
    assert (truth.filter(pl.col("place_kind") != "other_street")["street_code"] == HUAYANG).all()
    assert truth.filter(pl.col("community_code").is_not_null())["community_code"].str.starts_with(HUAYANG).all()
    grids = truth.filter(pl.col("grid_code").is_not_null())
    assert (grids["grid_code"].str.slice(0, 12) == grids["community_code"]).all()
    for order in truth.iter_rows(named=True):
        if order["place_words"]:
            assert order["place_words"] in _text(_row_of(rows, order))


def test_volumes_topics_and_repeats(run):
    _, truth, _, _ = run
    per_month = truth.group_by(pl.col("received_at").dt.month()).len()["len"]
    assert per_month.min() >= 200 and per_month.max() <= 450
    assert truth.filter(pl.col("received_at").dt.month() == 1)["subtopic"].value_counts().sort("count")["subtopic"][-1] in {
        "停水", "燃气", "水压水质", "取暖用电", "物业服务"}
    repeats = truth.filter(pl.col("repeat_of").is_not_null())
    assert 0.05 <= repeats.height / truth.height <= 0.2
    pairs = repeats.join(truth, left_on="repeat_of", right_on="order_id", suffix="_first")
    assert pairs.height == repeats.height
    assert (pairs["place_words"] == pairs["place_words_first"]).all() and (pairs["subtopic"] == pairs["subtopic_first"]).all()
    gap = pairs["received_at"] - pairs["received_at_first"]
    assert (gap > timedelta(0)).all() and (gap < timedelta(days=30)).all()
    assert set(truth["order_type"]) == {"投诉", "咨询", "建议", "举报", "求助"}
    assert (truth.filter(pl.col("replied_at").is_not_null()).select(pl.col("replied_at") > pl.col("received_at")).to_series()).all()


def test_deterministic_by_seed(run, tmp_path):
    root, truth, _, _ = run
    write_hotline(tmp_path / "same" / "raw", tmp_path / "same" / "truth", seed=2025, year=2025, months=MONTHS)
    assert _tree(tmp_path / "same" / "raw") == _tree(root / "raw")
    assert_frame_equal(pl.read_parquet(tmp_path / "same" / "truth" / "hotline_truth.parquet"), truth)
    write_hotline(tmp_path / "other" / "raw", tmp_path / "other" / "truth", seed=7, year=2025, months=MONTHS)
    assert _tree(tmp_path / "other" / "raw") != _tree(root / "raw")
    other = pl.read_parquet(tmp_path / "other" / "truth" / "hotline_truth.parquet")
    assert other.height != truth.height or not other.equals(truth)


def test_unplaceable_orders_name_no_place_of_the_street(run):
    root, truth, _, rows = run
    places = pl.read_parquet(root / "truth" / "hotline_places.parquet")
    divisions = pl.read_csv(Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "divisions.csv", infer_schema=False)
    communities = divisions.filter(pl.col("parent_code") == HUAYANG)["name"].str.replace("(居民委员会|居委会)$", "")
    names = set(places["name"]) | set(communities) | {"华阳"}
    assert len(names) > 150
    for order in truth.filter(pl.col("place_kind") == "none").iter_rows(named=True):
        row = _row_of(rows, order)
        text = "".join(str(v) for k, v in row.items() if k in {"标题", "诉求标题", "诉求内容", "来电内容", "留言主题", "留言详情"})
        assert not [n for n in names if n in text], order["order_id"]
