import json

import polars as pl

from pipelines.ingest.contracts import default_contracts
from pipelines.ingest.jsonl import _jsonl_fast, _jsonl_line_by_line
from pipelines.ingest.readers import ROW, find_month

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


def test_a_broken_line_is_flagged_by_the_fast_path_as_by_the_tolerant_one():
    contract = default_contracts()["cases"]
    lines = pl.DataFrame({"line": ['{"case_id": "A1"', json.dumps(LINES[0], ensure_ascii=False),
                                   json.dumps(LINES[1], ensure_ascii=False)]}).with_row_index(ROW, offset=1)
    fast, slow = _jsonl_fast(lines, contract), _jsonl_line_by_line(lines, contract)
    assert fast is not None
    assert fast["_invalid_json"].to_list() == slow["_invalid_json"].to_list() == [True, False, False]
    assert fast["case_id"].to_list() == [None, "A1", "A2"]
    assert fast.select(sorted(slow.columns)).equals(slow.select(sorted(slow.columns)))


def test_a_line_that_is_not_a_json_object_is_flagged_and_the_others_decoded():
    contract = default_contracts()["cases"]
    lines = pl.DataFrame({"line": ["[1, 2]", json.dumps(LINES[0]), "case_id: A9"]}).with_row_index(ROW, offset=1)
    fast = _jsonl_fast(lines, contract)
    assert fast["_invalid_json"].to_list() == [True, False, True]
    assert fast["case_id"].to_list() == [None, "A1", None] and fast[ROW].to_list() == [1, 2, 3]


def test_month_is_found_in_titles_and_file_names():
    assert find_month("华阳街道通济桥街社区实有人口台账（2025年3月）") == "2025-03"
    assert find_month("通济桥街社区_实有人口_2025-03") == "2025-03"
    assert find_month("巡查走访_202511") == "2025-11"
    assert find_month("台账") is None


def _export(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_usual_export_read_whole_equals_its_lines_decoded_one_by_one(tmp_path):
    """A clean UTF-8 export (LF or CR LF, with or without BOM) is read whole by the NDJSON reader;
    the outcome is what the line path gives for the same lines."""
    from pipelines.ingest.jsonl import _jsonl_whole, read_jsonl

    contract = default_contracts()["cases"]
    body = [json.dumps(x, ensure_ascii=False) for x in LINES]
    lines = pl.DataFrame({"line": body}).with_row_index(ROW, offset=1)
    expected = _jsonl_fast(lines, contract)
    for name, data in {"lf.jsonl": "\n".join(body) + "\n", "crlf.jsonl": "\r\n".join(body) + "\r\n",
                       "bom.jsonl": "\ufeff" + "\n".join(body)}.items():
        raw = data.encode("utf-8")
        assert _jsonl_whole(raw, contract) is not None, name
        assert read_jsonl(_export(tmp_path, name, raw), contract).frame.equals(expected), name


def test_blank_lines_keep_the_line_numbers_a_clerk_sees_and_gbk_is_decoded(tmp_path):
    from pipelines.ingest.jsonl import _jsonl_whole, read_jsonl

    contract = default_contracts()["cases"]
    body = [json.dumps(x, ensure_ascii=False) for x in LINES]
    raw = ("\n" + body[0] + "\n  \n" + body[1] + "\n").encode("gbk")
    assert _jsonl_whole(raw, contract) is None  # blank lines, and not UTF-8: read line by line
    frame = read_jsonl(_export(tmp_path, "gbk.jsonl", raw), contract).frame
    assert frame[ROW].to_list() == [2, 4]
    assert frame["case_id"].to_list() == ["A1", "A2"] and frame["action"].to_list() == ["上报", "受理"]


def test_a_log_in_no_known_encoding_is_rejected_with_a_message(tmp_path):
    import pytest

    from pipelines.ingest.errors import FileRejected
    from pipelines.ingest.jsonl import read_jsonl

    path = _export(tmp_path, "_undecodable.jsonl", b'{"case_id": "\xff\xfe"}\n')
    with pytest.raises(FileRejected) as info:
        read_jsonl(path, default_contracts()["cases"])
    assert info.value.code == "encoding"
    assert info.value.message == "文件“_undecodable.jsonl”的编码无法识别，请导出为UTF-8编码的JSON Lines文件。"


def test_which_logs_are_read_whole():
    """Lines are numbered from the bytes: a blank line, or a line that is not an object and starts or
    ends with a space, sends the file to the line path."""
    from pipelines.ingest.jsonl import _object_lines

    whole = [b'{"a":1}\n{"a":2}\n', b'{"a":1}\r\n{"a":2}\r\n', b'{"a":1}', b'{"a":1}\n{"a\n{"a":3}', b'xy\n{}']
    by_line = [b'{"a":1}\n\n{"a":2}', b'\n{"a":1}', b'{"a":1}\n \n', b'{"a":1}\n{"a":2}\n\n', b'', b'\n',
               b'{"a":1}\r\n\r\n', b'{}\nx\n{}', b'{}\n {"a":1}', b'{}\n{"a": "\xe3\x80\x80']
    assert [_object_lines(r) is not None for r in whole] == [True] * len(whole)
    assert [_object_lines(r) for r in by_line] == [None] * len(by_line)
    data, broken = _object_lines(b'{"a":1}\n{"case_id": "A\n{"a":3}\n')
    assert data == b'{"a":1}\n{}\n{"a":3}' and broken.tolist() == [1]


def test_a_cut_off_line_read_whole_is_flagged_as_the_line_path_flags_it(tmp_path):
    """A line cut off after ASCII is replaced by {} and flagged; one cut off inside Chinese text sends
    the file to the line path. Either way the outcome is the line path's."""
    from pipelines.ingest.jsonl import _jsonl_whole, _lines, read_jsonl

    contract = default_contracts()["cases"]
    body = [json.dumps(x, ensure_ascii=False) for x in LINES]
    for cut, whole_read in ((body[0][:20], True), (body[1][:4], False)):
        raw = "\n".join([body[0], cut, body[1]]).encode("utf-8")
        by_line = _jsonl_fast(_lines(raw, tmp_path / "x.jsonl"), contract)
        assert by_line["_invalid_json"].to_list() == [False, True, False]
        assert by_line["case_id"].to_list() == ["A1", None, "A2"] and by_line[ROW].to_list() == [1, 2, 3]
        whole = _jsonl_whole(raw, contract)
        assert (whole is not None) == whole_read
        if whole_read:
            assert whole.equals(by_line)
        assert read_jsonl(_export(tmp_path, "cut.jsonl", raw), contract).frame.equals(by_line)
