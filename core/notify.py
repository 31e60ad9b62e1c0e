"""Notifications: every event addressed to users or units lands in their inbox, and goes out by email and
to their units' group robots where configured.

Sending happens after the transaction commits, so a refused step notifies nobody, and a channel that fails
(mail server down, robot unreachable) never undoes the business write: it is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.models import Notification, NotificationPreference, OrgUnit, User, WebhookEndpoint
from core.roles import Role

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 5


def _recipients(users: Iterable[User], units: Iterable[OrgUnit]) -> list[User]:
    unit_ids = [u.pk for u in units]
    found = {u.pk: u for u in users if u is not None and u.is_active}
    if unit_ids:
        found.update({u.pk: u for u in User.objects.filter(org_unit_id__in=unit_ids, is_active=True)})
    return list(found.values())


def notify(*, kind: str, title: str, body: str = "", url: str = "", users: Iterable[User] = (),
           units: Iterable[OrgUnit] = (), exclude: User | None = None) -> list[Notification]:
    """Address an event to users and to every active user of some units (the one who caused it excluded)."""
    units = list(units)
    people = [u for u in _recipients(users, units) if exclude is None or u.pk != exclude.pk]
    rows = Notification.objects.bulk_create([
        Notification(recipient=u, kind=kind, title=title[:200], body=body, url=url[:300]) for u in people])
    transaction.on_commit(lambda: _send(rows, units))
    return rows


def _send(rows: list[Notification], units: list[OrgUnit]) -> None:
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=[r.recipient_id for r in rows])}
    for row in rows:
        pref = prefs.get(row.recipient_id)
        if pref is not None and pref.email and row.recipient.email:
            try:
                send_mail(row.title, f"{row.body}\n\n{row.url}".strip(), None, [row.recipient.email])
            except Exception:  # noqa: BLE001 — any mail failure is logged, the event is still in the inbox
                log.exception("通知邮件发送失败：%s", row.recipient.email)
    if not rows:
        return
    wanted = {r.recipient.org_unit_id for r in rows if prefs.get(r.recipient_id) is None
              or prefs[r.recipient_id].webhook}
    unit_ids = {u.pk for u in units} & wanted if units else wanted
    event = {"kind": rows[0].kind, "title": rows[0].title, "body": rows[0].body, "url": rows[0].url}
    for endpoint in WebhookEndpoint.objects.filter(org_unit_id__in=unit_ids, is_active=True):
        post_webhook(endpoint, event)


def signature(secret: str, timestamp: str, payload: bytes) -> str:
    """HMAC-SHA256 over "timestamp.payload", hex: the robot recomputes it to know the message is ours."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + payload, hashlib.sha256).hexdigest()


def post_webhook(endpoint: WebhookEndpoint, event: dict) -> bool:
    payload = json.dumps({"msgtype": "text", "text": {"content": f"{event['title']}\n{event['body']}".strip()},
                          "event": event, "site": getattr(settings, "KECHUANG_SITE_NAME", "科创平台")},
                         ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(endpoint.url, data=payload, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "X-Kechuang-Timestamp": timestamp,
        "X-Kechuang-Signature": signature(endpoint.secret, timestamp, payload)})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (configured URL)
            return 200 <= response.status < 300
    except OSError:
        log.exception("工作群机器人推送失败：%s", endpoint.name)
        return False


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when ``ids`` is None)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def bureau_admins(region) -> list[User]:
    """The active bureau admins whose scope is exactly this region (they review what its units file)."""
    admins = User.objects.filter(role=Role.BUREAU_ADMIN, is_active=True).select_related("org_unit__region", "region")
    return [u for u in admins
            if u.scope_region is not None and u.scope_region.pk == region.pk]


def notify_step(step) -> None:
    """Subscriber of the workflow engine: every committed step is told to those its workflow names."""
    workflow = step.workflow
    if workflow.recipients is None:
        return
    users, units = workflow.recipients(step)
    opinion = f"意见：{step.opinion}" if step.opinion else ""
    notify(kind=f"{workflow.name}.{step.action}", title=f"{step.obj}：{step.transition.label}"[:200],
           body=opinion, url=workflow.url(step.obj) if workflow.url else "", users=users, units=units,
           exclude=step.user)
