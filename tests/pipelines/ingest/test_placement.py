"""Placing 12345 hotline orders (pipelines/ingest/placement.py): one hand-made order per rule with its exact
outcome, the demo year's precision and recall at community level against the generator's truth, and the
manual correction command `gridpulse place`."""

from __future__ import annotations

import csv
import datetime as dt

import polars as pl
import pytest

from pipelines.core.settings import DIVISIONS_CSV, Paths
from pipelines.ingest.placement import PLACE_COLUMNS, Gazetteer, PlacementRefused, place, record_correction

HUAYANG = "510116003"
CAISHU = "510116003004"  # 菜蔬街社区
JINJIANG = "510116003019"  # 锦江社区 (Huayang), whose short name is also the district 锦江区's
GUANGDU = "510116003040"  # 广都社区: 东升街道 has one too
SHAHE = "510116003016"  # 沙河社区: 锦江区沙河街道 has one too
GUCHENG = "510116003006"
DONGSHENG = "510116001"
SHAHE_STREET = "510104030"  # 锦江区沙河街道

GRIDS = pl.DataFrame({  # a hand-made grid table of Huayang: estates and roads in the optional fields
    "grid_code": [f"{CAISHU}001", f"{CAISHU}002", f"{JINJIANG}001", f"{GUCHENG}009"],
    "grid_name": ["菜蔬街社区第1网格", "菜蔬街社区第2网格", "锦江社区第1网格", "华阳中学专属网格"],
    "community_code": [CAISHU, CAISHU, JINJIANG, GUCHENG],
    "grid_type": ["常规", "常规", "常规", "学校"],
    "estates": ["翠竹苑、银河小区", "金沙家园;翠竹苑二期", "锦绣华庭，蓝湾国际", None],
    "roads": ["正北街", None, "锦江路、正北街", None],
})


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    return Gazetteer.from_frames(divisions, GRIDS, HUAYANG)


def _one(gazetteer: Gazetteer, title: str, content: str = "", **columns) -> dict:
    orders = pl.DataFrame({"order_id": ["T1"], "title": [title], "content": [content]}
                          | {k: [v] for k, v in columns.items()})
    return place(orders, gazetteer).select(PLACE_COLUMNS).row(0, named=True)


def _expect(row: dict, street, community, grid, method, confidence, words=None) -> None:
    assert (row["street_code"], row["community_code"], row["grid_code"], row["place_method"]) == (street, community, grid, method)
    assert row["place_confidence"] == pytest.approx(confidence)
    if words is not None:
        assert row["place_words"] == words


def test_a_full_community_name_places_the_community(gazetteer):
    _expect(_one(gazetteer, "路灯不亮", "华阳街道菜蔬街社区路灯坏了很久"), HUAYANG, CAISHU, None, "text", 0.85, "华阳街道、菜蔬街社区")


def test_short_names_place_with_lower_confidence(gazetteer):
    _expect(_one(gazetteer, "锦江片区停水"), HUAYANG, JINJIANG, None, "text", 0.7, "锦江片区")
    _expect(_one(gazetteer, "停水", "我是菜蔬街的居民，自前天起一直停水"), HUAYANG, CAISHU, None, "text", 0.7, "菜蔬街")


def test_an_estate_places_its_grid(gazetteer):
    _expect(_one(gazetteer, "电梯经常故障", "翠竹苑3栋2单元电梯故障"), HUAYANG, CAISHU, f"{CAISHU}001", "text", 0.9, "翠竹苑")
    # names after any of the separators 、，,; and the longest name wins (翠竹苑二期 is grid 002's)
    _expect(_one(gazetteer, "翠竹苑二期停车收费不合理"), HUAYANG, CAISHU, f"{CAISHU}002", "text", 0.9, "翠竹苑二期")
    _expect(_one(gazetteer, "蓝湾国际噪音"), HUAYANG, JINJIANG, f"{JINJIANG}001", "text", 0.9)
    # an exclusive grid's place: its name without 专属网格
    _expect(_one(gazetteer, "华阳中学门口占道经营"), HUAYANG, GUCHENG, f"{GUCHENG}009", "text", 0.9, "华阳中学")


