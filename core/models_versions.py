"""Data versions: every write to a slice of business data adds a row here, inside the writing transaction.

A slice's version is the number of changes its rows record. Cached pages and API answers are keyed by the
versions of the data they show, so a cached answer is never one that an approval, an import, a lock or a target change has
made stale. Why rows and not a counter: an UPDATE of one counter row would hold that row's lock until the
writer commits (a long import would then block every approval of the plan, and lock rows in an order that can
deadlock); inserts take no lock others wait for, become visible exactly when the data does, and their count
grows with every commit whatever the order in which transactions commit.

So that reading a version stays one short index scan however long the platform runs, a slice's rows are
folded now and then into one row that carries their number (`weight`); the version is the sum of the weights,
which folding leaves unchanged.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataChange(models.Model):
    key = models.CharField(_("数据范围"), max_length=80, db_index=True)
    weight = models.PositiveIntegerField(_("变更次数"), default=1)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return self.key
