"""The password policy a government intranet expects (等保): long, mixed, not the user name."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 10
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))


def character_classes(password: str) -> int:
    return sum(1 for pattern in _CLASSES if pattern.search(password))


class ComplexityValidator:
    """At least ten characters of at least three classes (lower, upper, digit, symbol), not the user name."""

    def validate(self, password: str, user=None) -> None:
        problems = []
        if len(password) < MIN_LENGTH:
            problems.append(_("密码至少%(n)s位") % {"n": MIN_LENGTH})
        if character_classes(password) < 3:
            problems.append(_("密码须包含大写字母、小写字母、数字、符号中的至少三类"))
        username = (getattr(user, "username", "") or "").lower()
        if username and len(username) >= 3 and username in password.lower():
            problems.append(_("密码不能包含用户名"))
        if problems:
            raise ValidationError(problems, code="password_policy")

    def get_help_text(self) -> str:
        return _("至少%(n)s位，包含大写字母、小写字母、数字、符号中的至少三类，且不含用户名") % {"n": MIN_LENGTH}
