import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import SMALL, SearchFilterSet
from core.models import OrgUnit
from tasks.models import STATUS_CHOICES, KeyTask

SELECT = {"class": "form-select form-select-sm"}


class KeyTaskFilter(SearchFilterSet):
    search_fields = ("title", "content", "goal", "code")
    plan = django_filters.CharFilter(field_name="plan__code", label=_("规划编号"), widget=forms.TextInput(attrs=SMALL))
    lead_unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.filter(led_tasks__isnull=False).distinct(),
                                                 label=_("牵头单位"), widget=forms.Select(attrs=SELECT))
    category = django_filters.CharFilter(field_name="category", lookup_expr="icontains", label=_("类别"),
                                         widget=forms.TextInput(attrs=SMALL))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=_("状态"), widget=forms.Select(attrs=SELECT))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"),
                                           widget=forms.NullBooleanSelect(attrs=SELECT))

    class Meta:
        model = KeyTask
        fields = ["q", "plan", "lead_unit", "category", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        late = queryset.filter(deadline__lt=today).exclude(status__in=["closed", "done_reported"])
        return late if value else queryset.exclude(pk__in=late.values("pk"))
