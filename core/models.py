import contextlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.roles import Role
from core.scoping import RestrictedQuerySet, region_prefix


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("镇街道")


class RegionQuerySet(RestrictedQuerySet):
    def within(self, prefix: str) -> "RegionQuerySet":
        return self.filter(code__startswith=prefix)

    def scope(self, user, action):
        if action != "view":
            return self.none()
        return self.within(user.scope_prefix)


class Region(models.Model):
    """An administrative division keyed by its GB/T 2260 code (towns by the 9-digit statistical code).

    A code begins with its parent's significant digits, so a region's subtree is a prefix match.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("镇街道")
    PARK = "park", _("园区")
    BUREAU = "bureau", _("部门单位")
    DIVISION = "division", _("科室")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("机构")


# Org units that are places: indicator values and targets belong to them.
PLACE_KINDS = (OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.TOWN, OrgKind.PARK)


class OrgUnitQuerySet(RestrictedQuerySet):
    def places(self) -> "OrgUnitQuerySet":
        return self.filter(kind__in=PLACE_KINDS)

    def within(self, prefix: str) -> "OrgUnitQuerySet":
        return self.filter(region__code__startswith=prefix)

    def scope(self, user, action):
        if action != "view":
            # A bureau admin keeps the units of its region; the region's own top units stay with the system admin.
            if not roles.is_bureau_admin(user):
                return self.none()
            return self.within(user.scope_prefix).exclude(kind__in=(OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY))
        if roles.is_outsider(user):
            return self.filter(pk=user.org_unit_id)
        return self.within(user.scope_prefix)


class OrgUnit(models.Model):
    """A body that reports or is reported on: a county or town as a place, a bureau, a division, a park."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT,
                               related_name="org_units")
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    aliases = models.JSONField(_("别名"), default=list, blank=True,
                               help_text=_("文件中出现的其他写法，如“市委组织部〔市委人才办〕”"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["region__code", "sort_order", "code"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS


class UserQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.is_bureau_admin(user):
            prefix = user.scope_prefix
            mine = self.filter(models.Q(org_unit__region__code__startswith=prefix)
                               | models.Q(org_unit__isnull=True, region__code__startswith=prefix))
            # Users of the whole region are managed by its bureau; system admins only by system admins.
            return mine if action == "view" else mine.exclude(is_superuser=True).exclude(role=Role.SYSADMIN)
        return self.filter(pk=user.pk) if action == "view" else self.none()


class KechuangUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.LEADER)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="users")
    region = models.ForeignKey(Region, verbose_name=_("管辖区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="users",
                               help_text=_("不填时取所属单位的区划"))
    # 科室负责人: a bureau admin who may take the second look (复审) and the decisions that need one.
    is_division_head = models.BooleanField(_("科室负责人"), default=False,
                                           help_text=_("科技局管理员中可复审、审批的科室负责人"))

    objects = KechuangUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def scope_region(self) -> Region | None:
        if self.region_id:
            return self.region
        return self.org_unit.region if self.org_unit_id else None

    @property
    def scope_prefix(self) -> str:
        """Region-code prefix of everything this user may see; an impossible prefix when unscoped."""
        region = self.scope_region
        return region.prefix if region else "-"

    # Templates and older call sites read these properties; the rule itself lives in core.roles.
    @property
    def is_sysadmin(self) -> bool:
        return roles.is_sysadmin(self)

    @property
    def is_bureau_admin(self) -> bool:
        return roles.is_bureau_admin(self)


class ChangeRecordQuerySet(models.QuerySet):
    """Changes that, once read, know the names of the records their foreign keys point to: a history page
    shows "地区：当湖街道", not "地区：8", with one query per related model rather than one per change."""

    def _fetch_all(self):
        already = self._result_cache is not None
        super()._fetch_all()
        if not already and self._iterable_class is models.query.ModelIterable:
            name_related_records(self._result_cache)


def _foreign_keys(model) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.name: f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one}


def _keys(model, ids) -> list:
    out = []
    for text in ids:
        # Not a key this table can hold (an old record's odd value): left out, shown as stored.
        with contextlib.suppress(ValidationError):
            out.append(model._meta.pk.to_python(text))
    return out


def name_related_records(changes: list["ChangeRecord"]) -> None:
    """Look up, for every change, the names of the records its foreign-key values point to (batched)."""
    wanted: dict[type, set[str]] = {}
    for change in changes:
        keys = _foreign_keys(ContentType.objects.get_for_id(change.content_type_id).model_class())
        for name, before, after in change.changed_fields:
            if name in keys:
                related = keys[name].related_model
                wanted.setdefault(related, set()).update(str(v) for v in (before, after) if v not in (None, ""))
    names: dict[type, dict[str, str]] = {}
    for related, ids in wanted.items():
        # A record deleted since is not found and keeps showing its id: the history still reads.
        names[related] = {str(obj.pk): str(obj) for obj in related._base_manager.filter(pk__in=_keys(related, ids))}
    for change in changes:
        change._related_names = names


class ChangeRecord(models.Model):
    """One change to a business record: who, when, what it was before and after (DESIGN §5 History).

    Written explicitly by services (core.audit), never by signals, so bulk writes and commands are covered.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("流转")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人姓名"), max_length=80, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.get_action_display()}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    @property
    def changed_fields_display(self) -> list[tuple[str, object, object]]:
        """``changed_fields`` as pages show them: field labels and values in words, not names and codes."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        if not hasattr(self, "_related_names"):
            name_related_records([self])
        out = []
        for name, before, after in self.changed_fields:
            try:
                field = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                field = None
            if field is not None and field.primary_key:
                continue  # the record's own key: noise on the page
            label = str(field.verbose_name) if field is not None else name
            shown = (self._in_words(field, before), self._in_words(field, after))
            if shown[0] != shown[1]:  # "12.50 → 12.5" or two codes of one label change nothing a person reads
                out.append((label, *shown))
        return out

    def _in_words(self, field, value):
        if field is not None and (field.many_to_one or field.one_to_one) and value not in (None, ""):
            return self._related_names.get(field.related_model, {}).get(str(value), value)
        return _value_in_words(field, value)


class TransitionLog(models.Model):
    """One step of any declared workflow (core.workflow): which record, who, when, from, to, opinion.

    Written by ``core.workflow.perform`` in the same transaction as the step, so the log and the state never
    disagree; the object is addressed by content type and id so every app's workflow shares the table.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    workflow = models.CharField(_("流程"), max_length=40)
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人姓名"), max_length=80, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.workflow} {self.action} {self.from_state}→{self.to_state}"


def _value_in_words(field, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


class JobQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        """Who started a job follows it; the bureau and leaders of its region too."""
        mine = models.Q(created_by=user)
        if roles.reads_region(user):
            mine |= models.Q(region__code__startswith=user.scope_prefix)
        return self.filter(mine)


class Job(models.Model):
    """A piece of heavy work (report, import, screening) run in the background, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    message = models.TextField(_("说明"), blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


class Notification(models.Model):
    """One event addressed to one user: shown in the inbox, and sent by the channels the user chose."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """The channels a user picked besides the inbox (which always receives)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_prefs")
    email = models.BooleanField(_("邮件"), default=False)
    webhook = models.BooleanField(_("工作群机器人"), default=True)


class WebhookEndpointQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if not roles.is_bureau_admin(user):
            return self.none()
        return self.filter(org_unit__region__code__startswith=user.scope_prefix)


class WebhookEndpoint(models.Model):
    """A group robot (浙政钉、企业微信 style) that receives a unit's notifications as a signed JSON POST."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE,
                                 related_name="webhooks")
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200, help_text=_("用于 HMAC-SHA256 签名，机器人据此核验来源"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作群机器人")
        verbose_name_plural = _("工作群机器人")

    def __str__(self) -> str:
        return self.name

from core.models_notice import FundEntry, NoticeItem, Objection, PublicNotice  # noqa: E402,F401 (models of core)
from core.models_review import Expert, ReviewAssignment, ReviewRound, ReviewSubject, ScoringSheet  # noqa: E402,F401,I001
from core.models_versions import DataChange  # noqa: E402,F401 (models of core)
