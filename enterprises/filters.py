import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import SMALL, SearchFilterSet
from enterprises.models import QUALIFICATION_CHOICES, Enterprise, Pool, PoolMember, Qualification

SELECT = {"class": "form-select form-select-sm"}


class EnterpriseFilter(SearchFilterSet):
    search_fields = ("name", "uscc")
    region = django_filters.CharFilter(field_name="region__code", lookup_expr="startswith", label=_("区划代码"),
                                       widget=forms.TextInput(attrs=SMALL))
    qualification = django_filters.ChoiceFilter(choices=QUALIFICATION_CHOICES, method="holding",
                                                label=_("持有资质"), widget=forms.Select(attrs=SELECT))
    pool = django_filters.ModelChoiceFilter(queryset=Pool.objects.all(), method="in_pool", label=_("培育库"),
                                            widget=forms.Select(attrs=SELECT))
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("行业"), widget=forms.TextInput(attrs=SMALL))

    class Meta:
        model = Enterprise
        fields = ["q", "region", "industry", "qualification", "pool"]

    def search(self, queryset, name, value):
        # Names are Chinese: a plain LIKE (no UPPER per row) over a province of firms; a fragment of letters and
        # digits is also looked for in the codes.
        text = value.strip()
        if not text:
            return queryset
        query = Q(name__contains=text)
        if text.isascii() and text.isalnum():
            query |= Q(uscc__contains=text.upper())
        return queryset.filter(query)

    def holding(self, queryset, name, value):
        today = timezone.localdate()
        valid = Qualification.objects.filter(enterprise=OuterRef("pk"), type=value, issued__lte=today).filter(
            Q(expires__isnull=True) | Q(expires__gte=today))
        return queryset.filter(Exists(valid))

    def in_pool(self, queryset, name, value):
        return queryset.filter(Exists(PoolMember.objects.filter(enterprise=OuterRef("pk"), pool=value,
                                                                exited_on__isnull=True)))
