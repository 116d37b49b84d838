import json

import polars as pl

from pipelines.ingest.contracts import default_contracts
from pipelines.ingest.readers import ROW, _jsonl_fast, _jsonl_line_by_line, find_month

LINES = [
    {"case_id": "A1", "time": "2025-03-05 09:00:00", "action": "上报", "level": 1, "grid_code": "g1",
     "description": "有人占道", "satisfaction": None},
    {"事件编号": "A2", "时间": "2025/03/05 10:00:00", "环节": "受理", "处置层级": 3, "网格编码": "g2", "满意度": "满意"},
]


def test_fast_and_tolerant_jsonl_paths_agree():
    contract = default_contracts()["cases"]
    lines = pl.DataFrame({"line": [json.dumps(x, ensure_ascii=False) for x in LINES]}).with_row_index(ROW, offset=1)
    fast = _jsonl_fast(lines, contract)
    slow = _jsonl_line_by_line(lines, contract)
    assert fast is not None
    assert fast.select(sorted(fast.columns)).equals(slow.select(sorted(fast.columns)))
    assert fast["handling_level"].to_list() == ["1", "3"] and fast["case_id"].to_list() == ["A1", "A2"]


def test_a_broken_line_sends_the_file_to_the_tolerant_path():
    contract = default_contracts()["cases"]
    lines = pl.DataFrame({"line": ['{"case_id": "A1"', json.dumps(LINES[0])]}).with_row_index(ROW, offset=1)
    assert _jsonl_fast(lines, contract) is None
    assert _jsonl_line_by_line(lines, contract)["_invalid_json"].to_list() == [True, False]


def test_month_is_found_in_titles_and_file_names():
    assert find_month("华阳街道通济桥街社区实有人口台账（2025年3月）") == "2025-03"
    assert find_month("通济桥街社区_实有人口_2025-03") == "2025-03"
    assert find_month("巡查走访_202511") == "2025-11"
    assert find_month("台账") is None
