from django import forms

from core.errors import BusinessError
from plans.models import Indicator
from plans.services.plans import checked_formula


class IndicatorForm(forms.ModelForm):
    """What a bureau completes after importing a sheet that could not tell kind or unit."""

    class Meta:
        model = Indicator
        fields = ["name", "unit", "kind", "direction", "frequency", "formula", "common", "note", "needs_review"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "unit": forms.TextInput(attrs={"class": "form-control"}),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "direction": forms.Select(attrs={"class": "form-select"}),
            "frequency": forms.Select(attrs={"class": "form-select"}),
            "formula": forms.TextInput(attrs={"class": "form-control"}),
            "common": forms.Select(attrs={"class": "form-select"}),
            "note": forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        }
        help_texts = {"common": "关联后，市、省的地区比较把本指标与其他县（市、区）的同一通用指标一起排名"}

    def clean(self):
        data = super().clean()
        # Checked again under lock when saved; here so the problem shows beside the field.
        if "formula" in data and "unit" in data and self.instance.pk:
            try:
                data["formula"] = checked_formula(self.instance, data["formula"], data["unit"])
            except BusinessError as exc:
                self.add_error("formula", str(exc))
        return data


class PlanCreateForm(forms.Form):
    code = forms.CharField(label="规划编号", max_length=40, widget=forms.TextInput(attrs={"class": "form-control"}))
    name = forms.CharField(label="名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    region = forms.ModelChoiceField(label="区划", queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    issuer = forms.CharField(label="印发单位", max_length=100, required=False,
                             widget=forms.TextInput(attrs={"class": "form-control"}))
    issued_on = forms.DateField(label="印发日期", required=False,
                                widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100,
                                    widget=forms.NumberInput(attrs={"class": "form-control"}))
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100,
                                  widget=forms.NumberInput(attrs={"class": "form-control"}))
    indicator_file = forms.FileField(label="指标进度表（附件1格式，可选）", required=False,
                                     widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
