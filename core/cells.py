"""Turning spreadsheet cells into values: numbers with units, dates and text.

Cells arrive as whatever the reader produced: None, str (CSV, text cells), int/float
(openpyxl/xlrd numbers), Decimal, datetime (date cells).  Staff type full-width digits,
thousands separators, units after the number and "约" in front; all of that is accepted
here so the import code only deals with clean values or a Chinese error message.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user as is."""


# U+FF01..U+FF5E mirror ASCII 0x21..0x7E at a fixed offset; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters, punctuation and the ideographic space to ASCII."""
    return text.translate(_HALFWIDTH)


# --- amounts -----------------------------------------------------------------------------

# Cells that mean "nothing reported" rather than zero.
_BLANK_MARKS = frozenset({"", "-", "--", "—", "——", "/", "无"})

# Longest first so "约为" is not read as "约" followed by a stray "为".
_PREFIXES = ("约为", "达到", "约", "达")

# Power-of-ten multipliers that may precede a base unit in a cell.
_MULTIPLIERS = {"": 0, "万": 4, "亿": 8}
# Base units: money and the count words used by indicators.
_MONEY = "元"
COUNT_WORDS = frozenset(
    {"家", "件", "项", "个", "人", "人年", "名", "次", "人次", "户", "篇", "台", "套", "台套", "所"}
)
_BASES = frozenset({_MONEY}) | COUNT_WORDS
PERCENT = "%"

# Every unit a cell may carry, mapped to (power of ten, base); base "" is a bare multiplier
# ("60.37万"), which takes on whatever base the target unit has.
_CELL_UNITS: dict[str, tuple[int, str]] = {
    prefix + base: (exponent, base) for prefix, exponent in _MULTIPLIERS.items() for base in _BASES
}
_CELL_UNITS.update({"万": (4, ""), "亿": (8, ""), "千元": (3, _MONEY)})

_NUMBER = re.compile(
    r"""
    (?P<sign>[+-])?
    (?P<number>
        (?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?   # integer part, maybe grouped
        | \.[0-9]+
    )
    (?P<exponent>[eE][+-]?[0-9]+)?
    (?P<unit>.*)
    """,
    re.VERBOSE | re.ASCII | re.DOTALL,
)

_LOOSE_SPACE = re.compile(r"(?<![0-9])\s+|\s+(?![0-9\s])")

# Above this the cell is a typo or an overflow, not an amount anyone reports.  The lower
# bound admits every float (formula noise such as 5.5e-17 is a legitimate near-zero) and
# only keeps absurd strings like "1E-999999" away from the Decimal context limits.
_MAX_ADJUSTED_EXPONENT = 30
_MIN_ADJUSTED_EXPONENT = -400


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str | None = None


