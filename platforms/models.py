"""Innovation platforms (创新平台): the registry with level history and cultivation-pool periods, incubators'
own counts and the recognition thresholds kept as data, the annual performance tables (一院一表) with their
templates and official results, and shared instruments with their bookings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import OrgUnit, Region
from core.scoping import RestrictedQuerySet
from core.url_converters import code_validator


class Kind(models.TextChoices):
    NRI = "nri", _("新型研发机构")
    KEY_LAB = "key_lab", _("重点实验室")
    ENT_INSTITUTE = "ent_institute", _("企业研究院")
    ENT_CENTRE = "ent_centre", _("企业研发中心")
    INCUBATOR = "incubator", _("孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    STAR_SPACE = "star_space", _("星创天地")
    SERVICE_COMPLEX = "service_complex", _("产业创新服务综合体")
    PILOT_BASE = "pilot_base", _("中试基地")
    ACADEMICIAN = "academician", _("院士工作站")
    ENCLAVE = "enclave", _("飞地")


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE_KEY = "province_key", _("省重点")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    NONE = "none", _("未定级")


# The kinds an enterprise holds as its own R&D institution (研发机构设置率 counts their operators).
ENTERPRISE_RD_KINDS = (Kind.ENT_INSTITUTE, Kind.ENT_CENTRE, Kind.KEY_LAB, Kind.ACADEMICIAN)


class Status(models.TextChoices):
    ACTIVE = "active", _("运行中")
    BUILDING = "building", _("建设中")
    REVOKED = "revoked", _("已撤销")


class PlatformQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.is_outsider(user):
            # An institution or enterprise reaches the platforms it operates — by its account, or for a firm by
            # its credit code — and changes none through the registry.
            if action != "view" or not user.org_unit_id or roles.is_expert(user):
                return self.none()
            from enterprises.models import Enterprise

            firms = Enterprise.objects.filter(org_unit_id=user.org_unit_id).values("uscc")
            return self.filter(models.Q(operator_unit_id=user.org_unit_id) | models.Q(operator_uscc__in=firms))
        if not roles.region_access(user, action):
            return self.none()
        return self.filter(region__code__startswith=user.scope_prefix)


class Platform(models.Model):
    code = models.CharField(_("平台编号"), max_length=20, unique=True, validators=[code_validator()])
    name = models.CharField(_("平台名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.NONE,
                             help_text=_("现行级别；历次级别见级别记录"))
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(OrgUnit, verbose_name=_("所在镇街道"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", limit_choices_to={"kind__in": ("town", "park")})
    recognised_by = models.CharField(_("认定单位"), max_length=100, blank=True)
    document_no = models.CharField(_("认定文号"), max_length=100, blank=True)
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True)
    review_on = models.DateField(_("复核日期"), null=True, blank=True)
    operator_name = models.CharField(_("运营主体"), max_length=200, blank=True)
    operator_uscc = models.CharField(_("运营主体统一社会信用代码"), max_length=18, blank=True, db_index=True)
    operator_unit = models.ForeignKey(OrgUnit, verbose_name=_("运营单位账号"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="operated_platforms",
                                      limit_choices_to={"kind__in": ("institution", "enterprise")})
    co_builders = models.CharField(_("共建单位"), max_length=300, blank=True, help_text=_("多个以“、”分隔"))
    fields = models.CharField(_("领域"), max_length=200, blank=True, help_text=_("多个以“、”分隔"))
    area = models.DecimalField(_("面积(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    shares_instruments = models.BooleanField(_("须共享大型仪器"), default=False,
                                             help_text=_("纳入大仪大器共享考核的平台"))
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("创新平台")
        verbose_name_plural = _("创新平台")
        ordering = ["region__code", "kind", "code"]
        indexes = [models.Index(fields=["kind", "level"]), models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name


class PlatformPartQuerySet(RestrictedQuerySet):
    """Records of a platform: reached as the platform is."""

    def scope(self, user, action):
        return self.filter(platform__in=Platform.objects.restrict(user, action).values("pk"))


class PlatformLevel(models.Model):
    """One period at one level: a 市级 centre that becomes 省级 keeps both periods."""

    platform = models.ForeignKey(Platform, verbose_name=_("平台"), on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    recognised_by = models.CharField(_("认定单位"), max_length=100, blank=True)
    document_no = models.CharField(_("认定文号"), max_length=100, blank=True)

    objects = PlatformPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("平台级别记录")
        verbose_name_plural = _("平台级别记录")
        ordering = ["platform", "starts_on"]

    def __str__(self) -> str:
        return f"{self.platform} {self.get_level_display()} {self.starts_on}"


class PoolPeriod(models.Model):
    """A stay in the cultivation pool (培育库): entered and left on dates, each with its reason."""

    platform = models.ForeignKey(Platform, verbose_name=_("平台"), on_delete=models.CASCADE,
                                 related_name="pool_periods")
    entered_on = models.DateField(_("入库日期"))
    entry_reason = models.CharField(_("入库理由"), max_length=300)
    left_on = models.DateField(_("出库日期"), null=True, blank=True)
    exit_reason = models.CharField(_("出库理由"), max_length=300, blank=True)

    objects = PlatformPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("培育库期间")
        verbose_name_plural = _("培育库期间")
        ordering = ["platform", "entered_on"]
        constraints = [models.UniqueConstraint(fields=["platform"], condition=models.Q(left_on__isnull=True),
                                               name="platform_one_open_pool_period")]

    def __str__(self) -> str:
        return f"{self.platform} {self.entered_on}—{self.left_on or ''}"


class IncubatorFigures(models.Model):
    """An incubator's or maker space's own counts for a year."""

    platform = models.ForeignKey(Platform, verbose_name=_("平台"), on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.DecimalField(_("孵化面积(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True)
    incubating = models.PositiveIntegerField(_("在孵企业(家)"), null=True, blank=True)
    graduated = models.PositiveIntegerField(_("累计毕业企业(家)"), null=True, blank=True)
    outside = models.PositiveIntegerField(_("其中域外在孵(家)"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)

    objects = PlatformPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("孵化载体年度数据")
        verbose_name_plural = _("孵化载体年度数据")
        ordering = ["platform", "year"]
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="incubator_figures_unique")]

    def __str__(self) -> str:
        return f"{self.platform} {self.year}"


class RegionOrShared(RestrictedQuerySet):
    """Data a bureau keeps: shared ones (no region, the system admin's) read by all bureaus, a region's own by it."""

    def scope(self, user, action):
        if not roles.region_access(user, action):
            return self.none()
        mine = models.Q(region__code__startswith=user.scope_prefix)
        if action == "view":
            return self.filter(mine | models.Q(region__isnull=True))
        return self.filter(mine)


class IncubatorThreshold(models.Model):
    """A recognition threshold for incubators (e.g. the national 2018 measures), kept and edited as data."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.INCUBATOR)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.NATIONAL)
    region = models.ForeignKey(Region, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("不填为通用"))
    min_area = models.DecimalField(_("孵化面积不少于(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True)
    min_incubating = models.PositiveIntegerField(_("在孵企业不少于(家)"), null=True, blank=True)
    min_graduated = models.PositiveIntegerField(_("累计毕业企业不少于(家)"), null=True, blank=True)
    is_example = models.BooleanField(_("示例（请按现行文件核对）"), default=False)
    source = models.CharField(_("依据"), max_length=300, blank=True)

    objects = RegionOrShared.as_manager()

    class Meta:
        verbose_name = _("孵化载体认定条件")
        verbose_name_plural = _("孵化载体认定条件")
        ordering = ["kind", "level", "name"]

    def __str__(self) -> str:
        return self.name


class PerformanceTemplate(models.Model):
    """一院一表: the indicators, weights and scoring rules of a kind's table for a year, as data.

    ``indicators``: [{"code", "name", "unit", "direction": "higher"|"lower", "weight", "rule": {...}}] — the
    rules are those of ``platforms.performance``. Once a table uses it, a template is frozen: a change is saved
    as a new version.
    """

    kind = models.CharField(_("平台类型"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("适用年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    indicators = models.JSONField(_("指标"), default=list)
    grades = models.JSONField(_("等次线"), default=dict, help_text=_("如 {\"优秀\": 90, \"良好\": 70, \"合格\": 60}"))
    is_example = models.BooleanField(_("示例（请按本地办法调整）"), default=False)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RegionOrShared.as_manager()

    class Meta:
        verbose_name = _("绩效评价模板")
        verbose_name_plural = _("绩效评价模板")
        ordering = ["kind", "-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "kind", "year", "version"],
                                               name="performance_template_version_unique")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def frozen(self) -> bool:
        return self.tables.exists()


class TableStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")


class PerformanceTable(models.Model):
    """A platform's table for a year: the values it reported, and once scored, the official result."""

    platform = models.ForeignKey(Platform, verbose_name=_("平台"), on_delete=models.CASCADE, related_name="tables")
    year = models.PositiveSmallIntegerField(_("年度"))
    template = models.ForeignKey(PerformanceTemplate, verbose_name=_("模板"), on_delete=models.PROTECT,
                                 related_name="tables")
    values = models.JSONField(_("填报数值"), default=dict)  # indicator code → number as text
    expert_scores = models.JSONField(_("专家评分"), default=dict)  # qualitative indicator code → 0–100
    status = models.CharField(_("状态"), max_length=10, choices=TableStatus.choices, default=TableStatus.DRAFT)
    opinion = models.CharField(_("审核意见"), max_length=500, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=4, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    rank_change = models.IntegerField(_("排名变化"), null=True, blank=True)
    contributions = models.JSONField(_("各指标得分"), default=dict)
    scored_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PlatformPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("绩效评价表")
        verbose_name_plural = _("绩效评价表")
        ordering = ["platform", "-year"]
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="performance_table_unique")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.platform} {self.year}年度绩效评价表"


def evidence_path(instance, filename: str) -> str:
    return f"platforms/evidence/{instance.table_id}/{filename}"


class TableEvidence(models.Model):
    table = models.ForeignKey(PerformanceTable, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.CharField(_("指标"), max_length=40, blank=True)
    file = models.FileField(_("佐证材料"), upload_to=evidence_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at"]


class Instrument(models.Model):
    platform = models.ForeignKey(Platform, verbose_name=_("所属平台"), on_delete=models.CASCADE,
                                 related_name="instruments")
    name = models.CharField(_("仪器名称"), max_length=200)
    model_no = models.CharField(_("型号"), max_length=100, blank=True)
    value = models.DecimalField(_("原值(万元)"), max_digits=12, decimal_places=2)
    shared = models.BooleanField(_("已入共享网"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = PlatformPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("大型仪器")
        verbose_name_plural = _("大型仪器")
        ordering = ["platform", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.platform}）"


class InstrumentPartQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        return self.filter(instrument__platform__in=Platform.objects.restrict(user, action).values("pk"))


class Booking(models.Model):
    """A booking of an instrument and, once served, its service record (hours, fee)."""

    class State(models.TextChoices):
        BOOKED = "booked", _("已预约")
        SERVED = "served", _("已服务")
        CANCELLED = "cancelled", _("已取消")

    instrument = models.ForeignKey(Instrument, verbose_name=_("仪器"), on_delete=models.CASCADE,
                                   related_name="bookings")
    user_name = models.CharField(_("使用单位"), max_length=200)
    user_uscc = models.CharField(_("使用单位统一社会信用代码"), max_length=18, blank=True)
    used_on = models.DateField(_("使用日期"))
    hours = models.DecimalField(_("机时(小时)"), max_digits=8, decimal_places=1, default=0)
    fee = models.DecimalField(_("收费(元)"), max_digits=12, decimal_places=2, default=0)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.BOOKED)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = InstrumentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("仪器预约与服务")
        verbose_name_plural = _("仪器预约与服务")
        ordering = ["-used_on"]
        indexes = [models.Index(fields=["used_on", "state"])]

    def __str__(self) -> str:
        return f"{self.instrument.name} {self.user_name} {self.used_on}"
