"""统一社会信用代码 (unified social credit code, GB 32100-2015): check character and validation.

The code is 18 characters from a 31-character alphabet (the digits and the capital letters without
I, O, S, V and Z, which are too easily mistaken for 1, 0, 5, U and 2).  The 18th character is a check
character over the first 17: with weights w_i = 3^(i-1) mod 31, check = (31 - Σ value(c_i)·w_i mod 31)
mod 31.  Because 31 is prime and no weight is 0 mod 31, changing any single character always changes
the check, so every one-character typo is caught.

Only the alphabet and the check are verified: the registration-authority and organisation-type positions
gain new letters over time (N, Y, …), and rejecting a real code is worse than accepting an odd one whose
check holds.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18

_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)  # 31
# w_i = 3^(i-1) mod 31 for positions 1..17, written out by the standard as 1 3 9 27 19 26 16 17 20 29 …
WEIGHTS = tuple(pow(3, i, _MODULUS) for i in range(LENGTH - 1))


def _normalise(code: str) -> str:
    # NFKC turns full-width input (９１３３…, common from Chinese input methods) into ASCII; upper()
    # because the code is printed in capitals but often typed in lower case.
    return unicodedata.normalize("NFKC", code).strip().upper()


def _bad_char(body: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first character outside the alphabet, or None."""
    for position, char in enumerate(body, start=1):
        if char not in _VALUE:
            return position, char
    return None


def _check(body: str) -> str:
    total = sum(_VALUE[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(_MODULUS - total % _MODULUS) % _MODULUS]


def check_char(first17: str) -> str:
    """The check character (18th) for the first 17 characters; ValueError if they cannot be a code body."""
    body = _normalise(first17)
    if len(body) != LENGTH - 1:
        raise ValueError(_("统一社会信用代码前17位应为17个字符，实际为%(count)d个") % {"count": len(body)})
    bad = _bad_char(body)
    if bad is not None:
        raise ValueError(_("统一社会信用代码第%(position)d位“%(char)s”不是有效字符") % {
            "position": bad[0], "char": bad[1]})
    return _check(body)


def validate(code: str) -> str:
    """The normalised code (stripped, upper case), or ValueError saying in Chinese what is wrong."""
    if not isinstance(code, str):
        raise ValueError(_("统一社会信用代码应为文字"))
    text = _normalise(code)
    if len(text) != LENGTH:
        raise ValueError(_("统一社会信用代码应为18位，实际为%(count)d位") % {"count": len(text)})
    bad = _bad_char(text)
    if bad is not None:
        # Name the character: the usual culprits are I/O/S/V/Z typed for 1/0/5/U/2.
        raise ValueError(_("统一社会信用代码第%(position)d位“%(char)s”不是有效字符") % {
            "position": bad[0], "char": bad[1]})
    expected = _check(text[:-1])
    if text[-1] != expected:
        raise ValueError(_("统一社会信用代码校验位应为%(expected)s，实际为%(actual)s") % {
            "expected": expected, "actual": text[-1]})
    return text


def is_valid(code: str) -> bool:
    """Whether the code (after strip and upper-casing) is 18 alphabet characters with the right check."""
    try:
        validate(code)
    except ValueError:
        return False
    return True
