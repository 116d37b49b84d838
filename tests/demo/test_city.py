"""The city-scale generator: a share of Chengdu's communities, files named by street and community, ids unique
city-wide, one daily case export for the whole city, and a truth that matches what was written.

Files are read back with polars / fastexcel directly (never through pipelines.ingest).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import fastexcel
import numpy as np
import polars as pl
import pytest

from demo import identity
from demo.city import generate_city
from demo.city_plan import load_divisions, plan_city
from demo.grids import NAME_SUFFIXES
from tests.demo.files import ID_HEADERS, STATUS_HEADERS, clean, sha256_tree, valid_checksums

SF, SEED, MONTHS = 0.004, 2025, 2
TRUTH_TABLES = ("files", "bad_rows", "grids", "residents", "cases", "patrols")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("city")
    summary = generate_city(root / "raw", root / "truth", sf=SF, seed=SEED, months=MONTHS, progress=False)
    plan, _ = plan_city(SF, SEED)
    truth = {name: pl.read_parquet(root / "truth" / f"{name}.parquet") for name in TRUTH_TABLES}
    return root / "raw", truth, summary, plan


def _display_names() -> dict[str, str]:
    divisions = load_divisions().filter(pl.col("level") == "community")
    return dict(zip(divisions["code"], divisions["name"].str.replace(NAME_SUFFIXES, "")))


def _encoding(note: str) -> str:
    return note.split()[-1] if note.startswith("CSV in") else "utf-8-sig"


def _read_register(path: Path, note: str) -> tuple[pl.DataFrame, str | None]:
    """(row number as a spreadsheet shows it, ID number, status) of each data row, and the first title row."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode(_encoding(note)).lstrip("\ufeff")
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
        frame.columns = [clean(c) for c in frame.columns]
        ids, status = (next(c for c in frame.columns if c in names) for names in (ID_HEADERS, STATUS_HEADERS))
        return frame.select(pl.int_range(2, pl.len() + 2).alias("row"), pl.col(ids).alias("id"), pl.col(status).alias("status")), None
    reader = fastexcel.read_excel(str(path))
    for index in range(len(reader.sheet_names)):
        grid = reader.load_sheet(index, header_row=None, dtypes="string").to_polars()
        cells = [[clean(c) for c in row] for row in grid.head(6).rows()]
        top = next((i for i, row in enumerate(cells) if "姓名" in row), None)
        if top is None:
            continue
        header = cells[top]
        ids, status = (next(i for i, c in enumerate(header) if c in names) for names in (ID_HEADERS, STATUS_HEADERS))
        rows = grid.with_row_index("row", offset=1).slice(top + 1).filter(
            pl.col(grid.columns[0]).str.contains(r"^\d+(\.0)?$").fill_null(False))
        title = grid[0, 0] if top > 0 else None
        return rows.select(pl.col("row").cast(pl.Int64), pl.col(grid.columns[ids]).alias("id"),
                           pl.col(grid.columns[status]).alias("status")), title
    raise AssertionError(f"no register in {path}")


def _read_grid_table(path: Path) -> tuple[str, pl.DataFrame]:
    grid = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_polars()
    header = [clean(c) for c in grid.row(1)]
    return grid[0, 0], grid.slice(2).rename(dict(zip(grid.columns, header)))


def _case_lines(path: Path) -> list[dict]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:  # the half-written lines the truth lists as invalid_json
            continue
    return records


def test_scale_factor_allocates_communities_to_streets_by_largest_remainder():
    divisions = load_divisions()
    sizes = divisions.filter(pl.col("level") == "community").group_by("parent_code").len()
    sizes = dict(sizes.iter_rows())
    everything, _ = plan_city(1, SEED)
    assert len(everything) == 261 and sum(len(s.communities) for s in everything) == 3047
    assert all(s.communities == s.all_communities for s in everything)
    tenth, _ = plan_city(0.1, SEED)
    assert sum(len(s.communities) for s in tenth) == 305 and len(tenth) == 233
    for s in tenth:
        quota = 305 * sizes[s.code] / 3047
        assert int(quota) <= len(s.communities) <= int(quota) + 1 and set(s.communities) <= set(s.all_communities)
    again, _ = plan_city(0.1, SEED)
    other, _ = plan_city(0.1, SEED + 1)
    assert again == tenth
    assert [len(s.communities) for s in other] == [len(s.communities) for s in tenth]
    assert [s.communities for s in other] != [s.communities for s in tenth]
    tiny, _ = plan_city(1e-9, SEED)
    assert sum(len(s.communities) for s in tiny) == 1
    for bad in (0, -0.1, 1.5):
        with pytest.raises(ValueError):
            plan_city(bad, SEED)


def test_street_name_before_community_name_is_unique_where_community_names_are_not():
    everything, _ = plan_city(1, SEED)
    names = _display_names()
    full = [s.name + names[c] for s in everything for c in s.communities]
    assert len(set(names.values())) == 2628 and len(set(full)) == 3047


