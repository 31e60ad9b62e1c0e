"""Pure tests for enterprises.uscc (统一社会信用代码, GB 32100-2015). No database."""

from __future__ import annotations

import django.conf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enterprises.uscc import ALPHABET, WEIGHTS, check_char, is_valid, validate

# gettext() needs settings at call time; when run with -p no:django nobody else configures them.
if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

# Keep property tests from writing an example database into the working tree.
no_db = settings(database=None, deadline=None)

REAL = ["91440300192317458F", "91350900587527783P", "91330000733796106P"]


def test_alphabet_and_weights_follow_the_standard():
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)
    # The weights printed in GB 32100-2015.
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code):
    assert is_valid(code)
    assert validate(code) == code
    assert check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL)
def test_every_single_character_change_fails(code):
    for position in range(18):
        for char in ALPHABET:
            changed = code[:position] + char + code[position + 1:]
            assert is_valid(changed) == (changed == code), changed


def test_input_is_normalised():
    assert validate(" 91440300192317458f\n") == "91440300192317458F"
    assert is_valid("91350900587527783p")
    # Full-width characters from a Chinese input method.
    assert validate("９１４４０３００１９２３１７４５８Ｆ") == "91440300192317458F"
    assert check_char("91350900587527783") == "P"


def test_wrong_length_says_so():
    with pytest.raises(ValueError, match="应为18位，实际为17位"):
        validate("91440300192317458")
    with pytest.raises(ValueError, match="应为18位，实际为19位"):
        validate("91440300192317458F0")
    with pytest.raises(ValueError, match="应为18位，实际为0位"):
        validate("   ")
    assert not is_valid("")


@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "-", "中"])
def test_bad_character_is_named_with_its_position(char):
    code = "9144030019231745" + char + "F"
    with pytest.raises(ValueError, match=f"第17位“{char}”不是有效字符"):
        validate(code)
    assert not is_valid(code)


def test_wrong_check_character_names_the_right_one():
    with pytest.raises(ValueError, match="校验位应为F，实际为G"):
        validate("91440300192317458G")


def test_letters_in_the_first_positions_are_fine_where_the_check_holds():
    for body in ("N2330000MA2J0KXL0", "Y1330000MA2J0KXL0", "A1440300192317458"):
        code = body + check_char(body)
        assert is_valid(code)


def test_check_char_rejects_bad_bodies():
    with pytest.raises(ValueError, match="前17位应为17个字符"):
        check_char("9144030019231745")
    with pytest.raises(ValueError, match="第1位“I”不是有效字符"):
        check_char("I1440300192317458")
    # Lower case is accepted and read as upper case.
    assert check_char("91440300192317458".lower()) == "F"


def test_non_text_is_rejected():
    with pytest.raises(ValueError):
        validate(None)  # type: ignore[arg-type]
    assert not is_valid(91440300192317458)  # type: ignore[arg-type]


@no_db
@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_body_plus_its_check_char_is_always_valid(first17):
    code = first17 + check_char(first17)
    assert is_valid(code)
    assert validate(code.lower()) == code


@no_db
@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_any_other_check_char_is_invalid(first17, char):
    assert is_valid(first17 + char) == (char == check_char(first17))
