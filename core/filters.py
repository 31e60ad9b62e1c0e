import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SMALL = {"class": "form-control form-control-sm"}


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text box over the fields listed in ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=forms.TextInput(attrs=SMALL))

    def search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query) if value.strip() else queryset



class YesNoField(forms.NullBooleanField):
    """A yes/no filter value: true/false, 1/0 or 是/否; anything else is refused rather than ignored."""

    TRUE = {"true", "1", "是", "yes"}
    FALSE = {"false", "0", "否", "no"}

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("应为 true 或 false"), code="invalid")

    def validate(self, value):
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter within a database integer's range (a NumberFilter would take 1.5 or 1e309)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2**31))
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)
