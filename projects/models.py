"""科技计划项目: calls (申报指南) with their tier, budget, quota, window, scoring sheet and tranche plan; projects
from application to 结题 (one record throughout), their files and their tranches. Amounts are 元 (Decimal)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import Region
from core.models_notice import RegionScoped
from core.scoping import ApplicantScoped, RestrictedQuerySet, governing_codes
from core.url_converters import code_validator


class Tier(models.TextChoices):
    PROVINCIAL = "provincial", _("省“尖兵”“领雁”")
    MAJOR = "major", _("重大")
    KEY = "key", _("重点")
    GENERAL = "general", _("一般")
    FILING = "filing", _("备案（认定即立项）")


class CallQuerySet(RegionScoped):
    def scope(self, user, action):
        if roles.is_enterprise(user):
            # A firm applies to the calls its county, city and province publish.
            if action != "view" or user.org_unit is None:
                return self.none()
            return self.filter(region__code__in=governing_codes(user.org_unit.region.code))
        return super().scope(user, action)


class Call(models.Model):
    """A 申报指南: what may be applied for, how much there is, until when, and how it is paid."""

    code = models.CharField(_("指南编号"), max_length=30, unique=True, validators=[code_validator()])
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    tier = models.CharField(_("项目类别"), max_length=12, choices=Tier.choices)
    title = models.CharField(_("指南名称"), max_length=200)
    budget = models.DecimalField(_("预算(元)"), max_digits=14, decimal_places=2)
    quota = models.PositiveIntegerField(_("立项名额"), default=0, help_text=_("0 为不限"))
    opens_on = models.DateField(_("申报开始"))
    closes_on = models.DateField(_("申报截止"))
    sheet = models.ForeignKey("core.ScoringSheet", verbose_name=_("评分表"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", help_text=_("备案类无需专家评审"))
    tranches = models.JSONField(_("拨付安排"), default=list, blank=True,
                                help_text=_("每期含 name、share（比例）、on（contract 签约 / accepted 验收 / "
                                            "approved 立项）；比例合计为1"))
    midterm = models.BooleanField(_("须中期检查"), default=False)
    filing_qualifications = models.CharField(_("认定即立项的资质"), max_length=200, blank=True,
                                             help_text=_("备案类：持有其一即可直接立项，以“、”分隔"))
    filing_amount = models.DecimalField(_("备案后补助(元)"), max_digits=14, decimal_places=2, null=True,
                                        blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("申报指南")
        verbose_name_plural = _("科技计划申报指南")
        ordering = ["region__code", "-year", "tier", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="project_call_window_order",
                violation_error_message=_("申报截止不能早于申报开始")),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="project_call_budget",
                violation_error_message=_("预算不能为负数")),
        ]

    def __str__(self) -> str:
        return self.title

    def qualifications(self) -> list[str]:
        return [t.strip() for t in self.filing_qualifications.replace(",", "、").split("、") if t.strip()]


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待形式审查")
    RETURNED = "returned", _("退回补正")
    QUALIFIED = "qualified", _("形式审查通过")
    REVIEWING = "reviewing", _("专家评审中")
    REVIEWED = "reviewed", _("评审完成")
    PUBLICISED = "publicised", _("拟立项公示")
    NOT_APPROVED = "not_approved", _("未立项")
    APPROVED = "approved", _("已立项")
    EXECUTING = "executing", _("执行中")
    CHECKED = "checked", _("中期检查通过")
    ACCEPTING = "accepting", _("验收中")
    RECTIFYING = "rectifying", _("整改中")
    ACCEPTED = "accepted", _("验收通过")
    FAILED = "failed", _("验收不通过")
    CLOSED = "closed", _("已结题")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销")


APPLYING = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.QUALIFIED, Status.REVIEWING, Status.REVIEWED,
            Status.PUBLICISED, Status.NOT_APPROVED)
# Counted as 立项 in a year's figures: decided and not revoked.
ESTABLISHED = (Status.APPROVED, Status.EXECUTING, Status.CHECKED, Status.ACCEPTING, Status.RECTIFYING,
               Status.ACCEPTED, Status.FAILED, Status.CLOSED, Status.TERMINATED)


class ProjectQuerySet(ApplicantScoped):
    editable = (Status.DRAFT, Status.RETURNED)

    def others(self, user, action):
        if not roles.is_expert(user) or action != "view":
            return self.none()
        # An expert reaches the applications assigned to them, nothing else.
        from core.models_review import ReviewSubject

        ids = (ReviewSubject.objects.filter(assignments__expert__user=user, content_type__app_label="projects")
               .values_list("object_id", flat=True))
        return self.filter(pk__in=[int(i) for i in ids])


class Project(models.Model):
    """One project from its application to its 结题: what is applied for, decided, contracted and accepted."""

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    call = models.ForeignKey(Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("年度"))
    tier = models.CharField(_("项目类别"), max_length=12, choices=Tier.choices)
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("承担企业"), on_delete=models.PROTECT,
                                   related_name="plan_projects")
    title = models.CharField(_("项目名称"), max_length=200)
    field = models.CharField(_("技术领域"), max_length=50, blank=True)
    starts_on = models.DateField(_("实施开始"))
    ends_on = models.DateField(_("实施结束"))
    requested = models.DecimalField(_("申请补助(元)"), max_digits=14, decimal_places=2)
    own_funds = models.DecimalField(_("自筹资金(元)"), max_digits=14, decimal_places=2, default=0)
    kpis = models.JSONField(_("绩效指标"), default=list, blank=True, help_text=_("每项含 indicator、unit、target"))
    budget_lines = models.JSONField(_("经费预算"), default=list, blank=True, help_text=_("每项含 item、amount（元）"))
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    review_score = models.DecimalField(_("评审得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_round = models.ForeignKey("core.ReviewRound", verbose_name=_("评审轮次"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    notice = models.ForeignKey("core.PublicNotice", verbose_name=_("拟立项公示"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    approved_amount = models.DecimalField(_("立项补助(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    approved_on = models.DateField(_("立项日期"), null=True, blank=True)
    contract_no = models.CharField(_("合同编号"), max_length=50, blank=True)
    contract_on = models.DateField(_("合同签订日期"), null=True, blank=True)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    rectify_until = models.DateField(_("整改期限"), null=True, blank=True)
    acceptance = models.CharField(_("验收结论"), max_length=20, blank=True)
    opinion = models.CharField(_("意见"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("科技计划项目")
        verbose_name_plural = _("科技计划项目")
        ordering = ["-year", "tier", "code"]
        indexes = [models.Index(fields=["region", "year", "tier", "status"]), models.Index(fields=["call", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="project_period",
                violation_error_message=_("实施结束不能早于开始")),
            models.CheckConstraint(condition=models.Q(requested__gte=0) & models.Q(own_funds__gte=0),
                                   name="project_amounts",
                violation_error_message=_("申请补助与自筹资金不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def total_cost(self):
        return self.requested + self.own_funds


def project_file_path(instance: ProjectFile, filename: str) -> str:
    return f"projects/{instance.project_id}/{filename}"


class ProjectFile(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=project_file_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]


class TrancheQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        # A tranche is read with its project; it is changed only by the tranche services.
        return self.filter(project__in=Project.objects.restrict(user, "view"))


class Tranche(models.Model):
    """One instalment of a project's approved amount: due on an event the call's plan names, paid into the
    ledger (each tranche its own entry, opened when it falls due)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tranche_rows")
    seq = models.PositiveSmallIntegerField(_("期次"))
    name = models.CharField(_("名称"), max_length=50)
    on = models.CharField(_("拨付时点"), max_length=12)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("应拨日期"), null=True, blank=True)
    paid = models.DecimalField(_("已拨(元)"), max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    fund_entry = models.ForeignKey("core.FundEntry", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = TrancheQuerySet.as_manager()

    class Meta:
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="project_tranche_once",
                violation_error_message=_("该项目已有这一期拨款")),
            models.CheckConstraint(condition=models.Q(paid__gte=0) & models.Q(paid__lte=models.F("amount")),
                                   name="project_tranche_paid_range",
                violation_error_message=_("已拨金额应在0与本期金额之间")),
        ]
