"""Texts for data clerks name contract fields by their Chinese labels, never by canonical names.

The texts walked here are taken from the one table (`pipelines/core/texts.py`) and from the contracts,
not from a list kept in this file: every rejection case, every ledger note, every quarantine reason
(and every rule of every contract), every `field` a quarantined row can carry, every quality check
and the gate's result texts. Each is rendered through the code that fills it in, with every field of
every contract it can name. Machine columns (a quarantined row's `field`, a hint's contract line)
keep the canonical names.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import string
from pathlib import Path

import polars as pl
import pytest

from pipelines.core import texts
from pipelines.core.settings import ROOT, Paths
from pipelines.ingest.contracts import CONTRACT_DIR, SOURCES, Contract, load_contract
from pipelines.ingest.errors import rejection

CORPUS = Path(__file__).parent / "corpus"
CONTRACTS = {s: load_contract(s, CONTRACT_DIR) for s in SOURCES}
CANONICAL = sorted({f.name for c in CONTRACTS.values() for f in c.fields})
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_])[a-z_]{3,}(?![A-Za-z0-9_])")  # step_at, grid_code, time, json
OPTION = re.compile(r"(?<!\S)--[a-z][a-z-]*")  # a command-line option, typed as it is written
SAMPLE_FILE = "通济桥街社区实有人口台账（三月）"  # a file name without ASCII, so only the text's own words count
MONTH = "2025-03"


def english(text: str) -> list[str]:
    """The canonical field names and identifier-like ASCII words in a clerk's text."""
    text = OPTION.sub("", text)
    names = [n for n in CANONICAL if re.search(rf"(?<![A-Za-z0-9_]){n}(?![A-Za-z0-9_])", text)]
    return sorted(set(names) | set(IDENTIFIER.findall(text)))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def sample(template: str, **given) -> dict:
    """Values for a template's placeholders: `given`, else a Chinese word (a number where it is formatted)."""
    specs = {name: spec for _, name, spec, _ in string.Formatter().parse(template) if name}
    return {name: given.get(name, 0.5 if specs[name] else "某项") for name in specs}


def titles(contract: Contract) -> set[str]:
    return {f.title for f in contract.fields}


# --- every text of the table, rendered through the code that fills it in --------------------------

def test_every_contract_field_has_a_chinese_title():
    for contract in CONTRACTS.values():
        for f in contract.fields:
            assert not f.title.isascii() and not english(f.title), (contract.source, f.name, f.title)


def test_every_rejection_names_fields_by_their_labels():
    """Each case of `texts.REJECTIONS`, for each contract, with each of its fields where it names fields."""
    for case, template in texts.REJECTIONS.items():
        for contract in CONTRACTS.values():
            names = [[f.name] for f in contract.fields] if "fields" in placeholders(template) else [[]]
            for fields in names:
                values = sample(template, file=SAMPLE_FILE)
                extra = {k: v for k, v in values.items() if k not in ("file", "title", "formats", "fields")}
                exc = rejection(case, SAMPLE_FILE, contract, fields, **extra)
                assert exc.code == case.partition(":")[0]
                assert not english(exc.message), (case, contract.source, fields, exc.message)
                assert all(contract.field(f).title in exc.message for f in fields)
    missing = rejection("missing_column", SAMPLE_FILE, CONTRACTS["cases"], ["case_id", "step_at"])
    assert "缺少必填列：事件编号、时间。" in missing.message


def test_every_rejection_of_the_code_base_comes_from_the_table():
    """Files are refused only through `errors.rejection`, with a case the table holds: the table is the
    whole list of rejections, so walking it above walks every rejection ingest can give."""
    cases = []
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "FileRejected":
                assert path.name == "errors.py", f"{path}:{node.lineno} builds a rejection outside the table"
            if name == "rejection":
                assert isinstance(node.args[0], ast.Constant), f"{path}:{node.lineno}"
                cases.append(node.args[0].value)
    assert set(cases) <= set(texts.REJECTIONS)
    assert set(texts.REJECTIONS) <= set(cases)  # no text the code base no longer gives


