"""Writes of the platform registry that the generic pages route through: a platform's level history is kept
as periods, so a 市级 centre that becomes 省级 keeps both."""

from __future__ import annotations

import datetime

from django.utils import timezone

from platforms.models import Platform, PlatformLevel


def open_level(platform: Platform, starts_on: datetime.date) -> PlatformLevel:
    return PlatformLevel.objects.create(platform=platform, level=platform.level, starts_on=starts_on,
                                        recognised_by=platform.recognised_by, document_no=platform.document_no)


def change_level(platform: Platform, starts_on: datetime.date) -> None:
    """Close the open period the day before the new level starts and open the new one."""
    current = PlatformLevel.objects.filter(platform=platform, ends_on__isnull=True).order_by("-starts_on").first()
    if current is not None:
        if current.level == platform.level:
            return
        current.ends_on = max(current.starts_on, starts_on - datetime.timedelta(days=1))
        current.save(update_fields=["ends_on"])
    open_level(platform, starts_on)


def save_platform(actor, form, instance: Platform | None) -> Platform:
    """The registry's save: the platform, and a level period when it is new or its level changed.

    The new period starts on the recognition date when that changed with it (a new document), else today.
    """
    # The form has already written its values onto ``instance``: what was stored is read back.
    stored = (Platform.objects.filter(pk=instance.pk).values("level", "recognised_on", "version").first()
              if instance is not None and instance.pk else None)
    before_level = stored["level"] if stored else None
    before_date = stored["recognised_on"] if stored else None
    platform = form.save(commit=False)
    platform.version = stored["version"] + 1 if stored else 1
    platform.save()
    if stored is None:
        open_level(platform, platform.recognised_on or timezone.localdate())
    elif platform.level != before_level:
        new_date = platform.recognised_on if platform.recognised_on != before_date else None
        change_level(platform, new_date or timezone.localdate())
    return platform
