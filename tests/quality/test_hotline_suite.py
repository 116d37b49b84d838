"""The quality gate of the 12345 hotline (`hotline`): required fields block, values outside the contract warn,
and a street without hotline files passes."""

from __future__ import annotations

from quality.gate import check
from tests.pipelines.ingest.test_hotline import _csv, _install, _put, _run


def test_hotline_values_outside_the_contract_warn_and_do_not_block(tmp_path):
    paths = _install(tmp_path)
    _put(paths, "orders.csv", _csv(["工单编号", "来电时间", "标题", "来源渠道", "性质", "是否匿名"],
                                   [["Q1", "2025-03-01 09:00:00", "停水", "电话", "投诉", "匿名"],
                                    ["Q2", "2025-03-02 09:00:00", "噪音", "信访", "投诉", "陈先生"]]))
    _run(paths)
    result = check(paths, sources=("hotline",), docs="none")
    assert result.batches == 1 and result.passed
    assert [(f.check_name, f.scope_code, f.report_month) for f in result.warnings] == [
        ("allowed_values:channel", "510116003", "2025-03")]
    assert "来源渠道" in result.warnings[0].check_title


def test_a_street_without_hotline_files_passes_the_gate(tmp_path):
    paths = _install(tmp_path)
    _run(paths)
    assert (paths.lake / "hotline" / "month=0000-00" / "_empty.parquet").exists()  # dbt's empty, typed anchor
    result = check(paths, docs="none")
    assert result.passed and not any(f.source == "hotline" for f in result.blocking + result.warnings)