def test_every_ledger_note_and_hint_is_free_of_field_names():
    from pipelines.ingest.check import hints

    for template in texts.LEDGER.values():
        assert not english(template.format(**sample(template, file=SAMPLE_FILE)))
    for contract in CONTRACTS.values():
        for f in contract.fields:
            for alias in f.aliases:
                if alias.isascii():
                    continue
                header = alias + "（单位）"  # near the alias, named by no field
                [hint] = hints(contract, [header], (f.name,))
                assert not english(hint["message"]), hint["message"]
                assert hint["field"] in titles(contract) and not hint["nearest"].isascii()
                assert hint["contract_line"].startswith("{name: ")  # the machine line keeps the canonical name


def _reasons(contract: Contract) -> pl.DataFrame:
    """`validate._reason_text` over every reason code (the table's, the contract's rules', one the table
    lacks) × every `field` a quarantined row of the contract can carry."""
    from pipelines.ingest.validate import _reason_text

    codes = [*texts.ROW_REASONS, *(r["name"] for r in contract.rules), "a_code_of_the_future"]
    fields = list(contract.field_titles())
    grid = pl.DataFrame({"_reason": codes}).join(pl.DataFrame({"_field": fields}), how="cross")
    return grid.with_columns(_reason_text(contract))


def test_every_quarantine_reason_names_fields_by_their_labels():
    for contract in CONTRACTS.values():
        reasons = _reasons(contract)
        for code, field, reason in reasons.select("_reason", "_field", "reason").unique().iter_rows():
            assert reason and not english(reason), (contract.source, code, field, reason)
        for rule in contract.rules:  # a rule's text names both its fields
            text = reasons.filter((pl.col("_reason") == rule["name"]) & (pl.col("_field") == rule["later"]))["reason"][0]
            assert contract.field(rule["earlier"]).title in text and contract.field(rule["later"]).title in text
    patrols = _reasons(CONTRACTS["patrols"])
    assert patrols.filter(pl.col("_reason") == "time_order", pl.col("_field") == "ended_at")["reason"][0] == \
        "结束时间早于开始时间"


def test_every_quarantined_field_has_a_chinese_title():
    """What the workbook's 字段 column, the quarantine texts and `gridpulse check` show of a row's
    `field`: each field by its title, a duplicate's key by its fields' titles, a broken line as 整行."""
    from quality.batches import field_labels

    for source, contract in CONTRACTS.items():
        for field, title in contract.field_titles().items():
            assert title and not english(title), (source, field, title)
        assert field_labels(source) | contract.field_titles() == field_labels(source)
    assert CONTRACTS["cases"].field_titles()["case_id,step_at,action"] == "事件编号、时间、环节"
    assert CONTRACTS["cases"].field_titles()["json"] == texts.WHOLE_ROW


