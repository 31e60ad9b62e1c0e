from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import OrgUnit, Region
from core.scoping import RestrictedQuerySet, region_prefix


class PlanQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        region = user.scope_region
        # Enterprises, institutions and reviewers work on their own records, not on the bureau's plans.
        if region is None or not (roles.reads_region(user) or roles.is_reporter(user)):
            return self.none()
        if action != "view":
            if not roles.is_bureau_admin(user):
                return self.none()
            return self.filter(region__code__startswith=region.prefix)
        # A town sees the plan of the county it belongs to; a county sees the plans inside it.
        ancestors = [region.code]
        node = region
        while node.parent_id:
            node = node.parent
            ancestors.append(node.code)
        return self.filter(Q(region__code__startswith=region.prefix) | Q(region__code__in=ancestors))


class Plan(models.Model):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="plans")
    issuer = models.CharField(_("印发单位"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("起始年度"))
    end_year = models.PositiveSmallIntegerField(_("截止年度"))
    goals_text = models.TextField(_("发展目标"), blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    green_threshold = models.DecimalField(_("绿灯阈值"), max_digits=6, decimal_places=4, default=Decimal("1"),
                                          help_text=_("完成率不低于此值为绿灯，1 表示 100%"))
    yellow_threshold = models.DecimalField(_("黄灯阈值"), max_digits=6, decimal_places=4,
                                           default=Decimal("0.9"))
    report_deadline_days = models.PositiveSmallIntegerField(_("填报期限（期末后天数）"), default=10)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        ordering = ["region__code", "-start_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"),
            models.CheckConstraint(condition=Q(yellow_threshold__lte=models.F("green_threshold")),
                                   name="plan_thresholds_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_prefix(self) -> str:
        return region_prefix(self.region.code)

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class ActionQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        return self.filter(plan__in=Plan.objects.restrict(user, action))


class Action(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("行动"), max_length=200)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行动")
        verbose_name_plural = _("行动")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="action_number_unique")]

    def __str__(self) -> str:
        return self.title


class ActionTask(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    units = models.ManyToManyField(OrgUnit, through="ActionTaskUnit", related_name="action_tasks")

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["action", "number"]

    def __str__(self) -> str:
        return self.title

    @property
    def ordered_units(self) -> list[OrgUnit]:
        return [link.org_unit for link in self.unit_links.all()]


class ActionTaskUnit(models.Model):
    """A responsible unit of a task; position 0 is the lead (列第一位的为牵头)."""

    task = models.ForeignKey(ActionTask, on_delete=models.CASCADE, related_name="unit_links")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "org_unit"], name="task_unit_unique")]