def parse_amount(raw: object) -> Amount | None:
    """Read a numeric cell; None means blank (nothing reported), never zero."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        # Excel TRUE/FALSE: int subclass in Python, but never a reported amount.
        raise CellError(_("不是有效的数字：%(text)s") % {"text": raw})
    if isinstance(raw, int):
        return Amount(_checked_size(Decimal(raw), raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(_("不是有效的数字：%(text)s") % {"text": raw})
        return Amount(_checked_size(_float_to_decimal(raw), raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CellError(_("不是有效的数字：%(text)s") % {"text": raw})
        return Amount(_checked_size(raw, raw))
    if not isinstance(raw, str):
        raise CellError(_("不是有效的数字：%(text)s") % {"text": raw})

    original = raw.strip()
    # Spaces around the sign, prefix and unit are noise, but a space between two digits
    # ("1 2") leaves it unclear what was meant, so that is kept and fails to parse.
    text = _LOOSE_SPACE.sub("", to_halfwidth(original).replace("−", "-"))
    if text in _BLANK_MARKS:
        return None
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break

    match = _NUMBER.fullmatch(text)
    unit = match["unit"] if match else None
    if match is None or (unit and unit != PERCENT and unit not in _CELL_UNITS):
        raise CellError(_("不是有效的数字：%(text)s") % {"text": original})
    digits = (match["sign"] or "") + match["number"].replace(",", "")
    # Exponent notation is normalised to a plain number so it displays like the others.
    # Size is checked before normalising: "1E+999999" would need a million digits to write out plainly.
    value = _checked_size(Decimal(digits + (match["exponent"] or "")), original)
    return Amount(_plain(value) if match["exponent"] else value, unit or None)


def _float_to_decimal(value: float) -> Decimal:
    # repr() is the shortest text that round-trips, i.e. what the user typed (2.2, not
    # 2.20000000000000017763568394002504646778106689453125); integral floats become
    # integral Decimals so 80.0 reads back as 80.
    if value.is_integer():
        return Decimal(int(value))
    return Decimal(repr(value))


def _checked_size(value: Decimal, shown: object) -> Decimal:
    if value and not _MIN_ADJUSTED_EXPONENT <= value.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise CellError(_("数值超出合理范围：%(text)s") % {"text": shown})
    return value


def _plain(value: Decimal) -> Decimal:
    """Same value without exponent notation or trailing zeros (1.2E+3 -> 1200, 60.370 -> 60.37)."""
    with localcontext() as context:
        context.prec = 100
        value = value.normalize()
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            value = value.quantize(Decimal(1))
        return value


def _split_target(target_unit: str) -> tuple[int, str]:
    """Target unit -> (power of ten, base) for the part a cell's unit must agree with.

    For a ratio such as "件/万人" or "元/人" the numerator is what a cell writes
    ("3件", "6.2万元"); the denominator is implied by the indicator.  A leading 万/亿 is
    always a multiplier in Chinese units (万吨, 亿立方米, 万千瓦时); 千 is not (千瓦时
    is its own unit), so only 千元 is taken apart.
    """
    numerator = target_unit.split("/", 1)[0]
    if numerator == "千元":
        return 3, _MONEY
    for prefix in ("万亿", "亿", "万"):
        if numerator.startswith(prefix):
            return (12 if prefix == "万亿" else _MULTIPLIERS[prefix]), numerator[len(prefix) :]
    return 0, numerator


def convert_amount(amount: Amount, target_unit: str) -> Decimal:
    """Express ``amount`` in the unit the indicator is kept in, exactly.

    A bare number is taken to be in the target unit already (2.5 into "%" is 2.5%).
    """
    target = "".join(to_halfwidth(target_unit or "").split())
    unit = amount.unit
    if unit is None or unit == target:
        return amount.value
    if unit == PERCENT or target == PERCENT or unit not in _CELL_UNITS:
        raise _unit_mismatch(amount, target)
    cell_exponent, cell_base = _CELL_UNITS[unit]
    target_exponent, target_base = _split_target(target)
    if cell_base and cell_base != target_base:
        raise _unit_mismatch(amount, target)
    with localcontext() as context:
        context.prec = 100
        return _plain(amount.value.scaleb(cell_exponent - target_exponent))


def _unit_mismatch(amount: Amount, target: str) -> CellError:
    return CellError(
        _("单位不符：填写的是“%(value)s%(unit)s”，应为“%(target)s”")
        % {"value": amount.value, "unit": amount.unit or "", "target": target or _("无单位")}
    )


# --- dates -------------------------------------------------------------------------------

# Excel's 1900 date system counts from 1899-12-31 but pretends 1900 was a leap year, so
# serial 60 is the non-existent 1900-02-29 and serials from 61 on are off by one.
_EXCEL_EPOCH_EARLY = datetime.date(1899, 12, 31)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

_TIME_SUFFIX = r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DATE_SEPARATED = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})" + _TIME_SUFFIX
)
_DATE_CHINESE = re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?")
_DATE_COMPACT = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")


def parse_date(raw: object) -> datetime.date | None:
    """Read a date cell: a real date, an Excel serial number, or one of the usual spellings."""
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, bool):
        raise CellError(_("不是有效的日期：%(text)s") % {"text": raw})
    if isinstance(raw, (int, float, Decimal)):
        return _date_from_number(raw)
    if not isinstance(raw, str):
        raise CellError(_("不是有效的日期：%(text)s") % {"text": raw})

    original = raw.strip()
    text = to_halfwidth(original).strip()
    # "2023 年 4 月 20 日": spaces around the Chinese markers carry no meaning.
    text = re.sub(r"\s*([年月日号])\s*", r"\1", text)
    if not text:
        return None
    for pattern in (_DATE_SEPARATED, _DATE_CHINESE, _DATE_COMPACT):
        if match := pattern.fullmatch(text):
            return _make_date(original, int(match["y"]), int(match["m"]), int(match["d"]))
    raise CellError(_("不是有效的日期：%(text)s") % {"text": original})


def _date_from_number(raw: int | float | Decimal) -> datetime.date:
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellError(_("不是有效的日期：%(text)s") % {"text": raw})
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise CellError(_("不是有效的日期：%(text)s") % {"text": raw})
    # A number cell holding 20230420 is someone typing yyyymmdd, not a serial (serials
    # stop at 2958465), so read it that way first.
    if raw == int(raw) and 19000101 <= int(raw) <= 21001231:
        number = int(raw)
        return _make_date(str(number), number // 10000, number // 100 % 100, number % 100)
    serial = math.floor(raw)  # the fraction is the time of day
    if serial < 1 or serial > _EXCEL_MAX_SERIAL or serial == 60:
        raise CellError(_("不是有效的日期：%(text)s") % {"text": raw})
    if serial < 60:
        return _EXCEL_EPOCH_EARLY + datetime.timedelta(days=serial)
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def _make_date(text: str, year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("不是有效的日期：%(text)s") % {"text": text}) from None


# --- text --------------------------------------------------------------------------------


def parse_text(raw: object) -> str | None:
    """Text cell, stripped; blank is None.

    The inside of the text is left alone: full-width parentheses are the correct form in
    Chinese company names, so only surrounding (also full-width) whitespace goes.  Numbers
    come back the way Excel shows them: a credit code or phone number typed into a numeric
    cell arrives as 91330000.0 and must read "91330000".
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(_("不是有效的文本：%(text)s") % {"text": raw})
        return format(_float_to_decimal(raw), "f")
    if isinstance(raw, Decimal):
        return format(raw, "f")
    if isinstance(raw, datetime.datetime):
        if raw.time() == datetime.time(0, 0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    text = str(raw).strip()  # str.strip() also removes U+3000 and no-break spaces
    if "\x00" in text:
        # PostgreSQL cannot store it and every Excel export of the row would break.
        raise CellError(_("文本中含有空字符（NUL），请删除后重新导入"))
    return text or None


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (Arabic digits from 100 on)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return text + (_DIGITS[ones] if ones else "")
