from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import Job, OrgUnit
from core.scoping import RestrictedQuerySet
from plans.models import Action, Plan

STATUS_CHOICES = [
    ("assigned", _("已交办")), ("acknowledged", _("已签收")), ("in_progress", _("推进中")),
    ("done_reported", _("办结待核")), ("closed", _("已销号")), ("returned", _("已退回")),
]


def unit_family(user) -> list[int]:
    """The user's unit and, for a bureau, its divisions (a division's staff act for their bureau's tasks)."""
    if not user.org_unit_id:
        return []
    ids = [user.org_unit_id]
    if user.org_unit.parent_id and user.org_unit.kind == "division":
        ids.append(user.org_unit.parent_id)
    return ids


class KeyTaskQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.reads_region(user):
            if not roles.region_access(user, action):
                return self.none()
            return self.filter(plan__region__code__startswith=user.scope_prefix)
        if roles.is_unit_reporter(user):
            units = unit_family(user)
            return self.filter(Q(lead_unit_id__in=units) | Q(assists__org_unit_id__in=units)).distinct()
        return self.none()


class KeyTask(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="key_tasks")
    action = models.ForeignKey(Action, verbose_name=_("所属行动"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="key_tasks")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    code = models.CharField(_("编号"), max_length=40, unique=True)
    seq = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("重点工作"), max_length=200)
    content = models.TextField(_("主要工作内容"), blank=True)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(OrgUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                  related_name="led_tasks")
    goal = models.TextField(_("目标"), blank=True)
    quantity = models.DecimalField(_("目标数量"), max_digits=20, decimal_places=4, null=True, blank=True)
    quantity_unit = models.CharField(_("数量单位"), max_length=20, blank=True)
    start = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default="assigned")
    percent_done = models.DecimalField(_("完成进度(%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    quantity_done = models.DecimalField(_("已完成数量"), max_digits=20, decimal_places=4, null=True, blank=True)
    latest_period = models.CharField(_("最新报送月份"), max_length=7, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = KeyTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        # Year-less action tasks after the year's list on every database (NULLs sort differently otherwise).
        ordering = ["plan", models.F("year").asc(nulls_last=True), models.F("action__number").asc(nulls_first=True),
                    "seq", "code"]
        indexes = [models.Index(fields=["plan", "status"]), models.Index(fields=["lead_unit", "status"]),
                   models.Index(fields=["deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def assisting_units(self) -> list[OrgUnit]:
        return [link.org_unit for link in self.assists.all()]


class TaskAssist(models.Model):
    """An assisting unit (配合单位), in the order the document lists it after the lead."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="assists")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assisted_tasks")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "org_unit"], name="task_assist_unique")]


class Milestone(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划时间"), null=True, blank=True)
    done_on = models.DateField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["task", "due", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """The lead unit's monthly report (进展); a second report for the same month is a new revision."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("月份"), max_length=7)
    percent = models.DecimalField(_("完成进度(%)"), max_digits=5, decimal_places=1)
    quantity = models.DecimalField(_("已完成数量"), max_digits=20, decimal_places=4, null=True, blank=True)
    text = models.TextField(_("进展情况"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("报送单位"), null=True, on_delete=models.SET_NULL,
                             related_name="+")
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["task", "-period"]
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="progress_report_unique")]

    def __str__(self) -> str:
        return f"{self.task} {self.period}"


class AssistNote(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="notes")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("配合单位"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("配合情况"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at"]


def attachment_path(instance, filename: str) -> str:
    return f"tasks/{instance.task_id}/{filename}"


class Attachment(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    purpose = models.CharField(_("用途"), max_length=20, default="progress")  # progress | evidence
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class TaskTransition(models.Model):
    """One step of the closed loop, with actor, time and opinion (审核意见)."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=STATUS_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    opinion = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["task", "at", "id"]


class Reminder(models.Model):
    """催办: the bureau presses a lead unit; shown on the unit's home page until read."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="reminders")
    to_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="reminders")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("催办内容"))
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]


class ReportSettings(models.Model):
    """Per plan: alert threshold, report day, and the weights of the annual competition (年比拼)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="report_settings")
    lag_threshold = models.DecimalField(_("进度落后预警阈值（百分点）"), max_digits=5, decimal_places=1,
                                        default=Decimal(10))
    report_day = models.PositiveSmallIntegerField(_("月报截止日"), default=5)
    indicator_weights = models.JSONField(_("指标权重"), default=dict, blank=True,
                                         help_text=_("指标编码 → 权重；未列出的指标权重为1"))
    task_weight = models.DecimalField(_("任务得分权重"), max_digits=6, decimal_places=2, default=Decimal(1))


class IssuedReport(models.Model):
    """A generated progress report kept for download (history of issued reports)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="issued_reports")
    period = models.CharField(_("期间"), max_length=8)
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="issued_report")
    docx = models.FileField(_("Word文件"), upload_to="reports/", blank=True)
    xlsx = models.FileField(_("Excel文件"), upload_to="reports/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
