import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

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


class StrictFilterBackend(DjangoFilterBackend):
    """The API's filter backend: a typed filter (number, date, choice, yes/no, record) sent empty is refused.

    On a page an empty filter means "all" (the select's 全部); an API client leaves the parameter out for
    that, and the schema gives such a parameter a type an empty string is not.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            empty = {name: _("不能为空；不按此条件筛选时请省略该参数") for name, spec in filterset.filters.items()
                     if request.query_params.get(name) == "" and not isinstance(spec, django_filters.CharFilter)}
            if empty:
                raise ValidationError(empty)
        return filterset
