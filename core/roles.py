"""The roles of the product brief (DESIGN §2) and the named predicates every app asks them through.

Code outside this module does not compare ``user.role`` with a role value: it calls one of the predicates
below, so what "a bureau admin" or "a region reader" means is decided once. Which records a role reaches
is decided per model by its queryset's ``restrict`` (core.scoping), which calls the same predicates.

Every predicate takes any user object (a saved ``User``, an unsaved one, ``AnonymousUser`` or ``None``) and
answers False for someone who is not signed in, so a view may ask before checking the login. The role
predicates read the account's role field; only ``is_sysadmin`` (and those that include it) also counts a
Django superuser.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    BUREAU_ADMIN = "bureau_admin", _("科技局管理员")
    UNIT_REPORTER = "unit_reporter", _("责任单位填报员")
    TOWN_REPORTER = "town_reporter", _("镇街道填报员")
    ENTERPRISE = "enterprise", _("企业用户")
    INSTITUTION = "institution", _("机构用户")
    REVIEWER = "reviewer", _("评审专家")
    LEADER = "leader", _("领导")


# Roles that see everything inside their region (read); bureau admins also change it.
REGION_READERS = frozenset({Role.SYSADMIN, Role.BUREAU_ADMIN, Role.LEADER})
REPORTERS = frozenset({Role.UNIT_REPORTER, Role.TOWN_REPORTER})
# Users from outside the government (企业、机构、专家): they reach only their own unit's records.
OUTSIDERS = frozenset({Role.ENTERPRISE, Role.INSTITUTION, Role.REVIEWER})
# Roles that must belong to an org unit: what they report or own is that unit's.
UNIT_BOUND = frozenset({Role.UNIT_REPORTER, Role.TOWN_REPORTER, Role.ENTERPRISE, Role.INSTITUTION})


def _field(user) -> str | None:
    """The role stored on the account, None for someone not signed in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    role = getattr(user, "role", None)
    return str(role) if role else None


def role_of(user) -> str | None:
    """The role a user acts in: "sysadmin" for a superuser whatever its field says, None when signed out."""
    return Role.SYSADMIN.value if is_sysadmin(user) else _field(user)


def has_role(user, roles: Iterable[str]) -> bool:
    """Whether the user's role is one of ``roles`` (a menu entry's roles, a page's readers)."""
    role = _field(user)
    return role is not None and role in {str(r) for r in roles}


def is_sysadmin(user) -> bool:
    """The system admin: the role, or a Django superuser (created by ``createsuperuser``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or _field(user) == Role.SYSADMIN


def is_bureau_admin(user) -> bool:
    """A 科技局管理员 — or the system admin, who may do whatever a bureau admin does anywhere."""
    return is_sysadmin(user) or _field(user) == Role.BUREAU_ADMIN


def is_leader(user) -> bool:
    return _field(user) == Role.LEADER


def is_unit_reporter(user) -> bool:
    return _field(user) == Role.UNIT_REPORTER


def is_town_reporter(user) -> bool:
    return _field(user) == Role.TOWN_REPORTER


def is_reporter(user) -> bool:
    """A 填报员 of a responsible unit or of a town."""
    return _field(user) in REPORTERS


def is_enterprise(user) -> bool:
    return _field(user) == Role.ENTERPRISE


def is_institution(user) -> bool:
    return _field(user) == Role.INSTITUTION


def is_expert(user) -> bool:
    """A 评审专家: scores only what is assigned to them."""
    return _field(user) == Role.REVIEWER


def is_outsider(user) -> bool:
    """An enterprise, institution or expert account: reaches its own unit only, never a region."""
    return _field(user) in OUTSIDERS


def reads_region(user) -> bool:
    """Sees everything inside its region: the system admin, bureau admins and leaders."""
    return is_sysadmin(user) or _field(user) in REGION_READERS


def acts_for(user, org_unit_id: int | None, region_code: str) -> bool:
    """The applicant's side of a record: the firm's (or institution's) own account, or the bureau of its region
    entering it on the firm's behalf."""
    own = (_field(user) in (Role.ENTERPRISE, Role.INSTITUTION) and bool(user.org_unit_id)
           and user.org_unit_id == org_unit_id)
    return own or manages_region(user, region_code)


def manages_region(user, code: str | None = None) -> bool:
    """Changes the records of region ``code``: the system admin anywhere, a bureau admin inside its scope.

    Without ``code`` only the role is asked (the records are then limited by ``restrict``).
    """
    if is_sysadmin(user):
        return True
    if _field(user) != Role.BUREAU_ADMIN:
        return False
    return code is None or code.startswith(user.scope_prefix)


def is_division_head(user, code: str | None = None) -> bool:
    """A 科室负责人: a bureau admin of region ``code`` marked as one (the system admin too), who takes the second
    look (复审) that the person of the first look may not take."""
    if is_sysadmin(user):
        return True
    return manages_region(user, code) and bool(getattr(user, "is_division_head", False))


def region_access(user, action: str = "view") -> bool:
    """The common rule of region-wide records: bureau admins change them, leaders only read them."""
    return reads_region(user) if action == "view" else manages_region(user)
