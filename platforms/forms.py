"""Forms the platform registry's pages, import and API share (through the registry's form machinery)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from core.registry.factories import RegistryForm
from enterprises import uscc
from platforms import performance
from platforms.models import PerformanceTemplate, Platform

PLATFORM_FIELDS = ("code", "name", "kind", "level", "region", "town", "recognised_by", "document_no",
                   "recognised_on", "review_on", "operator_name", "operator_uscc", "operator_unit", "co_builders",
                   "fields", "area", "status", "shares_instruments", "source")
TEMPLATE_FIELDS = ("kind", "year", "name", "region", "indicators", "grades", "is_example", "note")


class PlatformForm(RegistryForm):
    class Meta:
        model = Platform
        fields = PLATFORM_FIELDS

    def clean_operator_uscc(self) -> str:
        code = (self.cleaned_data.get("operator_uscc") or "").strip().upper()
        if code and not uscc.is_valid(code):
            raise forms.ValidationError(_("统一社会信用代码“%(code)s”校验不通过") % {"code": code[:18]})
        return code

    def clean_area(self):
        area = self.cleaned_data.get("area")
        if area is not None and area < 0:
            raise forms.ValidationError(_("面积不能为负数"))
        return area


class TemplateForm(RegistryForm):
    """A template is refused unless its weights sum to exactly 100 and every rule is complete; a template a
    table already uses is frozen (saved again only as a new version)."""

    class Meta:
        model = PerformanceTemplate
        fields = TEMPLATE_FIELDS

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.frozen:
            raise forms.ValidationError(_("该模板已被绩效评价表使用，已冻结；如需调整请“另存为新版本”"))
        indicators, grades = data.get("indicators"), data.get("grades")
        if "indicators" in data and "grades" in data:
            if not grades:
                grades = data["grades"] = dict(performance.DEFAULT_GRADES)
            for problem in performance.template_problems(indicators, grades):
                self.add_error("indicators", problem)
        return data
