"""Masking personal numbers and caller names in free text (pipelines/ingest/textmask.py)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import textmask
from tests.pii_scan import ID_RE, PHONE_RE

P, ID = textmask.PHONE_TOKEN, textmask.ID_TOKEN
FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def _id(body17: str) -> str:
    """An ID number with its GB 11643 check character (weights 2^(17-i) mod 11)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    return body17 + "10X98765432"[total % 11]


ID_X = _id("11010519491231002")  # ends in X
ID_9 = _id("51011619900101123")
assert ID_X.endswith("X")


def _mask(values: list[str | None], fn=textmask.mask_text) -> list[str | None]:
    return pl.DataFrame({"t": values}, schema={"t": pl.String}).select(fn(pl.col("t")))["t"].to_list()


def _scan_hits(text: str) -> list[str]:
    return [m.group(0) for rx in (ID_RE, PHONE_RE) for m in re.finditer(rx, text)]


CASES = [
    # mobiles: bare, at start / end, next to Chinese, in brackets, written in groups, with a country prefix
    ("13812345678", P),
    ("13812345678反映噪音", f"{P}反映噪音"),
    ("联系电话13812345678", f"联系电话{P}"),
    ("来电人（13812345678）反映", f"来电人（{P}）反映"),
    ("(13812345678)", f"({P})"),
    ("电话：138 1234 5678。", f"电话：{P}。"),
    ("电话：138-1234-5678，", f"电话：{P}，"),
    ("电话+86 138 1234 5678", f"电话{P}"),
    ("13000000000，+86 13000000000", f"{P}，{P}"),
    ("+86-28-85551234、+86 (28) 8555 1234", f"{P}、{P}"),
    ("13812345678，(028)85551234", f"{P}，{P}"),
    ("13812345678(028)85551234", f"{P}{P}"),  # the bracket belongs to the landline
    ("+8613812345678", P),
    ("8613812345678", P),
    ("（+86）13812345678", P),
    ("电话 008613812345678 联系", f"电话 {P} 联系"),
    ("电话19912345678\n回复", f"电话{P}\n回复"),
    # landlines
    ("028-85551234", P),
    ("座机(028)85551234转分机", f"座机{P}转分机"),
    ("座机（028）85551234", f"座机{P}"),
    ("座机028 8555 1234。", f"座机{P}。"),
    ("0816-2345678", P),
    ("010-62345678；", f"{P}；"),
    ("02885551234", P),
    ("028－85551234", P),
    ("电话028-85551234-8001", f"电话{P}-8001"),
    # ID numbers
    (f"身份证{ID_X}。", f"身份证{ID}。"),
    (f"身份证{ID_X.lower()}号", f"身份证{ID}号"),
    (f"{ID_9}", ID),
    (f"身份证 {ID_9[:6]} {ID_9[6:14]} {ID_9[14:]} 住", f"身份证 {ID} 住"),
    ("老身份证510116900101123", f"老身份证{ID}"),
    # numbers side by side, one character apart
    ("13812345678、13912345678、13712345678", f"{P}、{P}、{P}"),
    ("13812345678/028-85551234", f"{P}/{P}"),
    (f"{ID_X} 13812345678", f"{ID} {P}"),
    ("13812345678.13912345678", f"{P}.{P}"),
    ("13812345678,13912345678", f"{P},{P}"),
    # case and order numbers survive, also next to a real mobile
    ("FZ16082600608", "FZ16082600608"),
    ("案件FZ16082600608，来电13812345678", f"案件FZ16082600608，来电{P}"),
    ("FZ16082600608 13912345678", f"FZ16082600608 {P}"),
    ("HY2025010100001", "HY2025010100001"),
    ("XC202501011381234567801", "XC202501011381234567801"),
    ("工单20250101123456789012已办结", "工单20250101123456789012已办结"),
    ("13812345678X", "13812345678X"),
    ("a13812345678", "a13812345678"),
    # 11 digits inside longer runs, decimals and amounts
    ("138123456789", "138123456789"),
    ("913812345678", "913812345678"),
    ("订单1381234567813812345678", "订单1381234567813812345678"),
    ("金额12.13812345678元", "金额12.13812345678元"),
    ("退款1381234.56元", "退款1381234.56元"),
    ("2025年1月1日13时", "2025年1月1日13时"),
    ("邮编610041", "邮编610041"),
    # full width
    ("电话１３８１２３４５６７８", f"电话{P}"),
    ("１３８－１２３４－５６７８", P),
    (f"身份证{ID_X.translate(FULL)}", f"身份证{ID}"),
    ("ＦＺ16082600608", "FZ16082600608"),
    ("３号楼", "3号楼"),
    # pre-masked numbers stay as they are
    ("138****5678", "138****5678"),
    ("电话0000-00000000", "电话0000-00000000"),
    ("电话****，身份证510122********123X", "电话****，身份证510122********123X"),
    (f"电话{P}", f"电话{P}"),
    # caller names
    ("来电人陈先生反映", "来电人某先生反映"),
    ("王女士13812345678", f"某女士{P}"),
    ("欧阳先生、李小姐", "某先生、某小姐"),
    ("老先生和该女士", "老先生和该女士"),
    ("", ""),
    (None, None),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_each_written_case(text, want):
    got = _mask([text])[0]
    assert got == want
    assert not _scan_hits(got or "")


def test_a_column_at_once_and_twice_is_the_same():
    texts = [t for t, _ in CASES]
    once = _mask(texts)
    assert once == [w for _, w in CASES]
    assert _mask(once) == once


def test_the_scan_regexes_find_the_inputs_the_masking_must_clean():
    """The written cases do hold what tests/pii_scan.py looks for, so the cases above test something."""
    assert _scan_hits("13812345678") and _scan_hits(ID_X) and _scan_hits("案件FZ1，13812345678")


def test_anonymity_keeps_no_name():
    values = ["匿名", "实名", "陈先生", "王女士", "张某某", " 匿名\u3000", "匿名来电", "不匿名", "13812345678", "", None]
    got = pl.DataFrame({"a": values}).select(textmask.anonymity(pl.col("a")))["a"].to_list()
    assert got == ["匿名", "实名", "实名", "实名", "实名", "匿名", "匿名", "实名", "实名", None, None]


# --- generated texts ----------------------------------------------------------------------------------

FRAGMENTS = ["反映小区门口垃圾堆放", "华阳街道", "麓湖社区", "3号楼2单元", "噪音扰民", "要求尽快处理", "金额1234.56元",
             "2025年1月1日", "已回复", "来电人", "路灯不亮", "物业"]
SEPARATORS = ["，", "。", " ", "、", "：", "（", "）", "\n", "；", "电话", "号码是", "联系", "/", "\t"]
AREAS = ["010", "020", "028", "0816", "0755"]
SURNAMES = ["陈", "王", "李", "张", "刘", "欧阳", "诸葛"]

digits = st.text("0123456789", min_size=1, max_size=1)


def _n(k: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=k, max_size=k)


@st.composite
def mobiles(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(_n(9))
    form = draw(st.sampled_from(["plain", "space", "dash", "+86", "86", "full"]))
    return {"plain": number, "space": f"{number[:3]} {number[3:7]} {number[7:]}", "dash": f"{number[:3]}-{number[3:7]}-{number[7:]}",
            "+86": "+86 " + number, "86": "86" + number, "full": number.translate(FULL)}[form]


@st.composite
def landlines(draw) -> str:
    area = draw(st.sampled_from(AREAS))
    local = draw(st.sampled_from("23456789")) + draw(_n(7 if len(area) == 3 else draw(st.sampled_from([6, 7]))))
    form = draw(st.sampled_from(["-", " ", "()", "（）", "", "split"]))
    if form in ("()", "（）"):
        return f"{form[0]}{area}{form[1]}{local}"
    if form == "split":
        return f"{area} {local[:-4]} {local[-4:]}"
    return f"{area}{form}{local}"


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(["110105", "510116", "510122", "440305", "650102"]))
    birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2024, 12, 31)))
    number = _id(region + birth.strftime("%Y%m%d") + draw(_n(3)))
    form = draw(st.sampled_from(["plain", "lower", "spaced", "full"]))
    return {"plain": number, "lower": number.lower(), "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
            "full": number.translate(FULL)}[form]


