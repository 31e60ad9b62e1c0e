from django import forms

from plans.models import Indicator


class IndicatorForm(forms.ModelForm):
    """What a bureau completes after importing a sheet that could not tell kind or unit."""

    class Meta:
        model = Indicator
        fields = ["name", "unit", "kind", "direction", "frequency", "note", "needs_review"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "unit": forms.TextInput(attrs={"class": "form-control"}),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "direction": forms.Select(attrs={"class": "form-select"}),
            "frequency": forms.Select(attrs={"class": "form-select"}),
            "note": forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        }
