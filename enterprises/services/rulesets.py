"""Rule sets are data: saving one validates it by compiling it, and a change is a new version."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change
from core.errors import BusinessError, NotAllowed
from core.models import ChangeRecord
from enterprises import engine
from enterprises.models import RuleSet

SHIPPED = ["hitech", "tech_sme", "golden_eagle"]
_compiled: dict[tuple[str, int], "engine.CompiledRuleSet"] = {}


def compiled(ruleset: RuleSet) -> "engine.CompiledRuleSet":
    key = (ruleset.code, ruleset.version)
    if key not in _compiled:
        _compiled[key] = engine.compile_ruleset(ruleset.definition)
    return _compiled[key]


def active(code: str) -> RuleSet:
    found = RuleSet.objects.filter(code=code, is_active=True).order_by("-version").first()
    if found is None:
        raise BusinessError(_("未知的认定规则“%(code)s”") % {"code": code}, field="ruleset")
    return found


@transaction.atomic
def save_ruleset(*, user, definition: dict) -> RuleSet:
    """Validate and store a rule set as the next version of its code (the first version if new)."""
    if user is not None and not user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以修改认定规则"))
    try:
        compiled_rules = engine.compile_ruleset(definition)
    except engine.RuleSetError as exc:
        raise BusinessError(str(exc), field="definition") from exc
    code = compiled_rules.code
    current = RuleSet.objects.select_for_update().filter(code=code).order_by("-version").first()
    if current is not None and current.definition == definition:
        return current
    version = (current.version + 1) if current else 1
    definition = {**definition, "version": version}
    RuleSet.objects.filter(code=code).update(is_active=False)
    ruleset = RuleSet.objects.create(code=code, version=version, name=compiled_rules.name,
                                     description=definition.get("description", ""), definition=definition,
                                     created_by=user if user is not None and user.pk else None)
    record_change(actor=user, obj=ruleset, action=ChangeRecord.Action.CREATE,
                  before={"version": current.version, "definition": current.definition} if current else None,
                  after={"version": version, "definition": definition}, note=_("保存认定规则"))
    return ruleset


def ensure_shipped(user=None) -> list[RuleSet]:
    """Load the shipped rule sets (hitech, tech_sme, the 金鹰 example) unless a version exists already."""
    out = []
    for code in SHIPPED:
        existing = RuleSet.objects.filter(code=code).order_by("-version").first()
        out.append(existing or save_ruleset(user=None, definition=engine.load_shipped(code)))
    return out
