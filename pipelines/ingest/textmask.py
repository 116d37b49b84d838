"""Mask personal numbers and caller names in free text (DESIGN.md §4), as polars expressions.

Built for the 12345 hotline orders (title, text and reply), whose text mixes residents' numbers with
case and order numbers that look like them (`FZ16082600608`, a 20-digit order number). Every rule is
a regex run by `str.replace_all` over the whole column; no Python runs per row.

Rules, applied in this order by `mask_numbers`:

1. Full-width letters and digits (`１３８`, `ＦＺ`, `Ｘ`) are folded to ASCII everywhere in the text, so a
   full-width number is masked and a full-width case number is read as the case number it is. Other
   full-width characters (`（`, `－`, `＋`, `，`) stay as they are.
2. ID numbers become `[身份证号]`: 17 digits and a digit or X/x (optionally written 6-8-4 with spaces),
   and the old 15-digit form whose date part has the shape of a month and day.
3. Phone numbers become `[电话]`: mobiles (`1[3-9]` and 9 more digits; spaces or dashes after the 3rd
   and 7th digit; a `+86`, `86`, `0086` or `(+86)` prefix is masked with them) and landlines (area code
   `0` + 2-3 digits, with or without a separator or brackets, then a 7-8 digit local number, which
   may have a separator before its last four digits; after `+86` the area code may drop its `0`).

A number is masked only when it stands alone: the character before it is neither an ASCII letter nor a
digit (nor a decimal point after a digit: `12.13812345678` is a fraction) and the character after it is
neither a letter nor a digit. So a number inside a case number (`FZ16082600608`) or inside a longer digit
run (a 20-digit order number) is not touched, while any 18-character run of that shape is taken for an
ID number. These are the boundaries of tests/pii_scan.py (which also never starts after a point), so it
finds nothing in masked text. A `+86` prefix opens a number by itself and needs no boundary before it.
Each regex runs twice, because one match consumes the character after it, which is also the character
before a number right behind it (`13812345678、13912345678`).

The tokens are Chinese because the masked text is shown to users as it is.

Numbers a platform masked already (`138****5678`, `0000-00000000`, `****`) are left as they are: they
show no more than the project's own phone mask (`138****1234`) and no rule matches them (an area code
never starts `00`).

`mask_caller_names` turns a surname before 先生 / 女士 / 小姐 into 某 (`陈先生` -> `某先生`), and
`anonymity` reduces the anonymity column to 匿名 / 实名, so that a caller's name never stays.
"""

from __future__ import annotations

import polars as pl

PHONE_TOKEN = "[电话]"
ID_TOKEN = "[身份证号]"
SOMEONE = "某"  # stands for a caller's surname: 某先生, 某女士

# Full-width ASCII letters and digits (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) and their ASCII forms.
_FULL_WIDTH = [chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)]
_ASCII = [chr(ord(c) - 0xFEE0) for c in _FULL_WIDTH]

# What may stand before a number: the start, a character that is no ASCII letter, digit or point, or a
# point that does not follow a digit. After it: the end or a character that is no ASCII letter or digit.
# `\d` is any Unicode digit, as in tests/pii_scan.py.
BEFORE = r"(^\.|^|[^0-9A-Za-z.]|[^0-9]\.)"
AFTER = r"([^0-9A-Za-z]|$)"

_SEP = r"[ \-\x{3000}\x{2010}-\x{2014}\x{FF0D}]"  # space, ideographic space, ASCII and Unicode dashes
_ID_SEP = r"[ \x{3000}]"

ID_NUMBER = (rf"\d{{6}}{_ID_SEP}?\d{{8}}{_ID_SEP}?\d{{3}}[\dXx]"  # 18 characters, the last one a check digit or X
             r"|[1-8]\d{7}[01]\d[0-3]\d{4}")  # 15 digits: region, yymmdd, sequence
