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

