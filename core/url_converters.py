"""Path converters shared by the routes: ``code`` is a record's code, which is never only a number, so it
never takes a registry's ``<int:pk>`` address (nor a negative id such as ``-25602``) for itself."""

from django.urls import register_converter


class CodeConverter:
    regex = r"[^/]*[^/0-9\-][^/]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")


def code_validator():
    """A code's own rule, so every code an address can take is one the converter above reaches."""
    from django.core.validators import RegexValidator
    from django.utils.translation import gettext_lazy as _

    return RegexValidator(r"[^0-9\-]", _("编号须含字母或汉字，不能只由数字和连字符组成"))
