"""The data-entry form (填报) saved at once: every filled row of the form, all or nothing.

A form holds one row per indicator and place the user reports for the period (plans.queries.entry_rows).
The figures are read as a spreadsheet cell would be (full-width digits, 万元/亿元 converted to the
indicator's unit) and each is stored through ``values.report_value``. One wrong row saves nothing: a reporter
who corrects it resubmits the whole form, instead of wondering which half of it went through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction

from core import roles
from core.cells import CellError, convert_amount, parse_amount
from core.errors import BusinessError
from core.models import OrgUnit
from core.periods import Period
from plans.models import Plan
from plans.queries import entry_rows
from plans.services.values import report_value


@dataclass(frozen=True)
class RowInput:
    """What was typed into one row of the form (keyed by ``EntryRow.key``)."""

    value: str
    note: str = ""
    version: int | None = None  # the version the user edited, so a figure changed meanwhile is refused


@dataclass
class EntryResult:
    saved: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)  # row key → messages
    to_review: bool = False  # the saved figures wait for review (a bureau admin's own entry takes effect)

    @property
    def ok(self) -> bool:
        return not self.errors


def save_entries(
    *,
    user,
    plan: Plan,
    period: Period,
    inputs: Mapping[str, RowInput],
    submit: bool,
    place: OrgUnit | None = None,
) -> EntryResult:
    """Store every filled row the user may report; with any error nothing is stored.

    Rows left blank (or only blanks) are skipped, and so are inputs for rows the form does not offer this
    user: the rows come from ``entry_rows``, never from the request.
    """
    result = EntryResult(to_review=submit and not roles.is_bureau_admin(user))
    with transaction.atomic():
        for row in entry_rows(plan, user, period, place):
            given = inputs.get(row.key)
            raw = given.value.strip() if given is not None else ""
            if not raw:
                continue
            try:
                amount = parse_amount(raw)
                number = convert_amount(amount, row.indicator.unit) if amount else None
                if number is None:
                    continue
                report_value(
                    reporter=user,
                    indicator=row.indicator,
                    place=row.place,
                    period=period,
                    value=number,
                    basis=row.progress.basis or "",
                    note=given.note,
                    submit=submit,
                    expected_version=given.version,
                )
                result.saved += 1
            except (CellError, BusinessError) as exc:
                result.errors[row.key] = [str(exc)]
        if result.errors:
            transaction.set_rollback(True)
            result.saved = 0
    return result