@st.composite
def case_numbers(draw) -> str:
    mobile = "1" + draw(st.sampled_from("3456789")) + draw(_n(9))
    return draw(st.sampled_from([
        "FZ" + mobile, "FZ" + draw(_n(11)), "HY" + draw(_n(13)), "XC" + draw(_n(12)), "XC2025" + mobile + "01",
        draw(st.sampled_from("123456789")) + draw(_n(19)),  # a 20-digit order number
        # mobiles inside longer runs (a 0 before one would make a mobile dialled with its trunk prefix)
        mobile + draw(digits), draw(st.sampled_from("123456789")) + mobile, mobile + mobile,
    ]))


PRE_MASKED = ["138****5678", "0000-00000000", "****", "510122********123X", P, ID]

# (kind, text in the input, text expected in the output)
segments = st.one_of(
    st.sampled_from(FRAGMENTS).map(lambda s: ("text", s, s)),
    st.sampled_from(PRE_MASKED).map(lambda s: ("text", s, s)),
    st.sampled_from(["12.13812345678", "1381234.56元", "0.5"]).map(lambda s: ("text", s, s)),
    case_numbers().map(lambda s: ("case", s, s)),
    case_numbers().map(lambda s: ("case", s.translate(FULL), s)),  # full-width digits fold to ASCII
    mobiles().map(lambda s: ("number", s, P)),
    landlines().map(lambda s: ("number", s, P)),
    id_numbers().map(lambda s: ("number", s, ID)),
    st.tuples(st.sampled_from(SURNAMES), st.sampled_from(["先生", "女士", "小姐"])).map(
        lambda p: ("name", p[0] + p[1], textmask.SOMEONE + p[1])),
)