def test_a_road_of_one_community_places_it_a_road_of_two_does_not(gazetteer):
    _expect(_one(gazetteer, "道路破损", "锦江路88号附近路面坑洼"), HUAYANG, JINJIANG, None, "text", 0.7, "锦江路")
    # 正北街 is listed by grids of two communities: no community, the order stays unplaced
    _expect(_one(gazetteer, "正北街15号占道经营"), None, None, None, "none", 0.0, None)


def test_the_most_specific_match_wins_and_a_conflict_lowers_the_confidence(gazetteer):
    # the estate (锦江社区's) beats the community named before it (菜蔬街社区)
    _expect(_one(gazetteer, "菜蔬街社区锦绣华庭停水"), HUAYANG, JINJIANG, f"{JINJIANG}001", "text", 0.9 * 0.6)
    # agreeing words: no conflict
    _expect(_one(gazetteer, "菜蔬街社区金沙家园停水"), HUAYANG, CAISHU, f"{CAISHU}002", "text", 0.9)


def test_a_structured_column_wins_over_the_text(gazetteer):
    row = _one(gazetteer, "锦绣华庭停水", community="菜蔬街社区")
    _expect(row, HUAYANG, CAISHU, None, "column", 1.0)
    _expect(_one(gazetteer, "停水", community=CAISHU), HUAYANG, CAISHU, None, "column", 1.0)
    # a text word of the column's community still names the grid
    _expect(_one(gazetteer, "金沙家园停水", community=CAISHU), HUAYANG, CAISHU, f"{CAISHU}002", "column", 1.0)
    # a community's 居委会 as the handling unit is a column; a street office is not a place
    _expect(_one(gazetteer, "锦江片区停水", handling_unit="华阳街道菜蔬街社区居委会"), HUAYANG, CAISHU, None, "column", 1.0)
    _expect(_one(gazetteer, "锦江片区停水", handling_unit="华阳街道办事处"), HUAYANG, JINJIANG, None, "text", 0.7)


def test_another_street_of_the_district_means_not_ours(gazetteer):
    _expect(_one(gazetteer, "东升街道龙桥社区积水"), DONGSHENG, None, None, "text", 0.8)
    # 沙河街道 of 锦江区 is read whole: neither Huayang's 沙河 nor its 锦江
    _expect(_one(gazetteer, "噪音扰民", "锦江区沙河街道沙河社区烧烤店噪音"), SHAHE_STREET, None, None, "text", 0.8)
    # a Huayang community and another street named together: not ours unless Huayang is named too
    _expect(_one(gazetteer, "东升街道菜蔬街社区"), DONGSHENG, None, None, "text", 0.8)
    _expect(_one(gazetteer, "华阳街道菜蔬街社区，原东升街道"), HUAYANG, CAISHU, None, "text", 0.85)


def test_a_shared_community_name_needs_a_street_or_district(gazetteer):
    # 广都社区 is Huayang's and 东升街道's: alone it places nothing but keeps its words
    _expect(_one(gazetteer, "广都社区夜间施工噪音扰民"), None, None, None, "text", 0.2, "广都社区")
    _expect(_one(gazetteer, "华阳广都社区夜间施工"), HUAYANG, GUANGDU, None, "text", 0.85)
    _expect(_one(gazetteer, "东升街道广都社区夜间施工"), DONGSHENG, None, None, "text", 0.8)
    # 沙河社区 is Huayang's (双流区) and 锦江区沙河街道's: the district column decides
    _expect(_one(gazetteer, "沙河社区停水"), None, None, None, "text", 0.2, "沙河社区")
    _expect(_one(gazetteer, "沙河社区停水", district="双流区"), HUAYANG, SHAHE, None, "text", 0.85)
    _expect(_one(gazetteer, "沙河社区停水", district="锦江区"), SHAHE_STREET, None, None, "text", 0.8)


