import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import SMALL, SearchFilterSet
from plans.models import IndicatorValue, ValueStatus

SELECT = {"class": "form-select form-select-sm"}


class PlanFilter(SearchFilterSet):
    search_fields = ("name", "code", "issuer")


class ValueFilter(SearchFilterSet):
    search_fields = ("indicator__name", "place__name", "note", "source")
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label=_("规划编号"),
                                     widget=forms.TextInput(attrs=SMALL))
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("指标编码"),
                                          widget=forms.TextInput(attrs=SMALL))
    place = django_filters.CharFilter(field_name="place__code", label=_("地区编码"),
                                      widget=forms.TextInput(attrs=SMALL))
    period = django_filters.CharFilter(field_name="period", label=_("期间"), widget=forms.TextInput(attrs=SMALL))
    status = django_filters.ChoiceFilter(choices=ValueStatus.choices, label=_("状态"),
                                         widget=forms.Select(attrs=SELECT))
    is_demo = django_filters.BooleanFilter(label=_("演示数据"), widget=forms.NullBooleanSelect(attrs=SELECT))

    class Meta:
        model = IndicatorValue
        fields = ["q", "plan", "indicator", "place", "period", "status", "is_demo"]