def test_run_covers_several_streets(city):
    raw, truth, summary, plan = city
    assert (summary["streets"], summary["communities"]) == (12, 12) == (len(plan), len({c for s in plan for c in s.communities}))
    assert summary["grids"] == truth["grids"].height == 54
    assert summary["files"]["grids"] == 12 and summary["files"]["patrols"] == 12 * MONTHS
    assert summary["residents"] == truth["residents"].filter(pl.col("month") == "2025-01")["residents"].sum() > 30_000
    assert truth["grids"]["community_code"].n_unique() == 12
    assert truth["grids"]["community_code"].str.slice(0, 6).n_unique() >= 5  # several districts
    assert summary["truth"] == {name: truth[name].height for name in TRUTH_TABLES}


def test_every_community_sends_its_files_under_street_and_community_names(city):
    raw, truth, _, plan = city
    names = _display_names()
    files = truth["files"]
    submitted = dict(((c, m), s) for c, m, s in truth["residents"].select("community_code", "month", "submitted").iter_rows())
    checked_titles = 0
    for s in plan:
        title, table = _read_grid_table(raw / "grids" / f"{s.name}网格台账_2025年1月.xlsx")
        assert title == f"{s.name}网格台账（2025年1月）"
        assert sorted(table["网格编码"]) == sorted(truth["grids"].filter(pl.col("community_code").is_in(s.communities))["grid_code"])
        for code in s.communities:
            full = s.name + names[code]
            for month in range(1, MONTHS + 1):
                assert (raw / "patrols" / f"2025-{month:02d}" / f"{full}_巡查走访_2025{month:02d}.csv").is_file()
                register = files.filter((pl.col("community_code") == code) & (pl.col("month") == f"2025-{month:02d}")
                                        & (pl.col("expected_status") == "landed") & (pl.col("source") == "population"))
                assert register.height == int(submitted[(code, f"2025-{month:02d}")])
                for path, note in register.select("path", "note").iter_rows():
                    name = Path(path).name
                    assert name in (f"{full}_实有人口_2025-{month:02d}.csv", f"{full}实有人口台账_2025年{month}月.xlsx",
                                    f"{full}实有人口台账_2025年{month}月_重报.xlsx", f"{full}实有人口台账_2025年{month}月_更正.xlsx")
                    _, title = _read_register(raw / path, note)
                    if title is not None:
                        assert title == f"{full}实有人口台账（2025年{month}月）"
                        checked_titles += 1
    assert checked_titles >= 5
    community_files = files.filter(pl.col("community_code").is_not_null())
    for path, code in community_files.select("path", "community_code").iter_rows():
        street = next(s for s in plan if code in s.communities)
        assert Path(path).name.startswith(street.name + names[code]), path


def test_codes_and_ids_are_unique_city_wide(city):
    raw, truth, _, plan = city
    grids = truth["grids"]
    assert grids["grid_code"].is_unique().all() and grids["worker_id"].is_unique().all()
    assert (grids["grid_code"].str.slice(0, 12) == grids["community_code"]).all()
    assert (grids["worker_id"].str.slice(0, 7) == grids["community_code"].str.slice(2, 7)).all()
    # 12 digits: an 11-digit id starting with 1 would read like a mobile number
    assert grids["worker_id"].str.contains(r"^\d{12}$").all()
    workers = pl.concat([_read_grid_table(p)[1]["网格员工号"] for p in (raw / "grids").iterdir()])
    assert workers.len() == 54 and workers.is_unique().all()
    cases = truth["cases"]
    assert cases.height > 500 and cases["case_id"].is_unique().all()
    assert cases["case_id"].str.contains(r"^CD\d{18}$").all()
    assert (cases["case_id"].str.slice(2, 6) == cases["community_code"].str.slice(3, 6)).all()
    assert truth["patrols"]["record_id"].is_unique().all()


def test_person_ids_are_unique_city_wide(city):
    raw, truth, _, plan = city
    files, bad = truth["files"], truth["bad_rows"]
    registers = files.filter((pl.col("source") == "population") & (pl.col("expected_status") == "landed")
                             & (pl.col("month") == "2025-01"))
    frames = []
    for path, note in registers.select("path", "note").iter_rows():
        rows, _ = _read_register(raw / path, note)
        frames.append(rows.join(bad.filter(pl.col("path") == path).select("row_number"), left_on="row", right_on="row_number",
                                how="anti"))
    ids = pl.concat(frames)["id"]
    expected = truth["residents"].filter(pl.col("month") == "2025-01")["persons_in_register"].sum()
    assert ids.len() == expected > 30_000 and ids.is_unique().all()
    long = ids.filter(ids.str.len_chars() == 18)
    assert long.len() > 0.9 * ids.len() and valid_checksums(long.to_list()).all()
    assert ids.filter(ids.str.len_chars() != 18).str.contains(r"^(\d{15}|E\d{8})$").all()
    districts = {c[:6] for s in plan for c in s.communities}
    assert districts <= set(long.str.slice(0, 6))  # locals carry their own district's code