def test_nothing_placeable_keeps_the_order_with_method_none(gazetteer):
    orders = pl.DataFrame({"order_id": ["A", "B", "C"], "title": ["垃圾未及时清运", None, "锦江片区停水"],
                           "content": ["我家附近垃圾桶满溢好几天没人清运", None, ""],
                           "community_code": ["x", "y", "z"]})  # earlier placement columns are replaced
    out = place(orders, gazetteer)
    assert out.columns == ["order_id", "title", "content", *PLACE_COLUMNS]
    assert out["order_id"].to_list() == ["A", "B", "C"]
    assert out["place_method"].to_list() == ["none", "none", "text"]
    assert out["community_code"].to_list() == [None, None, JINJIANG]
    assert out["place_confidence"].to_list()[:2] == [0.0, 0.0]


def test_a_gazetteer_without_a_grid_table_knows_the_divisions():
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    gazetteer = Gazetteer.from_frames(divisions, None, HUAYANG)
    _expect(_one(gazetteer, "菜蔬街社区停水"), HUAYANG, CAISHU, None, "text", 0.85)
    _expect(_one(gazetteer, "翠竹苑停水"), None, None, None, "none", 0.0)


# --- the demo year against the generator's truth ---------------------------------------------------

HEADERS = {  # the demo's two layouts: canonical column -> spellings (headers without whitespace)
    "order_id": ("工单编号", "诉求编号", "留言编号"), "title": ("标题", "诉求标题", "留言主题"),
    "content": ("诉求内容", "来电内容", "留言详情"), "district": ("所属区县", "区域"), "handling_unit": ("承办单位", "所属部门"),
}


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    names = {c: k for c in frame.columns for k, spellings in HEADERS.items() if "".join(c.split()) in spellings}
    return frame.select([pl.col(c).cast(pl.String).alias(k) for c, k in names.items()])


def _read_demo_files(folder) -> pl.DataFrame:
    """A plain reader of the demo's hotline files (the ingest's reader is tested elsewhere)."""
    frames = []
    for path in sorted(folder.glob("*.csv")):
        frames.append(_canonical(pl.read_csv(path.read_bytes().decode("gbk").encode(), infer_schema_length=0)))
    for path in sorted(folder.glob("*.xlsx")):
        for sheet in pl.read_excel(path, sheet_id=0, has_header=False, infer_schema_length=0).values():
            top = next(i for i, row in enumerate(sheet.iter_rows()) if sum(v is not None for v in row) > 5)
            header = [f"_{j}" if v is None else v for j, v in enumerate(sheet.row(top))]
            frames.append(_canonical(sheet.slice(top + 1).rename(dict(zip(sheet.columns, header)))))
    return pl.concat(frames, how="diagonal")


def test_demo_year_precision_and_recall_at_community_level(tmp_path):
    from demo.grids import build_street
    from demo.hotline import grid_places, write_hotline

    street = build_street(2025, 2025, months=12)
    write_hotline(tmp_path / "raw", tmp_path / "truth", seed=2025, year=2025, months=12, street=street)
    truth = pl.read_parquet(tmp_path / "truth" / "hotline_truth.parquet")
    table = street.grid_table(7)  # the latest grid table of the year, as the demo generator writes it
    table = table.join(grid_places(street, 2025, table), on="grid_code", how="left")
    divisions = pl.read_csv(DIVISIONS_CSV, schema_overrides={"code": pl.String, "parent_code": pl.String})
    gazetteer = Gazetteer.from_frames(divisions, table, HUAYANG)

    orders = _read_demo_files(tmp_path / "raw" / "hotline")
    assert orders.height == truth.height
    placed = place(orders, gazetteer).join(
        truth.select("order_id", "place_kind", t_street="street_code", t_community="community_code", t_grid="grid_code"),
        on="order_id", how="inner")
    assert placed.height == truth.height
    given = placed.filter(pl.col("community_code").is_not_null())
    expected = placed.filter(pl.col("t_community").is_not_null())
    precision = (given["community_code"] == given["t_community"]).mean()
    recall = (expected["community_code"] == expected["t_community"]).fill_null(False).mean()
    with_grid = placed.filter(pl.col("grid_code").is_not_null())
    grid_precision = (with_grid["grid_code"] == with_grid["t_grid"]).fill_null(False).mean()
    not_ours = placed.filter(pl.col("place_kind") == "other_street")
    print(f"\ndemo year: {placed.height} orders, community precision {precision:.4f} ({given.height} placed), "
          f"recall {recall:.4f} ({expected.height} with a community in the truth), grid precision {grid_precision:.4f}, "
          f"other streets recognised {(not_ours['street_code'] == not_ours['t_street']).mean():.4f}")
    assert precision >= 0.95
    assert recall >= 0.85
    assert grid_precision >= 0.95
    # nothing the truth calls unplaceable gets a community
    assert placed.filter(pl.col("place_kind") == "none")["community_code"].null_count() == placed.filter(
        pl.col("place_kind") == "none").height


