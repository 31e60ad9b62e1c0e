"""Rule sets are data: saving one validates it by compiling it, and a change is a new version.

A rule set belongs to a region or is shared (region null). The shipped ones are shared and only the system
admin changes them; a county bureau admin who saves one saves its own copy for its region (created from the
shared one on the first save, a new version of the copy after that). Screening a region uses the copy of the
nearest region above it (itself included) that has one, else the shared one.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core import roles
from core.audit import record_change
from core.errors import BusinessError, NotAllowed
from core.models import ChangeRecord, Region
from enterprises import engine
from enterprises.models import RuleSet

SHIPPED = ["hitech", "tech_sme", "golden_eagle", "county_rd_centre"]
# Keyed by primary key: a stored version never changes, and two regions may both have "hitech" version 2.
_compiled: dict[int, "engine.CompiledRuleSet"] = {}


def compiled(ruleset: RuleSet) -> "engine.CompiledRuleSet":
    if ruleset.pk not in _compiled:
        _compiled[ruleset.pk] = engine.compile_ruleset(ruleset.definition)
    return _compiled[ruleset.pk]


def _chain(region: Region | None) -> list[int]:
    """Ids of the region and the regions above it, nearest first."""
    ids: list[int] = []
    while region is not None:
        ids.append(region.pk)
        region = region.parent
    return ids


def _nearest(rows, region: Region | None) -> dict[str, RuleSet]:
    """Of active rows (shared and copies along the chain), the one that applies per code."""
    rank = {region_id: index for index, region_id in enumerate(_chain(region))}
    chosen: dict[str, tuple[int, RuleSet]] = {}
    for row in rows:
        order = len(rank) if row.region_id is None else rank[row.region_id]
        if row.code not in chosen or order < chosen[row.code][0]:
            chosen[row.code] = (order, row)
    return {code: row for code, (_order, row) in chosen.items()}


def _applicable(region: Region | None) -> QuerySet:
    return RuleSet.objects.filter(Q(region__isnull=True) | Q(region_id__in=_chain(region)), is_active=True)


def active(code: str, region: Region | None = None) -> RuleSet:
    """The version that screening ``region`` uses (``None``: the shared one)."""
    found = _nearest(_applicable(region).filter(code=code), region).get(code)
    if found is None:
        raise BusinessError(_("未知的认定规则“%(code)s”") % {"code": code}, field="ruleset")
    return found


def active_for(region: Region | None) -> list[RuleSet]:
    """One version per code, as screening ``region`` uses them, ordered by code."""
    return sorted(_nearest(_applicable(region), region).values(), key=lambda row: row.code)


def own_region(user) -> Region | None:
    """The region whose copies a user edits: None (the shared ones) for the system admin."""
    if user is None or user.is_sysadmin:
        return None
    if not user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以修改认定规则"))
    region = user.scope_region
    if region is None:
        raise NotAllowed(_("您的账号尚未关联区域，不能修改认定规则"))
    return region


def visible(user) -> QuerySet:
    """Every version a user may read: the system admin all, a bureau admin the shared ones and its own."""
    if user.is_sysadmin:
        return RuleSet.objects.select_related("region")
    if not user.is_bureau_admin or user.scope_region is None:
        return RuleSet.objects.none()
    return RuleSet.objects.filter(Q(region__isnull=True) | Q(region=user.scope_region)).select_related("region")


def for_screening(user) -> list[RuleSet]:
    """The rule sets a user screens with: its region's (the shared ones for the system admin)."""
    return active_for(None if roles.is_sysadmin(user) else user.scope_region)


def edit_targets(user, shown: list[RuleSet]) -> set[int]:
    """Ids of the listed versions whose edit link opens what ``user`` edits (see ``editable``).

    The system admin edits the shared versions; a county bureau admin its own copies, and the shared version
    of a code only while it has no copy of it yet (saving it then makes the copy).
    """
    if roles.is_sysadmin(user):
        return {row.pk for row in shown if row.is_active and row.region_id is None}
    copied = {row.code for row in shown if row.region_id}
    return {row.pk for row in shown if row.is_active and (row.region_id is not None or row.code not in copied)}


def saves_a_copy(user, current: RuleSet | None) -> bool:
    """Whether saving ``current`` makes the user's region its own copy instead of a new shared version."""
    return current is not None and current.region_id is None and not roles.is_sysadmin(user)


def editable(user, code: str) -> RuleSet | None:
    """The latest version a user edits under ``code``: its own copy, else the shared one it would copy."""
    region = own_region(user)
    versions = RuleSet.objects.filter(code=code).select_related("region").order_by("-version")
    if region is not None:
        own = versions.filter(region=region).first()
        if own is not None:
            return own
    return versions.filter(region__isnull=True).first()


@transaction.atomic
def save_ruleset(*, user, definition: dict) -> RuleSet:
    """Validate and store a rule set as the next version of the user's own copy (the system admin and the
    loading of shipped rule sets: the shared one)."""
    region = own_region(user)
    try:
        compiled_rules = engine.compile_ruleset(definition)
    except engine.RuleSetError as exc:
        raise BusinessError(str(exc), field="definition") from exc
    code = compiled_rules.code
    versions = RuleSet.objects.select_for_update().filter(code=code).order_by("-version")
    current = versions.filter(region=region).first() if region else versions.filter(region__isnull=True).first()
    # A county's first copy continues the numbering of the shared version it was made from.
    base = current or (versions.filter(region__isnull=True).first() if region else None)
    if base is not None and base.definition == definition:
        return base
    version = (base.version + 1) if base else 1
    definition = {**definition, "version": version}
    RuleSet.objects.filter(code=code, region=region).update(is_active=False)
    ruleset = RuleSet.objects.create(code=code, version=version, name=compiled_rules.name, region=region,
                                     description=definition.get("description", ""), definition=definition,
                                     created_by=user if user is not None and user.pk else None)
    before = None
    if base is not None:
        before = {"version": base.version, "definition": base.definition,
                  "region": base.region.code if base.region_id else None}
    record_change(actor=user, obj=ruleset, action=ChangeRecord.Action.CREATE, before=before,
                  after={"version": version, "definition": definition, "region": region.code if region else None},
                  note=_("保存认定规则") if current is not None or base is None else _("保存为本地区的认定规则副本"))
    return ruleset


def ensure_shipped(user=None) -> list[RuleSet]:
    """Load the shipped rule sets (hitech, tech_sme, the 金鹰 and 县级研发中心 examples) unless a shared version
    exists already."""
    out = []
    for code in SHIPPED:
        existing = RuleSet.objects.filter(code=code, region__isnull=True).order_by("-version").first()
        out.append(existing or save_ruleset(user=None, definition=engine.load_shipped(code)))
    return out
