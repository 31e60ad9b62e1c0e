"""The award arithmetic of a voucher claim, without a database: award = min(比例 × 服务费, 申请金额, 单笔上限,
年度上限 − 当年已获), and which of them cut it, with the steps the claim page prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# The limits in the order a tie is named: when the ratio itself gives the least, no cap cut the award.
LIMITS = ("ratio", "claimed", "claim_cap", "annual_cap")
LIMIT_WORDS = {"ratio": "按服务费比例核定", "claimed": "以申请金额为限", "claim_cap": "受单笔上限限制",
               "annual_cap": "受年度上限限制"}


@dataclass(frozen=True)
class Award:
    amount: Decimal
    limit: str  # one of LIMITS
    fee: Decimal
    by_ratio: Decimal
    annual_cap: Decimal
    already: Decimal
    annual_left: Decimal
    steps: tuple[str, ...]

    @property
    def limit_words(self) -> str:
        return LIMIT_WORDS[self.limit]

    def basis(self) -> dict:
        """What the claim keeps of the arithmetic, so a later change of the rule never rewrites it."""
        return {"amount": str(self.amount), "limit": self.limit, "fee": str(self.fee), "by_ratio": str(self.by_ratio),
                "annual_cap": str(self.annual_cap), "already": str(self.already),
                "annual_left": str(self.annual_left), "steps": list(self.steps)}


def yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def service_fee(contract_amount: Decimal, invoice_amount: Decimal) -> Decimal:
    """The fee a subsidy is a share of: what was invoiced, never more than the contract."""
    return min(contract_amount, invoice_amount).quantize(CENT)


def annual_cap_for(held: Iterable[str], preferred: Iterable[str], preferred_cap: Decimal,
                   general_cap: Decimal) -> tuple[Decimal, str]:
    """The enterprise's annual cap and the type it was given for (a qualification it holds, or 其他企业)."""
    held = set(held)
    for kind in preferred:
        if kind in held:
            return preferred_cap, kind
    return general_cap, "其他企业"


def compute(*, contract_amount: Decimal, invoice_amount: Decimal, ratio: Decimal, claimed: Decimal,
            claim_cap: Decimal, annual_cap: Decimal, already: Decimal, cap_type: str = "") -> Award:
    """The award of one claim; ``already`` is what the enterprise was awarded in the policy year before it."""
    fee = service_fee(contract_amount, invoice_amount)
    # A subsidy is rounded down to the fen: it never exceeds the share it is of.
    by_ratio = (fee * ratio).quantize(CENT, rounding=ROUND_DOWN)
    annual_left = max(ZERO, (annual_cap - already).quantize(CENT))
    candidates = {"ratio": by_ratio, "claimed": claimed.quantize(CENT), "claim_cap": claim_cap.quantize(CENT),
                  "annual_cap": annual_left}
    amount = min(candidates.values())
    limit = next(name for name in LIMITS if candidates[name] == amount)
    percent = (ratio * 100).normalize()
    steps = (
        f"服务费：合同金额{yuan(contract_amount)}元与发票金额{yuan(invoice_amount)}元取低者，{yuan(fee)}元",
        f"按比例：{yuan(fee)}元 × {percent:f}% = {yuan(by_ratio)}元",
        f"申请金额：{yuan(claimed)}元",
        f"单笔上限：{yuan(claim_cap)}元",
        f"年度上限：{yuan(annual_cap)}元（{cap_type or '其他企业'}），当年已获{yuan(already)}元，尚余{yuan(annual_left)}元",
        f"核定补助：{yuan(amount)}元（{LIMIT_WORDS[limit]}）",
    )
    return Award(amount=amount, limit=limit, fee=fee, by_ratio=by_ratio, annual_cap=annual_cap.quantize(CENT),
                 already=already.quantize(CENT), annual_left=annual_left, steps=steps)


def wan(amount: Decimal) -> str:
    """元 as the bureau writes 万元 in a sentence: 603700 → "60.37", 6940000 → "694"."""
    text = f"{(amount / 10000).quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def batch_sentence(enterprises: int, claims: int, amount: Decimal) -> str:
    return f"共有{enterprises}家企业{claims}个项目获得创新券补助{wan(amount)}万元"