# --- gridpulse place -------------------------------------------------------------------------------

def _grid_lake(paths: Paths) -> None:
    folder = paths.lake / "grids" / "month=2025-01"
    folder.mkdir(parents=True)
    GRIDS.with_columns(report_month=pl.lit("2025-01")).write_parquet(folder / "part.parquet")


def test_record_correction_appends_and_refuses_unknown_places(tmp_path):
    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data", street=HUAYANG)
    _grid_lake(paths)
    when = dt.datetime(2025, 3, 1, 9, 30)
    first = record_correction(paths, "240001", CAISHU, f"{CAISHU}002", now=when)
    assert first["message"] == f"已记录：240001 → 菜蔬街社区（{CAISHU}），网格 {CAISHU}002。下次运行 gridpulse run 后生效。"
    record_correction(paths, "240001", "锦江社区", now=when + dt.timedelta(hours=1))  # a name; the later row wins in dbt
    with (paths.data / "corrections" / "hotline_places.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [["order_id", "community_code", "grid_code", "corrected_at"],
                    ["240001", CAISHU, f"{CAISHU}002", "2025-03-01 09:30:00"],
                    ["240001", JINJIANG, "", "2025-03-01 10:30:00"]]
    with pytest.raises(PlacementRefused, match="不是本街道的社区"):
        record_correction(paths, "240001", "510116001021")  # 东升街道's 广都社区
    with pytest.raises(PlacementRefused, match="不在最新网格台账里"):
        record_correction(paths, "240001", CAISHU, f"{CAISHU}099")
    with pytest.raises(PlacementRefused, match="属于锦江社区，不属于菜蔬街社区"):
        record_correction(paths, "240001", CAISHU, f"{JINJIANG}001")
    # once orders have landed, the order must be one of them
    hotline = paths.lake / "hotline" / "month=2025-03"
    hotline.mkdir(parents=True)
    pl.DataFrame({"order_id": ["240001"]}).write_parquet(hotline / "part.parquet")
    with pytest.raises(PlacementRefused, match="没有工单 999"):
        record_correction(paths, "999", CAISHU)
    assert len(list(csv.reader((paths.data / "corrections" / "hotline_places.csv").open(encoding="utf-8")))) == 3


def test_gridpulse_place_command(tmp_path, capsys):
    from pipelines.cli.commands import main

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data", street=HUAYANG)
    _grid_lake(paths)
    main(["--raw", str(paths.raw), "--data", str(paths.data), "--street", HUAYANG, "place", "240001", CAISHU, "--grid", f"{CAISHU}001"])
    assert "已记录：240001 → 菜蔬街社区" in capsys.readouterr().out
    written = pl.read_csv(paths.data / "corrections" / "hotline_places.csv", infer_schema_length=0)
    assert written.select("order_id", "community_code", "grid_code").rows() == [("240001", CAISHU, f"{CAISHU}001")]
    with pytest.raises(SystemExit) as exit_info:
        main(["--raw", str(paths.raw), "--data", str(paths.data), "--street", HUAYANG, "place", "240002", "999999999999"])
    assert exit_info.value.code == 2
    assert "社区“999999999999”不是本街道的社区" in capsys.readouterr().out
    assert pl.read_csv(paths.data / "corrections" / "hotline_places.csv", infer_schema_length=0).height == 1