_MOBILE = rf"1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}"
_LOCAL = rf"[1-9]\d{{2,3}}{_SEP}?\d{{4}}"  # 7 or 8 digits
_AREA = r"0[1-9]\d{1,2}"
MOBILE = rf"(?:(?:00)?86{_SEP}?)?{_MOBILE}"
LANDLINE = rf"(?:{_AREA}{_SEP}?|[(\x{{FF08}}]{_AREA}[)\x{{FF09}}]{_SEP}?){_LOCAL}"
# `+86` and `(+86)` open a number by themselves, so they need no boundary before them; matched in a rule
# of their own, before the plus can be taken for the boundary of the `86...` that follows it.
_INTL_AREA = r"0?[1-9]\d{1,2}"
INTERNATIONAL = (rf"(?:[(\x{{FF08}}][+\x{{FF0B}}]86[)\x{{FF09}}]|[+\x{{FF0B}}]86){_SEP}?"  # brackets only in pairs
                 rf"(?:{_MOBILE}|(?:[(\x{{FF08}}]{_INTL_AREA}[)\x{{FF09}}]|{_INTL_AREA}){_SEP}?{_LOCAL})")

ID_RULE = f"{BEFORE}(?:{ID_NUMBER}){AFTER}"
INTERNATIONAL_RULE = f"()(?:{INTERNATIONAL}){AFTER}"
PHONE_RULE = f"{BEFORE}(?:{MOBILE}|{LANDLINE}){AFTER}"

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
             "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
             "季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦"
             "戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
                      "长孙", "宇文", "轩辕", "端木", "南宫", "西门", "独孤")
CALLER_NAME = f"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAMES}])(先生|女士|小姐)"


def fold_width(text: pl.Expr) -> pl.Expr:
    """Full-width ASCII letters and digits to ASCII (`１３８` -> `138`, `ＦＺ` -> `FZ`); nothing else changes."""
    return text.str.replace_many(_FULL_WIDTH, _ASCII)


def _twice(text: pl.Expr, rule: str, token: str) -> pl.Expr:
    replacement = "${1}" + token + "${2}"
    return text.str.replace_all(rule, replacement).str.replace_all(rule, replacement)


def mask_numbers(text: pl.Expr) -> pl.Expr:
    """ID, mobile and landline numbers standing alone to `[身份证号]` / `[电话]`, after width folding."""
    text = _twice(fold_width(text), ID_RULE, ID_TOKEN)
    return _twice(_twice(text, INTERNATIONAL_RULE, PHONE_TOKEN), PHONE_RULE, PHONE_TOKEN)


def mask_caller_names(text: pl.Expr) -> pl.Expr:
    """A common surname right before 先生 / 女士 / 小姐 to 某: `来电人陈先生` -> `来电人某先生`.

    Only the surname-and-title form is recognised; a full name (`陈建国`) in running text is not."""
    return text.str.replace_all(CALLER_NAME, SOMEONE + "${1}")


def mask_text(text: pl.Expr) -> pl.Expr:
    """All of this module's masking for a free-text column (title, text, reply)."""
    return mask_caller_names(mask_numbers(text))


def anonymity(value: pl.Expr) -> pl.Expr:
    """The anonymity column as 匿名 or 实名, never a name: 陈先生, 张某某 or a number become 实名.

    Blank stays null. A value holding 匿名 (`匿名来电`) is 匿名 unless it starts 非 / 不 (`不匿名`). A yes/no
    column (是否匿名: 是 / 否) needs its contract's allowed values, not this function: 是 would become 实名."""
    v = value.str.replace_all(r"\s", "")
    return (pl.when(v.is_null() | (v == "")).then(pl.lit(None, dtype=pl.String))
            .when(v.str.contains("^[非不]匿名")).then(pl.lit("实名"))
            .when(v.str.contains("匿名")).then(pl.lit("匿名"))
            .otherwise(pl.lit("实名"))).name.keep()  # the column's own name, not "literal"