def test_a_contract_field_without_a_chinese_name_is_refused(tmp_path):
    """A deployment's contract whose field has only English keys would make clerks read `time`."""
    spec = (CONTRACT_DIR / "cases.yaml").read_text(encoding="utf-8")
    spec = spec.replace("{name: step_at, label: 时间, ", "{name: step_at, ").replace("aliases: [time, 时间]", "aliases: [time]")
    (tmp_path / "cases.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(ValueError, match="step_at"):
        load_contract("cases", tmp_path)


# --- the quality gate and the feedback workbook ------------------------------------------------------

def _suite_columns(source: str) -> tuple[list, tuple[str, ...]]:
    """The expectations of a source's suite and the columns that name its failing rows."""
    import importlib

    import great_expectations as gx

    from quality.config import Thresholds

    gx.get_context(mode="ephemeral")  # a suite is built inside a context
    module = importlib.import_module(f"quality.suites.{source}")
    return module.build_suite(Thresholds.load()).expectations, module.INDEX_COLUMNS


def _resolved(kwargs: dict) -> dict:
    """An expectation's arguments with its run-time parameters filled in (as a validation result has them)."""
    parameter = {"value_set": ["510116003001001"]}
    return {k: (parameter.get(k, 100.0) if isinstance(v, dict) and "$PARAMETER" in v else v) for k, v in kwargs.items()}


def test_quality_gate_texts_name_fields_by_their_labels():
    from quality import results
    from quality.batches import field_labels, required_columns
    from quality.config import Thresholds
    from quality.suites._common import fix, title

    thresholds = Thresholds.load()
    for source in SOURCES:
        labels = field_labels(source)
        columns = set(labels) | set(texts.ROW_LABELS)
        for check, (heading, hint) in texts.CHECKS.items():
            names = [f"{check}:{c}" for c in labels] if "field" in placeholders(heading + hint) else [check]
            for name in names:
                shown = title(source, name, thresholds) + fix(source, name, thresholds)
                assert not english(shown), (source, name, shown)
        assert all(labels[c] in title(source, "required", thresholds) for c in required_columns(source))
        expectations, index = _suite_columns(source)
        for e in expectations:
            kwargs = _resolved(e.configuration.kwargs)
            used = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
            assert set(used) <= columns, used  # every column a result names has a label
            expected = results.expected(e.configuration.type, kwargs, source) or ""
            row = results.describe_row(source, dict.fromkeys([*index, *used], "1"))
            assert not english(expected) and not english(row), (expected, row)
        for column in columns:
            assert not english(results.describe_row(source, {column: "1"}))
    for template in texts.RESULTS.values():
        assert not english(template.format(**sample(template, file=SAMPLE_FILE)))
    assert results.expected("expect_column_pair_values_a_to_be_greater_than_b",
                            {"column_A": "step_at", "column_B": "earlier_stage_at", "or_equal": True}, "cases") == \
        "时间 ≥ 前序环节时间"


# --- end to end: files written by hand, ingested, checked and reported ------------------------------

def _installation(tmp_path: Path) -> Paths:
    """The corpus's grid table landed (grids 510116003001001, …002, 510116003004001)."""
    from pipelines.ingest.run import Ingestor

    paths = Paths(raw=tmp_path / "raw", data=tmp_path / "data")
    (paths.raw / "grids").mkdir(parents=True)
    shutil.copy(CORPUS / "grids.xlsx", paths.raw / "grids" / "grids.xlsx")
    Ingestor(paths).run()
    return paths


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


STEP = {"事件编号": "HY0301", "环节": "上报", "处置层级": 1, "网格编码": "510116003001001"}


def test_a_case_export_without_its_time_column_is_refused_in_chinese(tmp_path):
    """The clerk's file: the event system headed the step's time 操作时间, which no alias names."""
    from pipelines.ingest.check import check_files
    from pipelines.ingest.lake import read_ledger
    from pipelines.ingest.run import Ingestor

    paths = _installation(tmp_path)
    steps = [STEP | {"操作时间": "2025-03-05 09:00:00"}, STEP | {"环节": "受理", "操作时间": "2025-03-05 10:00:00"}]
    export = _write(paths.raw / "cases" / "华阳街道事件导出_20250305.jsonl", _jsonl(steps))
    register = _write(paths.raw / "patrols" / "通济桥街社区_巡查走访_2025-03.csv",
                      "记录编号,网格员工号,网格编码,出发时间,结束时间,巡查类型\n"
                      "XC01,W00101,510116003001001,2025-03-02 08:30,2025-03-02 09:10,巡查\n")
    Ingestor(paths).run()
    ledger = read_ledger(paths.ledger).filter(pl.col("status") == "rejected")
    messages = dict(zip(ledger["file_path"], ledger["message"]))
    assert set(ledger["reject_code"]) == {"missing_column"}
    assert "缺少必填列：时间。" in messages["cases/华阳街道事件导出_20250305.jsonl"]
    assert "缺少必填列：开始时间。" in messages["patrols/通济桥街社区_巡查走访_2025-03.csv"]
    for message in messages.values():
        assert not english(message.replace(export.name, "").replace(register.name, "")), message

    [checked] = check_files(paths, [export])
    assert checked["message"] == messages["cases/华阳街道事件导出_20250305.jsonl"]
    [hint] = checked["hints"]
    assert (hint["header"], hint["field"]) == ("操作时间", "时间")
    assert not english(hint["message"]) and "step_at" in hint["contract_line"]


def test_quarantined_rows_are_named_in_chinese_in_check_ledger_and_feedback_workbook(tmp_path):
    from pipelines.ingest.check import check_files
    from pipelines.ingest.lake import read_ledger
    from pipelines.ingest.run import Ingestor
    from quality import results
    from quality.report import write_report

    paths = _installation(tmp_path)
    header = "记录编号,网格员工号,网格编码,开始时间,结束时间,巡查类型,走访户数\n"
    rows = ["XC01,W00101,510116003001001,2025-03-02 08:30,2025-03-02 09:10,巡查,0",
            "XC02,W00101,510116003001001,2025-03-03 09:30,2025-03-03 09:00,巡查,0",  # ends before it starts
            "XC03,W00101,510116003001002,2025-03-04 08:30,2025-03-04 09:10,夜间值守,0",  # no such patrol type
            "XC04,W00101,510116003001002,2025-03-05 08:30,2025-03-05 09:10,入户走访,五户",  # not a number
            "XC01,W00101,510116003001001,2025-03-02 08:30,2025-03-02 09:10,巡查,0",  # the first record again
            "XC05,,510116003001001,2025-03-06 08:30,2025-03-06 09:10,巡查,0"]  # no worker
    _write(paths.raw / "patrols" / "通济桥街社区_巡查走访_2025-03.csv", header + "\n".join(rows) + "\n")
    Ingestor(paths).run()
    quarantine = pl.concat([pl.read_parquet(f) for f in (paths.quarantine / "patrols").rglob("*.parquet")])
    assert sorted(quarantine.select("reason_code", "field").rows()) == [  # machine columns keep canonical names
        ("duplicate_row", "record_id"), ("invalid_value", "patrol_type"), ("missing_required", "worker_id"),
        ("not_a_number", "households_visited"), ("time_order", "ended_at")]
    assert "结束时间早于开始时间" in quarantine["reason"].to_list()
    assert not any(english(r) for r in quarantine["reason"])

    # a case export with a repeated step and a cut-off line, checked before it is sent
    steps = _jsonl([STEP | {"时间": "2025-03-05 09:00:00"}] * 2) + '{"事件编号": "HY0302", "时间"\n'
    export = _write(tmp_path / "outbox" / "华阳街道事件导出_20250305.jsonl", steps)
    [cases] = check_files(paths, [export])
    assert (cases["source"], cases["status"]) == ("cases", "landed")
    shown = {code: (q["reason"], [e["field"] for e in q["examples"]]) for code, q in cases["quarantined"].items()}
    assert shown == {"duplicate_row": ("重复记录", ["事件编号、时间、环节"]), "invalid_json": ("该行不是有效的JSON", ["整行"])}

    # the community's feedback workbook: every text and the 字段 column in Chinese
    out = write_report(paths, "510116003001", MONTH, io.BytesIO(), checks=pl.DataFrame(schema=results.SCHEMA),
                       ledger=read_ledger(paths.ledger))
    T, C = texts.REPORT, texts.REPORT_COLUMNS
    book = {name: pl.read_excel(io.BytesIO(out.getvalue()), sheet_name=name, read_options={"header_row": 2})
            for name in (T["sheet_quarantine"], T["sheet_reasons"], T["sheet_fix"])}
    contract = CONTRACTS["patrols"]
    assert set(book[T["sheet_quarantine"]][C["field"]]) == {"记录编号", "巡查类型", "网格员工号", "走访户数", "结束时间"}
    assert set(book[T["sheet_reasons"]][C["field"]]) <= titles(contract)
    for frame in book.values():
        for column in frame.columns:
            assert not english(column)
        for column in (C["reason"], C["issue"]):
            for text in frame[column].to_list() if column in frame.columns else []:
                assert not english(text), text
    assert any("（字段：结束时间）" in issue for issue in book[T["sheet_fix"]][C["issue"]])
