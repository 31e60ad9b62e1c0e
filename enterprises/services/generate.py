"""Synthetic enterprises for the scale benchmark (``kechuang generate --enterprises N``).

They are spread over the towns of the synthetic province when it exists (codes 99…), else over every town,
and replace a previous generated set (the codes carry the serial, so a new run starts clean). On a database
without any town the reference regions are loaded first.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from core.models import Region
from core.seed import load_reference, refresh_statistics
from enterprises.models import Enterprise
from enterprises.services import synthetic

SERIAL_START = 5_000_000  # far from the demo's serials


def _towns() -> list[Region]:
    return list(Region.objects.filter(level="town", code__startswith="99").order_by("code")) or list(
        Region.objects.filter(level="town").order_by("code"))


def generate_enterprises(count: int, *, seed: int = 2027, progress: Callable[[str], None] = print) -> int:
    towns = _towns()
    if not towns:
        # An empty database (migrated only): the reference regions every deployment starts from give the
        # towns, as `kechuang demo` would load them, so the benchmark needs no other command first.
        counts = load_reference()
        towns = _towns()
        progress(f"数据库中没有镇街道区划，已载入基础区划 {counts['regions']} 个（镇街道 {len(towns)} 个）")
    deleted = Enterprise.objects.filter(is_demo=True, uscc__contains="MA5").delete()[0]
    if deleted:
        progress(f"已删除上次生成的企业及其数据 {deleted} 条")
    today = timezone.localdate()
    years = [today.year - 3, today.year - 2, today.year - 1]
    started = datetime.datetime.now()

    def report(done: int, total: int) -> None:
        if done % 50000 < 5000 or done == total:
            progress(f"{done}/{total}（{(datetime.datetime.now() - started).seconds} 秒）")

    made = synthetic.create(towns, count, years=years, seed=seed, start_serial=SERIAL_START, progress=report,
                            batch=5000)
    refresh_statistics()
    return made