def test_city_id_scheme_cannot_collide_even_when_communities_draw_the_same_people():
    """Four communities (two districts) with the very same crowded people still get distinct ID numbers."""
    rng = np.random.default_rng(1)
    n = 4000
    region = rng.choice(np.array(["510104", "510116", "500101"]), n)
    birth = np.datetime64("1980-01-01") + rng.integers(0, 40, n)
    male = rng.random(n) < 0.5
    ids = []
    for district, count, local, glob in (("510104", 76, 0, 0), ("510104", 76, 1, 1), ("510116", 257, 0, 700), ("510116", 257, 9, 3046)):
        moved, seq = identity.city_birth_and_sequence(region, birth, male, district=district, district_index=local,
                                                      district_count=count, global_index=glob, global_count=3047)
        assert (moved <= birth).all() and ((seq % 2 == 1) == male).all()
        assert ((region == district) == (seq <= 600)).all() and seq.min() >= 1 and seq.max() <= 998
        ids += identity.id_numbers(region, moved, seq).tolist()
    assert len(ids) == 4 * n == len(set(ids))


def test_one_daily_case_export_holds_every_streets_cases(city):
    raw, truth, _, plan = city
    files = truth["files"].filter(pl.col("source") == "cases")
    assert files.filter(pl.col("expected_status") == "landed").height == 59  # January and February, one file a day
    seen, streets_per_day = set(), []
    for path, rows in files.select("path", "data_rows").iter_rows():
        assert re.fullmatch(r"cases/2025-0[12]/事件流转_2025\d{4}(_重新导出)?\.jsonl", path)
        assert len((raw / path).read_text(encoding="utf-8").splitlines()) == rows
        ids = {r.get("case_id", r.get("事件编号")) for r in _case_lines(raw / path)} - {None}
        seen |= ids
        streets_per_day.append(len({i[2:8] for i in ids}))
    assert seen == set(truth["cases"]["case_id"])
    assert max(streets_per_day) == 12 and sorted(streets_per_day)[len(streets_per_day) // 2] >= 8


def test_truth_totals_equal_the_rows_written(city):
    raw, truth, summary, _ = city
    files, residents = truth["files"], truth["residents"]
    assert sorted(files["path"]) == sorted(sha256_tree(raw))
    population = files.filter((pl.col("source") == "population") & pl.col("expected_status").is_in(["landed", "superseded"]))
    for path, code, month, note, data_rows, bad_rows, status in population.select(
            "path", "community_code", "month", "note", "data_rows", "bad_rows", "expected_status").iter_rows():
        rows, _ = _read_register(raw / path, note)
        numbers = set(truth["bad_rows"].filter(pl.col("path") == path)["row_number"])
        assert rows.height == data_rows and len(numbers) == bad_rows and numbers <= set(rows["row"])
        if status == "landed" and code is not None:
            expected = residents.filter((pl.col("community_code") == code) & (pl.col("month") == month)).row(0, named=True)
            living = rows.filter(~pl.col("row").is_in(list(numbers)) & pl.col("status").is_in(["在住", "外出"])).height
            assert (expected["persons_in_register"], expected["residents"]) == (data_rows - bad_rows, living)
    assert files.filter(pl.col("source") == "population")["data_rows"].sum() == summary["rows"]["population"]
    patrols = files.filter(pl.col("source") == "patrols")
    for path, note, data_rows in patrols.select("path", "note", "data_rows").iter_rows():
        text = (raw / path).read_bytes().decode(_encoding(note)).lstrip("\ufeff")
        assert pl.read_csv(io.StringIO(text), infer_schema=False).height == data_rows
    valid = summary["rows"]["patrols"] - summary["bad_rows"]["patrols"]
    assert truth["patrols"].height == (patrols["data_rows"] - patrols["bad_rows"]).sum() == valid
    tables = [_read_grid_table(p)[1] for p in (raw / "grids").iterdir()]
    assert sum(t.height for t in tables) == truth["grids"].height == summary["rows"]["grids"]
    statuses = dict(files.group_by("expected_status").len().iter_rows())
    assert set(statuses) == {"landed", "rejected", "duplicate", "superseded"} and statuses["rejected"] >= 6


def test_same_seed_same_files(tmp_path):
    first = generate_city(tmp_path / "a" / "raw", tmp_path / "a" / "truth", sf=0.001, months=1, progress=False, workers=1)
    second = generate_city(tmp_path / "b" / "raw", tmp_path / "b" / "truth", sf=0.001, months=1, progress=False)
    assert first["communities"] == second["communities"] == 3 and first["seconds"] < 30
    assert sha256_tree(tmp_path / "a" / "raw") == sha256_tree(tmp_path / "b" / "raw")


def test_city_generator_never_imports_ingest():
    code = "import sys, demo.city; print([m for m in sys.modules if m.startswith('pipelines.ingest')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]"
