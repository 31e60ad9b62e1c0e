from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.models import ReportSettings


class ReportSettingsForm(forms.ModelForm):
    """Per plan: alert threshold, monthly report day, and the weights of the annual competition."""

    indicator_weights = forms.CharField(
        label=_("指标权重"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("每行“指标编码=权重”，如 PH01=2；未列出的指标权重为1，权重为0表示不计入"))

    class Meta:
        model = ReportSettings
        fields = ["lag_threshold", "report_day", "task_weight"]
        widgets = {name: forms.NumberInput(attrs={"class": "form-control"}) for name in fields}

    def __init__(self, *args, indicator_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_codes = set(indicator_codes)
        if self.instance and self.instance.indicator_weights and not self.is_bound:
            self.initial["indicator_weights"] = "\n".join(
                f"{code}={weight}" for code, weight in sorted(self.instance.indicator_weights.items()))

    def clean_report_day(self):
        day = self.cleaned_data["report_day"]
        if not 1 <= day <= 28:
            raise forms.ValidationError(_("月报截止日应在1到28之间"))
        return day

    def clean_indicator_weights(self):
        weights = {}
        for line in self.cleaned_data["indicator_weights"].splitlines():
            if not line.strip():
                continue
            code, sep, value = line.partition("=")
            code = code.strip()
            if not sep or code not in self.indicator_codes:
                raise forms.ValidationError(_("无法识别“%(line)s”：应为本规划的指标编码=权重") % {"line": line.strip()})
            try:
                weight = Decimal(value.strip())
            except ArithmeticError as exc:
                raise forms.ValidationError(_("权重应为数字：%(line)s") % {"line": line.strip()}) from exc
            if weight < 0 or not weight.is_finite():
                raise forms.ValidationError(_("权重不能为负数：%(line)s") % {"line": line.strip()})
            weights[code] = str(weight)
        return weights

    def save(self, commit=True):
        self.instance.indicator_weights = self.cleaned_data["indicator_weights"]
        return super().save(commit)
