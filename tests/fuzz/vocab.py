"""What the fuzz builder draws from: the raw contracts (read from their YAML, not from ingest's code),
Huayang Street's communities (the divisions seed), valid ID numbers and the spellings of dates that
DESIGN.md §3 says communities send.

Nothing here comes from the demo generator: the builder must make shapes the generator never does.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "pipelines" / "ingest" / "contracts"
DIVISIONS = ROOT / "dbt_project" / "seeds" / "divisions.csv"
STREET, STREET_NAME = "510116003", "华阳街道"
COMMUNITY_SUFFIX = "居委会"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    has_default: bool  # a field with a default may be left out (no honest reason to reject the row)
    headers: tuple[str, ...]  # the field's name and every alias: any of them names its column
    values: dict[str, tuple[str, ...]]  # enum: canonical value -> its spellings (itself first)


@cache
def contract(source: str) -> dict[str, FieldSpec]:
    spec = yaml.safe_load((CONTRACTS / f"{source}.yaml").read_text(encoding="utf-8"))
    fields = {}
    for f in spec["fields"]:
        values = {str(k): tuple(dict.fromkeys([str(k), *map(str, v)])) for k, v in (f.get("values") or {}).items()}
        fields[f["name"]] = FieldSpec(f["name"], f["type"], bool(f.get("required")), f.get("default") is not None,
                                      tuple(dict.fromkeys([f["name"], *map(str, f.get("aliases", ()))])), values)
    return fields


@cache
def title(source: str) -> str:
    return yaml.safe_load((CONTRACTS / f"{source}.yaml").read_text(encoding="utf-8"))["title"]


def must_have(source: str) -> list[str]:
    """Fields whose cell may never be blank and whose column no file may leave out."""
    return [f.name for f in contract(source).values() if f.required and not f.has_default]


def is_header(text: str) -> bool:
    """Whether a text names a field of any contract (extra columns and labels must not)."""
    return fold(text).replace(" ", "") in {fold(h) for s in ("grids", "population", "patrols", "cases")
                                           for f in contract(s).values() for h in f.headers}


@cache
def communities() -> tuple[tuple[str, str], ...]:
    """(12-digit code, full name) of every community of the street, from the divisions seed."""
    with DIVISIONS.open(encoding="utf-8") as fh:
        return tuple((r["code"], r["name"]) for r in csv.DictReader(fh)
                     if r["level"] == "community" and r["parent_code"] == STREET)


def short_name(full: str) -> str:
    return full.removesuffix(COMMUNITY_SUFFIX)


# ID numbers (GB 11643): region (6) + birth date (8) + sequence (3, odd for men) + check character.
REGIONS = ("510116", "510104", "510107", "510122", "110105", "420106", "500103", "530102", "610113", "330106")


def check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2: the character that makes the weighted sum of all 18 positions ≡ 1 (mod 11),
    position i (from the left, 1-based) weighing 2^(18-i) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    c = (12 - total % 11) % 11
    return "X" if c == 10 else str(c)


def resident_id(region: str, birth: dt.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + check_char(body)


def old_id(id18: str) -> str:
    """The 15-digit form of a 19xx-born resident's number (no century, no check character)."""
    return id18[:6] + id18[8:17]


def person_id(plain: str) -> str:
    """The pseudonym ingest must give: HMAC-SHA256 of the 18-digit ID (`F:` + number for a foreigner)."""
    return hmac.new(os.environ["GRIDPULSE_PII_KEY"].encode("utf-8"), plain.encode("utf-8"), hashlib.sha256).hexdigest()


SURNAMES = ("张", "王", "李", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "胡", "郭", "罗", "欧阳", "司马")
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "建华", "晓燕")
TAGS = ("独居老人", "空巢老人", "残疾人", "低保", "留守儿童", "退役军人", "社区矫正")
EXTRA_HEADERS = ("序号", "备注", "填报人", "核实情况", "数据来源", "审核意见")  # columns no contract knows
GROUP_LABELS = ("基本信息", "详细情况", "登记信息", "其他")  # labels merged over two-row header groups
NOTES = ("道路通畅，无异常", "楼道堆放杂物已劝导清理", "走访独居老人，身体状况良好", "发现井盖破损，已上报", "居民反映路灯不亮")


def fold(text: str) -> str:
    """What ingest keeps of a text cell: NFKC (full-width digits, ideographic spaces), outer spaces gone."""
    return unicodedata.normalize("NFKC", text).strip()


def wide(text: str) -> str:
    """Full-width form of the ASCII digits and letters of a text (what an IME in full-width mode types)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# Spellings of a date (DESIGN.md §3); an xlsx cell may also hold an Excel serial or a date cell.
DATE_STYLES = ("iso", "slash", "chinese", "compact")
EXCEL_STYLES = ("serial", "cell")
EPOCH = dt.datetime(1899, 12, 30)


def spell_date(d: dt.date, style: str):
    if style == "serial":
        return (d - EPOCH.date()).days
    if style == "cell":
        return dt.datetime(d.year, d.month, d.day)
    return {"iso": f"{d:%Y-%m-%d}", "slash": f"{d.year}/{d.month}/{d.day}",
            "chinese": f"{d.year}年{d.month}月{d.day}日", "compact": f"{d:%Y%m%d}"}[style]


def spell_datetime(t: dt.datetime, style: str):
    if style == "serial":
        return (t - EPOCH).total_seconds() / 86_400
    if style == "cell":
        return t
    clock = f"{t:%H:%M}" if t.second == 0 and style != "iso" else f"{t:%H:%M:%S}"
    return f"{spell_date(t.date(), style)} {clock}"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + month - 1 + n
    return k // 12, k % 12 + 1


def month_text(year: int, month: int, style: str) -> str:
    """A month as a title or file name writes it."""
    return {"chinese": f"{year}年{month}月", "dash": f"{year}-{month:02d}", "compact": f"{year}{month:02d}",
            "dot": f"{year}.{month}", "under": f"{year}_{month:02d}"}[style]


MONTH_STYLES = ("chinese", "dash", "compact", "dot", "under")
