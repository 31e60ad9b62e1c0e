"""Public notice (公示) and funds ledger (资金兑现): the tables every programme shares."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.scoping import RestrictedQuerySet


class RegionScoped(RestrictedQuerySet):
    """Bureau admins change, leaders read, the records of their region."""

    def scope(self, user, action):
        if not roles.region_access(user, action):
            return self.none()
        return self.filter(region__code__startswith=user.scope_prefix)


class PublicNotice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("标题"), max_length=200)
    programme = models.CharField(_("业务"), max_length=40)
    region = models.ForeignKey("core.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("公示说明"), blank=True)
    columns = models.JSONField(_("公示字段"), default=list)  # [[key, 列名], …] of the published items
    starts_on = models.DateField(_("公示开始"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    ends_on = models.DateField(_("公示截止"))
    calendar_known = models.BooleanField(_("按法定节假日计算"), default=True)
    contact = models.CharField(_("受理异议的单位和电话"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeItem(models.Model):
    """One published decision: the record it is about and only the fields chosen for publication."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    published = models.JSONField(_("公示内容"), default=dict)

    class Meta:
        ordering = ["notice", "position", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]


class ObjectionQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        return self.filter(notice__in=PublicNotice.objects.restrict(user, action))


class Objection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议不成立")

    notice = models.ForeignKey(PublicNotice, verbose_name=_("公示"), on_delete=models.CASCADE,
                               related_name="objections")
    item = models.ForeignKey(NoticeItem, verbose_name=_("对象"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="objections")
    text = models.TextField(_("异议内容"))
    submitter = models.CharField(_("提出人"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)  # private: never on the public page
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("处理结果"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["notice", "submitted_at"]

    def __str__(self) -> str:
        return f"{self.notice}：{self.submitter}"


class FundSource(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class FundEntry(models.Model):
    """An amount a programme approved for a recipient, and what of it was paid (元, Decimal)."""

    programme = models.CharField(_("业务"), max_length=40)
    policy_item = models.CharField(_("政策条款"), max_length=200)
    region = models.ForeignKey("core.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(_("对象名称"), max_length=200)
    recipient_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    recipient_unit = models.ForeignKey("core.OrgUnit", verbose_name=_("对象单位"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("资金来源"), max_length=10, choices=FundSource.choices, default=FundSource.COUNTY)
    approved = models.DecimalField(_("核定金额(元)"), max_digits=16, decimal_places=2)
    paid = models.DecimalField(_("已兑付(元)"), max_digits=16, decimal_places=2, default=0)
    approved_on = models.DateField(_("核定日期"))
    due_on = models.DateField(_("应兑付日期"), null=True, blank=True, help_text=_("不填即核定即应兑付"))
    paid_on = models.DateField(_("兑付日期"), null=True, blank=True)
    # What the recipient must pay back (追回 after a spot check, a project ended early) and what came back.
    refund_due = models.DecimalField(_("应退回(元)"), max_digits=16, decimal_places=2, default=0)
    refunded = models.DecimalField(_("已退回(元)"), max_digits=16, decimal_places=2, default=0)
    refund_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    document = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("资金兑现")
        verbose_name_plural = _("资金兑现台账")
        ordering = ["-fiscal_year", "programme", "id"]
        indexes = [models.Index(fields=["fiscal_year", "programme"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(approved__gte=0), name="fund_approved_not_negative"),
            models.CheckConstraint(condition=models.Q(paid__gte=0) & models.Q(paid__lte=models.F("approved")),
                                   name="fund_paid_within_approved"),
            models.CheckConstraint(condition=models.Q(refund_due__gte=0) & models.Q(refund_due__lte=models.F("paid"))
                                   & models.Q(refunded__gte=0) & models.Q(refunded__lte=models.F("refund_due")),
                                   name="fund_refund_within_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.recipient_name} {self.policy_item}"
