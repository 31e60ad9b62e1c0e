import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import Job, OrgUnit, Region
from core.scoping import RestrictedQuerySet

# Qualification types and how long a certificate runs when the file gives no expiry (None: no expiry).
QUALIFICATION_YEARS: dict[str, int | None] = {
    "高新技术企业": 3,
    "科技型中小企业": 1,
    "省科技小巨人企业": 3,
    "科技领军企业": 3,
    "专精特新“小巨人”": 3,
    "省级专精特新中小企业": 3,
    "省重点企业研究院": None,
    "省级企业研究院": None,
    "省级企业研发中心": None,
    "市级企业研发中心": None,
    "县级研发中心": None,
}
QUALIFICATION_CHOICES = [(t, t) for t in QUALIFICATION_YEARS]
# The ladder (梯队) from the plan: 科技型中小企业 → 高新技术企业 → 科技小巨人 → 科技领军.
LADDER = ["科技型中小企业", "高新技术企业", "省科技小巨人企业", "科技领军企业"]


def default_expiry(kind: str, issued: datetime.date) -> datetime.date | None:
    years = QUALIFICATION_YEARS.get(kind)
    if years is None:
        return None
    try:
        end = issued.replace(year=issued.year + years)
    except ValueError:  # 29 February: the anniversary is 1 March, so the last valid day is 28 February
        end = datetime.date(issued.year + years, 3, 1)
    return end - datetime.timedelta(days=1)


class EnterpriseQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.is_enterprise(user):
            return self.filter(org_unit_id=user.org_unit_id) if user.org_unit_id else self.none()
        if roles.reads_region(user):
            if not roles.region_access(user, action):
                return self.none()
            return self.filter(region__code__startswith=user.scope_prefix)
        return self.none()


class Enterprise(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT,
                               related_name="enterprises")
    established = models.DateField(_("成立日期"), null=True, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    park = models.ForeignKey(OrgUnit, verbose_name=_("所在园区"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="park_enterprises", limit_choices_to={"kind": "park"})
    tags = models.JSONField(_("标签"), default=list, blank=True)
    org_unit = models.OneToOneField(OrgUnit, verbose_name=_("企业账号单位"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="enterprise")
    is_demo = models.BooleanField(_("演示数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["region", "name"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class EnterpriseYear(models.Model):
    """One fiscal year of an enterprise's figures (万元 for money); blank means not reported."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = models.DecimalField(_("营业收入(万元)"), max_digits=16, decimal_places=2, null=True, blank=True)
    total_cost = models.DecimalField(_("成本费用总额(万元)"), max_digits=16, decimal_places=2, null=True, blank=True)
    rd_expense = models.DecimalField(_("研发费用(万元)"), max_digits=16, decimal_places=2, null=True, blank=True)
    domestic_rd = models.DecimalField(_("境内研发费用(万元)"), max_digits=16, decimal_places=2, null=True,
                                      blank=True)
    hitech_revenue = models.DecimalField(_("高新技术产品收入(万元)"), max_digits=16, decimal_places=2, null=True,
                                         blank=True)
    total_assets = models.DecimalField(_("资产总额(万元)"), max_digits=16, decimal_places=2, null=True, blank=True)
    total_liabilities = models.DecimalField(_("负债总额(万元)"), max_digits=16, decimal_places=2, null=True,
                                            blank=True)
    staff = models.PositiveIntegerField(_("职工总数"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("科技人员数"), null=True, blank=True)
    ip1 = models.PositiveIntegerField(_("Ⅰ类知识产权数"), null=True, blank=True)
    ip2 = models.PositiveIntegerField(_("Ⅱ类知识产权数"), null=True, blank=True)
    above_scale = models.BooleanField(_("是否规上"), null=True, blank=True)
    # What the county R&D-centre rule (county_rd_centre) reads besides the R&D expense.
    rd_staff = models.PositiveIntegerField(_("研发人员数"), null=True, blank=True)
    rd_area = models.DecimalField(_("研发场地面积(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_year_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class QualificationQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        # A certificate is seen and changed by whoever sees and changes its enterprise.
        return self.filter(enterprise__in=Enterprise.objects.restrict(user, action))


class Qualification(models.Model):
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="qualifications")
    type = models.CharField(_("资质类型"), max_length=30, choices=QUALIFICATION_CHOICES)
    number = models.CharField(_("证书编号"), max_length=60)
    issued = models.DateField(_("发证日期"))
    expires = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空则按资质类型的有效年限计算"))

    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["enterprise", "issued"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "type", "number"], name="qualification_unique")]
        indexes = [models.Index(fields=["type", "expires"])]

    def __str__(self) -> str:
        return f"{self.type} {self.number}"

    def valid_on(self, day: datetime.date) -> bool:
        return self.issued <= day and (self.expires is None or day <= self.expires)


class RuleSet(models.Model):
    """A qualification rule set as data (see enterprises.engine); each change is a new version.

    ``region`` null: shared by every county (the shipped ones, edited by the system admin). A county bureau's
    edit is its own copy (region set), with its own versions; screening a region uses the nearest copy.
    """

    code = models.CharField(_("编码"), max_length=40)
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("空：各地共用"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    definition = models.JSONField(_("规则定义"))
    is_active = models.BooleanField(_("当前版本"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("认定规则")
        verbose_name_plural = _("认定规则")
        ordering = ["code", "-version"]
        constraints = [
            # NULL never equals NULL in a unique index, so the shared rule sets get a constraint of their own.
            models.UniqueConstraint(fields=["code", "version"], condition=models.Q(region__isnull=True),
                                    name="ruleset_shared_version_unique"),
            models.UniqueConstraint(fields=["region", "code", "version"], condition=models.Q(region__isnull=False),
                                    name="ruleset_region_version_unique"),
        ]

    def __str__(self) -> str:
        if self.region_id:
            return f"{self.name}（{self.region.name}，第{self.version}版）"
        return f"{self.name}（第{self.version}版）"


class Screening(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="screenings")
    date = models.DateField(_("评测日期"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="screening")
    total = models.PositiveIntegerField(_("企业数"), default=0)
    eligible = models.PositiveIntegerField(_("达标数"), default=0)
    incomplete = models.PositiveIntegerField(_("资料不全数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("批量评测")
        verbose_name_plural = _("批量评测")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ruleset} {self.date}"


class ScreeningResult(models.Model):
    """One enterprise's assessment in a screening; criteria kept compactly as lists (see services.screening)."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="screening_results")
    status = models.CharField(_("结果"), max_length=14)
    eligible = models.BooleanField(null=True)
    direct = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    failed = models.PositiveSmallIntegerField(default=0)
    criteria = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["screening", "enterprise"], name="screening_result_unique")]
        indexes = [models.Index(fields=["screening", "status"]), models.Index(fields=["enterprise", "screening"])]


class Pool(models.Model):
    """A cultivation pool (培育库) filled from screenings by its own rule, plus manual additions."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("入库规则说明"), blank=True)
    rule = models.JSONField(_("入库规则"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("培育库")
        verbose_name_plural = _("培育库")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="pool_memberships")
    entered_on = models.DateField(_("入库日期"))
    exited_on = models.DateField(_("出库日期"), null=True, blank=True)
    reason = models.TextField(_("入库原因"))
    exit_reason = models.TextField(_("出库原因"), blank=True)
    source = models.CharField(_("来源"), max_length=10, default="screening")  # screening | manual
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("入库企业")
        verbose_name_plural = _("入库企业")
        ordering = ["pool", "-entered_on"]
        indexes = [models.Index(fields=["pool", "exited_on"]), models.Index(fields=["enterprise", "exited_on"])]