@st.composite
def texts(draw) -> tuple[str, str, list[tuple[str, str, str]]]:
    parts = draw(st.lists(segments, min_size=1, max_size=12))
    given_text, want = "", ""
    for i, (_, raw, out) in enumerate(parts):
        sep = draw(st.sampled_from(SEPARATORS)) if i else draw(st.sampled_from(["", *SEPARATORS]))
        given_text += sep + raw
        want += sep + out
    end = draw(st.sampled_from(["", *SEPARATORS]))
    return given_text + end, want + end, parts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts(), min_size=1, max_size=8))
def test_generated_texts_lose_their_numbers_and_keep_the_rest(batch):
    got = _mask([t for t, _, _ in batch])
    for (text, want, parts), out in zip(batch, got):
        assert out == want, text  # masked spans replaced, every other character as written (width folded)
        rest = out
        for kind, _, expected in parts:
            if kind in ("case", "text"):
                assert expected in out  # byte for byte
                rest = rest.replace(expected, "|")
        for kind, raw, _ in parts:
            if kind == "number":  # no eight digits of it left anywhere but in the case numbers and fragments
                assert re.sub(r"\D", "", raw.translate({0xFF10 + d: str(d) for d in range(10)}))[-8:] not in rest
        assert not _scan_hits(out)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789１３８ XxFZ-（）(),.，。电话+*陈先生")), max_size=60))
def test_any_text_is_left_with_nothing_the_scan_finds_and_masking_again_changes_nothing(text):
    once = _mask([text])[0]
    assert not _scan_hits(once)
    assert _mask([once]) == [once]
