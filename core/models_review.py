"""Review by experts (专家评审): the expert pool, scoring sheets, rounds, subjects and assignments."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models_notice import RegionScoped
from core.scoping import RestrictedQuerySet


class ExpertQuerySet(RegionScoped):
    def scope(self, user, action):
        if roles.is_expert(user):
            return self.filter(user=user) if action == "view" else self.none()
        return super().scope(user, action)


class Expert(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账户"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert")
    name = models.CharField(_("姓名"), max_length=50)
    unit_name = models.CharField(_("工作单位"), max_length=200)
    unit_uscc = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    fields = models.JSONField(_("专业领域"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    relations = models.JSONField(_("申报回避单位"), default=list, blank=True,
                                 help_text=_("本人声明需回避的单位的统一社会信用代码或名称"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)  # private: bureau only
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("在库"), default=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("专家库")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_name}）"


class ScoringSheet(models.Model):
    name = models.CharField(_("评分表"), max_length=100)
    region = models.ForeignKey("core.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    criteria = models.JSONField(_("评分指标"), default=list,
                                help_text=_("每项含 key、label、weight（权重，合计100）、min、max、comment_required"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")

    def __str__(self) -> str:
        return self.name


class ReviewRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("评审中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("评审轮次"), max_length=200)
    programme = models.CharField(_("业务"), max_length=40)
    region = models.ForeignKey("core.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey(ScoringSheet, verbose_name=_("评分表"), on_delete=models.PROTECT)
    criteria = models.JSONField(_("评分指标（开评时冻结）"), default=list)
    due_on = models.DateField(_("评审截止"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewSubject(models.Model):
    """One application under review: any registered record, with what conflict checks need of its applicant."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="subjects")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    title = models.CharField(_("评审对象"), max_length=200)
    applicant_name = models.CharField(_("申报单位"), max_length=200)
    applicant_uscc = models.CharField(_("申报单位代码"), max_length=18, blank=True)
    fields = models.JSONField(_("领域"), default=list, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "content_type", "object_id"],
                                               name="review_subject_once")]

    def __str__(self) -> str:
        return self.title


class AssignmentQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.is_expert(user):
            return self.filter(expert__user=user)  # an expert sees and scores only what is assigned to them
        return self.filter(subject__round__in=ReviewRound.objects.restrict(user, action))


class ReviewAssignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待评审")
        SUBMITTED = "submitted", _("已提交")

    subject = models.ForeignKey(ReviewSubject, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    scores = models.JSONField(_("评分"), default=dict, blank=True)
    comments = models.JSONField(_("评语"), default=dict, blank=True)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["subject", "id"]
        constraints = [models.UniqueConstraint(fields=["subject", "expert"], name="review_assignment_once")]
