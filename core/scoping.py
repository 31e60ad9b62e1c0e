"""Permission-aware querysets: every list, page and endpoint starts from ``Model.objects.restrict(user)``.

A model's queryset subclasses RestrictedQuerySet and says in ``scope`` what a non-admin user reaches,
so a new page cannot forget scoping: it only has the restricted queryset to start from.
"""

from django.db import models


def region_prefix(code: str) -> str:
    """Significant digits of a GB/T 2260 code: 330000 → 33, 330400 → 3304, 330482 → 330482."""
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def governing_codes(code: str) -> list[str]:
    """The 6-digit codes whose rules a place follows, nearest first: its county, its city, its province
    (a town 330482101 → 330482, 330400, 330000)."""
    six = code[:6]
    return list(dict.fromkeys([six, six[:4] + "00", six[:2] + "0000"]))


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_sysadmin:
            return self
        return self.scope(user, action)

    def scope(self, user, action: str):
        """What a user who is not a system admin reaches; nothing unless a model says otherwise."""
        return self.none()


class ApplicantScoped(RestrictedQuerySet):
    """Records a firm applies with (a voucher claim, a plan project): the firm's own account reaches its own,
    bureaus and leaders those of their region; once submitted a record changes only through its workflow, so
    edits and deletes reach the editable states alone. ``others`` may let another role in (an expert)."""

    unit_field = "enterprise__org_unit_id"
    editable: tuple[str, ...] = ()

    def others(self, user, action: str):
        return self.none()

    def scope(self, user, action):
        from core import roles

        if roles.is_enterprise(user):
            mine = self.filter(**{self.unit_field: user.org_unit_id}) if user.org_unit_id else self.none()
        elif roles.reads_region(user):
            if not roles.region_access(user, action):
                return self.none()
            mine = self.filter(region__code__startswith=user.scope_prefix)
        else:
            return self.others(user, action)
        return mine if action == "view" else mine.filter(status__in=self.editable)
