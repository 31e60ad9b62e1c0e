"""创新券: service providers, the year's service catalogue, the subsidy rule of a policy year, claims and the
batches they are published and paid in. Amounts are 元 (Decimal); a batch's sentence shows 万元."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import roles
from core.models import Region
from core.models_notice import RegionScoped
from core.scoping import ApplicantScoped, RestrictedQuerySet, governing_codes
from core.url_converters import code_validator


class ProviderQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        if roles.reads_region(user):
            if not roles.region_access(user, action):
                return self.none()
            return self.filter(region__code__startswith=user.scope_prefix)
        # Enterprises pick from the providers that take vouchers; they change none.
        if roles.is_enterprise(user) and action == "view":
            return self.filter(accepts_vouchers=True)
        return self.none()


class Provider(models.Model):
    """A 服务机构 that takes innovation vouchers; its bank account is for the bureau's payments only."""

    code = models.CharField(_("机构编号"), max_length=30, unique=True)
    name = models.CharField(_("机构名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("登记地区"), on_delete=models.PROTECT, related_name="+")
    services = models.CharField(_("服务内容"), max_length=500, blank=True)
    accepts_vouchers = models.BooleanField(_("接受创新券"), default=True)
    related_usccs = models.TextField(_("声明的关联企业"), blank=True,
                                     help_text=_("与本机构有投资、控股或其他关联关系的企业统一社会信用代码，每行一个"))
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("创新券服务机构")
        ordering = ["region__code", "code"]

    def __str__(self) -> str:
        return self.name

    def related_codes(self) -> set[str]:
        return {line.strip().upper() for line in self.related_usccs.splitlines() if line.strip()}


class CatalogueQuerySet(RegionScoped):
    def scope(self, user, action):
        if roles.is_enterprise(user):
            # A firm chooses from the catalogues its county follows (its own, its city's, its province's).
            if action != "view" or user.org_unit is None or user.org_unit.region_id is None:
                return self.none()
            return self.filter(region__code__in=governing_codes(user.org_unit.region.code))
        return super().scope(user, action)


class CatalogueItem(models.Model):
    """One service of a year's 创新券服务目录: a claim's service must be in the catalogue of its contract's year."""

    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("目录年度"))
    code = models.CharField(_("服务编号"), max_length=20)
    name = models.CharField(_("服务名称"), max_length=100)
    category = models.CharField(_("服务类别"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务目录项")
        verbose_name_plural = _("创新券服务目录")
        ordering = ["region__code", "-year", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "code"], name="voucher_catalogue_unique",
                violation_error_message=_("该地区该年度已有此服务编号"))]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class SubsidyRule(models.Model):
    """The subsidy rule of a policy year as data: award = min(比例 × 服务费, 单笔上限, 年度上限 − 当年已获)."""

    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("政策年度"))
    name = models.CharField(_("规则名称"), max_length=100)
    ratio = models.DecimalField(_("补助比例"), max_digits=5, decimal_places=4,
                                help_text=_("服务费的比例，如 0.5 即 50%"))
    claim_cap = models.DecimalField(_("单笔上限(元)"), max_digits=12, decimal_places=2)
    preferred_types = models.CharField(_("适用较高年度上限的资质"), max_length=200, default="科技型中小企业",
                                       help_text=_("以“、”分隔，如：科技型中小企业、高新技术企业"))
    preferred_cap = models.DecimalField(_("较高年度上限(元)"), max_digits=12, decimal_places=2)
    general_cap = models.DecimalField(_("其他企业年度上限(元)"), max_digits=12, decimal_places=2)
    opens_on = models.DateField(_("受理开始"))
    closes_on = models.DateField(_("受理截止"))
    is_example = models.BooleanField(_("示例规则"), default=False,
                                     help_text=_("示例：数值为演示所设，使用前请按本地政策修改"))
    source = models.CharField(_("依据"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("创新券补助规则")
        verbose_name_plural = _("创新券补助规则")
        ordering = ["region__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="voucher_rule_unique",
                violation_error_message=_("该地区该年度已有补助规则")),
            models.CheckConstraint(condition=models.Q(ratio__gt=0) & models.Q(ratio__lte=1),
                                   name="voucher_rule_ratio_range",
                violation_error_message=_("补助比例应大于0且不超过1")),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="voucher_rule_window_order",
                violation_error_message=_("受理截止不能早于受理开始")),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def preferred(self) -> list[str]:
        return [t.strip() for t in self.preferred_types.replace(",", "、").split("、") if t.strip()]


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    PUBLICISED = "publicised", _("公示中")
    PAYABLE = "payable", _("待兑付")
    PAID = "paid", _("已兑付")


class Batch(models.Model):
    """A 兑付批次: the claims whose vouchers were used in a date range, published together and paid together."""

    code = models.CharField(_("批次编号"), max_length=30, unique=True, validators=[code_validator()],
                            help_text=_("如 PH-2023-1；不能只由数字和连字符组成"))
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveSmallIntegerField(_("批次"))
    title = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("不填则为“某年第几批创新券补助”"))
    usage_from = models.DateField(_("使用日期自"))
    usage_to = models.DateField(_("使用日期至"))
    status = models.CharField(_("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    notice = models.ForeignKey("core.PublicNotice", verbose_name=_("公示"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("兑付日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = RegionScoped.as_manager()

    class Meta:
        verbose_name = _("兑付批次")
        verbose_name_plural = _("创新券兑付批次")
        ordering = ["region__code", "-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "seq"], name="voucher_batch_seq_unique",
                violation_error_message=_("该地区该年度已有这一批次")),
            models.CheckConstraint(condition=models.Q(usage_to__gte=models.F("usage_from")),
                                   name="voucher_batch_range_order",
                violation_error_message=_("使用日期至不能早于使用日期自")),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        from core.cells import chinese_number

        return self.title or f"{self.year}年第{chinese_number(self.seq)}批创新券补助"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    RETURNED = "returned", _("退回补正")
    FIRST_PASSED = "first_passed", _("待复审")
    APPROVED = "approved", _("复审通过")
    PUBLICISED = "publicised", _("公示中")
    PAYABLE = "payable", _("待兑付")
    PAID = "paid", _("已兑付")
    REJECTED = "rejected", _("不予兑付")
    RECOVERED = "recovered", _("已追回")


# Claims whose award counts: toward the enterprise's annual cap, and in a batch's figures.
COUNTED = (ClaimStatus.FIRST_PASSED, ClaimStatus.APPROVED, ClaimStatus.PUBLICISED, ClaimStatus.PAYABLE,
           ClaimStatus.PAID)


class ClaimQuerySet(ApplicantScoped):
    editable = (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


class Claim(models.Model):
    """An enterprise's claim on a used voucher: the service contract, the provider's invoice, the award."""

    code = models.CharField(_("申请编号"), max_length=30, unique=True)
    voucher_no = models.CharField(_("创新券编号"), max_length=40)
    year = models.PositiveSmallIntegerField(_("政策年度"))
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="voucher_claims")
    provider = models.ForeignKey(Provider, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="claims")
    service = models.ForeignKey(CatalogueItem, verbose_name=_("服务项目"), on_delete=models.PROTECT,
                                related_name="claims")
    contract_name = models.CharField(_("合同名称"), max_length=200)
    contract_amount = models.DecimalField(_("合同金额(元)"), max_digits=14, decimal_places=2)
    contract_date = models.DateField(_("合同签订日期"))
    invoice_no = models.CharField(_("发票号码"), max_length=30)
    invoice_amount = models.DecimalField(_("发票金额(元)"), max_digits=14, decimal_places=2)
    invoice_date = models.DateField(_("开票日期"))
    used_on = models.DateField(_("创新券使用日期"))
    completed_on = models.DateField(_("服务完成日期"))
    amount_claimed = models.DecimalField(_("申请补助(元)"), max_digits=14, decimal_places=2)
    award = models.DecimalField(_("核定补助(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    award_basis = models.JSONField(_("核定依据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=14, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    batch = models.ForeignKey(Batch, verbose_name=_("兑付批次"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="claims")
    fund_entry = models.ForeignKey("core.FundEntry", verbose_name=_("资金台账"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    first_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    opinion = models.CharField(_("审核意见"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("创新券兑付申请")
        verbose_name_plural = _("创新券兑付申请")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [models.Index(fields=["region", "year", "status"]), models.Index(fields=["batch", "status"]),
                   models.Index(fields=["enterprise", "year"])]
        constraints = [
            # The same provider invoice is claimed once, over all batches and years (a refused claim frees it).
            models.UniqueConstraint(fields=["provider", "invoice_no"], condition=~models.Q(status="rejected"),
                                    name="voucher_invoice_once",
                violation_error_message=_("该服务机构的这张发票已经申请过，不能重复申请")),
            models.CheckConstraint(condition=models.Q(amount_claimed__gt=0), name="voucher_claimed_positive",
                violation_error_message=_("申请补助应为正数")),
            models.CheckConstraint(condition=models.Q(award__isnull=True) | models.Q(award__gte=0),
                                   name="voucher_award_not_negative",
                violation_error_message=_("核定补助不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.enterprise}"


class FileKind(models.TextChoices):
    CONTRACT = "contract", _("服务合同")
    INVOICE = "invoice", _("发票")
    PAYMENT = "payment", _("付款凭证")
    OTHER = "other", _("其他材料")


REQUIRED_FILES = (FileKind.CONTRACT, FileKind.INVOICE, FileKind.PAYMENT)


def claim_file_path(instance: ClaimFile, filename: str) -> str:
    return f"vouchers/{instance.claim_id}/{filename}"


class ClaimFile(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=10, choices=FileKind.choices)
    file = models.FileField(_("文件"), upload_to=claim_file_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["kind", "uploaded_at"]
