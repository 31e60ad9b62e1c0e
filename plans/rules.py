"""Who may report what, and which figures are acceptable: plain functions the services call."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core import roles
from core.models import OrgUnit
from core.periods import Period
from core.scoping import region_prefix

COUNT_UNITS = {"家", "件", "项", "个", "人", "人年", "名", "次", "人次", "台", "套"}
MONEY_UNITS = {"元", "万元", "亿元"}
# Figures are stored with 20 digits, 6 of them after the point (IndicatorValue.value): anything larger cannot
# be saved (the database refuses it) and is a typo in any case.
LARGEST_FIGURE = Decimal("99999999999999.999999")


def unit_word(unit: str) -> str:
    """The counted word of a unit: "件/万人" counts 件."""
    return unit.split("/")[0].strip()


def value_problems(*, unit: str, value: Decimal) -> list[str]:
    """Reasons a figure cannot be right for its unit (empty when it is acceptable)."""
    problems = []
    if abs(value) > LARGEST_FIGURE:
        problems.append(_("数值过大（整数部分最多14位），请检查单位和数字"))
    if unit == "%" and value > 100:
        problems.append(_("百分比不能超过100（填写2.5表示2.5%）"))
    word = unit_word(unit)
    if value < 0 and (word in COUNT_UNITS or unit == "%"):
        problems.append(_("数量不能为负数") if word in COUNT_UNITS else _("百分比不能为负数"))
    if value < 0 and unit in MONEY_UNITS:
        problems.append(_("金额不能为负数"))
    if unit == "名" and (value < 1 or value != value.to_integral_value()):
        problems.append(_("名次应为不小于1的整数"))
    return problems


def place_in_plan(place: OrgUnit, plan_region_code: str) -> bool:
    return place.is_place and place.region.code.startswith(region_prefix(plan_region_code))


def report_refusal(user, indicator, place: OrgUnit, *, town_targets: set[int] | None = None,
                   responsible: set[int] | None = None,
                   decomposed: set[tuple[int, int]] | None = None) -> str | None:
    """Why ``user`` may not report ``indicator`` for ``place``; None when allowed.

    ``town_targets`` (indicators decomposed to the user's town), ``responsible`` (indicators of the
    user's unit) and ``decomposed`` ((indicator id, place id) pairs with a target) are read once per file,
    so an import does not query per row.
    """
    plan = indicator.plan
    if not place_in_plan(place, plan.region.code):
        return _("“%(place)s”不在规划“%(plan)s”的范围内") % {"place": place.name, "plan": plan.name}
    if roles.is_bureau_admin(user):
        if roles.manages_region(user, plan.region.code):
            return None
        return _("不能填报本地区以外的规划")
    if roles.is_unit_reporter(user):
        if responsible is not None:
            allowed = indicator.pk in responsible
        else:
            allowed = bool(user.org_unit_id) and indicator.unit_links.filter(org_unit_id=user.org_unit_id).exists()
        if not allowed:
            return _("本单位不是指标“%(name)s”的责任单位") % {"name": indicator.name}
        # A unit reports the county figure, and a town's only where the indicator is decomposed to it.
        if place.code != plan.region.code:
            if decomposed is not None:
                has_target = (indicator.pk, place.pk) in decomposed
            else:
                has_target = indicator.targets.filter(org_unit_id=place.pk).exists()
            if not has_target:
                return _("指标“%(name)s”未分解到“%(place)s”，不能填报该地区的数据") % {
                    "name": indicator.name, "place": place.name}
        return None
    if roles.is_town_reporter(user):
        if place.pk != user.org_unit_id:
            return _("只能填报本镇街道的数据")
        if town_targets is not None:
            decomposed = indicator.pk in town_targets
        else:
            decomposed = indicator.targets.filter(org_unit_id=place.pk).exists()
        if not decomposed:
            return _("指标“%(name)s”未分解到本镇街道") % {"name": indicator.name}
        return None
    return _("当前角色不能填报指标数据")


def lock_covers(lock_period: Period, period: Period) -> bool:
    """A lock freezes every period that ends inside it (locking 2023Q2 freezes 2023-05 and 2023H1)."""
    return lock_period.year == period.year and lock_period.start_month <= period.end_month <= lock_period.end_month


def can_view_place(user, plan, place: OrgUnit) -> bool:
    """Region readers see every place of their region; a town sees itself and its county; a unit its county."""
    if not place_in_plan(place, plan.region.code):
        return False
    if roles.is_sysadmin(user):
        return True
    if roles.reads_region(user):
        return place.region.code.startswith(user.scope_prefix) or plan.region.code.startswith(user.scope_prefix)
    if place.code == plan.region.code:
        return roles.is_reporter(user)
    return roles.is_town_reporter(user) and place.pk == user.org_unit_id