class IndicatorKind(models.TextChoices):
    CUMULATIVE = "cumulative", _("累计值（年内逐月累计）")
    STOCK = "stock", _("存量（时点数）")
    RATE = "rate", _("比率或密度")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Frequency(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Basis(models.TextChoices):
    # Stored as "" for "not stated" so that the unique constraints hold on every database.
    NONE = "", _("—")
    NEW = "new", _("新增")
    TOTAL = "total", _("累计")


class CommonIndicatorQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        # The catalogue is shared by every county it compares: bureaus and leaders read it, and only the
        # system admin changes it, so no county can redefine what another county is measured by.
        if action == "view" and roles.reads_region(user):
            return self
        return self.none()


class CommonIndicator(models.Model):
    """An indicator several plans share under their own names (规上工业研发费用占营业收入比重 …), so a city
    or the province can rank its counties on it."""

    code = models.CharField(_("编码"), max_length=40, unique=True,
                            validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("编码只能由字母、数字、-和_组成"))])
    name = models.CharField(_("通用名称"), max_length=200, unique=True)
    unit = models.CharField(_("单位"), max_length=20)
    kind = models.CharField(_("类型"), max_length=12, choices=IndicatorKind.choices)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    basis = models.CharField(_("口径"), max_length=8, choices=Basis.choices, blank=True, default="",
                             help_text=_("按“新增”或“累计”比较时填写；各县的同口径数据才参与排名"))
    note = models.TextField(_("说明"), blank=True)

    objects = CommonIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("通用指标")
        verbose_name_plural = _("通用指标目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        plans = Plan.objects.restrict(user, action)
        return self.filter(plan__in=plans)


class Indicator(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("编码"), max_length=40)
    seq = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("指标"), max_length=200)
    printed_name = models.CharField(_("原表名称"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=20)
    kind = models.CharField(_("类型"), max_length=12, choices=IndicatorKind.choices)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(_("填报频度"), max_length=8, choices=Frequency.choices,
                                 default=Frequency.QUARTER)
    responsible_units = models.ManyToManyField(OrgUnit, through="IndicatorResponsibility",
                                               verbose_name=_("责任单位"), related_name="indicators")
    note = models.TextField(_("说明"), blank=True)
    formula = models.CharField(_("计算公式"), max_length=200, blank=True,
                               help_text=_("用本规划其他指标的编码、数字、+ - × ÷ 和括号写成，如“研发费用的编码 ÷ 营业收入的编码 × 100”；留空表示直接填报"))
    needs_review = models.BooleanField(_("待补全"), default=False,
                                       help_text=_("导入时无法从表格判断类型或单位，需管理员确认"))
    # PROTECT: unlinking an indicator is an edit of the indicator (with its history), never a side effect.
    common = models.ForeignKey(CommonIndicator, verbose_name=_("通用指标"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="indicators")

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "seq", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def ordered_units(self) -> list[OrgUnit]:
        return [link.org_unit for link in self.unit_links.all()]


class IndicatorResponsibility(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="unit_links")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "position"]
        constraints = [models.UniqueConstraint(fields=["indicator", "org_unit"], name="indicator_unit_unique")]


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="targets")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("期间"), max_length=8)
    period_end = models.PositiveIntegerField(_("期末（年月）"), db_index=True)
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=6, null=True, blank=True)
    basis = models.CharField(_("口径"), max_length=8, choices=Basis.choices, blank=True, default="")
    text = models.CharField(_("原文"), max_length=100, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator", "org_unit", "period_end", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.text or self.value}"


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class IndicatorValueQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.reads_region(user):
            if not roles.region_access(user, action):
                return self.none()
            return self.filter(indicator__plan__region__code__startswith=user.scope_prefix)
        if roles.is_town_reporter(user):
            return self.filter(place_id=user.org_unit_id)
        if roles.is_unit_reporter(user):
            return self.filter(indicator__unit_links__org_unit_id=user.org_unit_id).distinct()
        return self.none()

    def approved(self):
        return self.filter(approved_value__isnull=False)


class IndicatorValue(models.Model):
    """The reported figure of one indicator for one place and period.

    One row per (indicator, place, period, basis); a new report is a new revision of the same row, the old
    one stays in the change history. ``approved_value`` is what progress counts: a revision under review
    does not blank out the figure approved before it.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="values")
    place = models.ForeignKey(OrgUnit, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("期间"), max_length=8)
    period_end = models.PositiveIntegerField(_("期末（年月）"))
    basis = models.CharField(_("口径"), max_length=8, choices=Basis.choices, blank=True, default="")
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=6)
    status = models.CharField(_("状态"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.DRAFT)
    approved_value = models.DecimalField(_("已审核数值"), max_digits=20, decimal_places=6, null=True,
                                         blank=True)
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reporter_unit = models.ForeignKey(OrgUnit, verbose_name=_("填报单位"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_opinion = models.TextField(_("审核意见"), blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        ordering = ["indicator", "place", "period_end", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "place", "period", "basis"], name="value_unique"),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_end"], name="value_indicator_period"),
            models.Index(fields=["place", "period_end"], name="value_place_period"),
            models.Index(fields=["status"], name="value_status"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.place.name} {self.period}"


class PeriodLock(models.Model):
    """A period whose approved figures are frozen; only a bureau admin locks or reopens, giving a reason."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="locks")
    period = models.CharField(_("期间"), max_length=8)
    locked = models.BooleanField(_("已锁定"), default=True)
    reason = models.TextField(_("原因"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("操作时间"), auto_now=True)

    class Meta:
        verbose_name = _("期间锁定")
        verbose_name_plural = _("期间锁定")
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="lock_unique")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period}"


class IndicatorFeed(models.Model):
    """An indicator's 口径 fed by a source the platform holds (core.feeds), set in the indicator's settings."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="feeds")
    basis = models.CharField(_("口径"), max_length=8, choices=Basis.choices, blank=True, default="")
    source = models.CharField(_("数据来源"), max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标数据来源")
        verbose_name_plural = _("指标数据来源")
        ordering = ["indicator", "basis"]
        constraints = [models.UniqueConstraint(fields=["indicator", "basis"], name="indicator_feed_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_basis_display()} ← {self.source}"


class FeedConflict(models.Model):
    """A fed figure that differs from a figure of another source: nothing is written until the bureau picks."""

    class Decision(models.TextChoices):
        OPEN = "open", _("待选择")
        KEPT = "kept", _("保留原数据")
        FED = "fed", _("采用汇总数据")

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="feed_conflicts")
    place = models.ForeignKey(OrgUnit, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("期间"), max_length=8)
    basis = models.CharField(_("口径"), max_length=8, choices=Basis.choices, blank=True, default="")
    source = models.CharField(_("数据来源"), max_length=40)
    fed_value = models.DecimalField(_("汇总数据"), max_digits=20, decimal_places=6)
    existing = models.ForeignKey(IndicatorValue, verbose_name=_("原数据"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    existing_value = models.DecimalField(_("原数据数值"), max_digits=20, decimal_places=6)
    existing_period = models.CharField(_("原数据期间"), max_length=8)
    existing_basis = models.CharField(_("原数据口径"), max_length=8, choices=Basis.choices, blank=True, default="")
    existing_source = models.CharField(_("原数据来源"), max_length=300)
    decision = models.CharField(_("处理结果"), max_length=8, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("汇总数据冲突")
        verbose_name_plural = _("汇总数据冲突")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "place", "period", "basis"],
                                    condition=models.Q(decision="open"), name="feed_conflict_open_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.get_basis_display()}"
