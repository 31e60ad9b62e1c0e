"""Whole signed-in pages kept by data version, with what belongs to one request filled in on every answer.

A page cached as a template fragment (``{% cache %}``) still renders the page around it on every request: the
menu, the user's name, the form tokens — most of a cached page's time. `serve` keeps the whole rendered page
under the caller's key (made of the data versions the page shows, `core.versions.key_for`) and the user's role
and unit, and answers a later request from it after putting back the two things that differ between requests
of the same user: the CSRF token (a new mask each request, like Django's own rendering) and the unread
messages badge. A request with flash messages waiting renders normally and is not kept, so a message is never
lost or shown twice.
"""

import re
from collections.abc import Callable

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from core import versions
from core.notify import unread_count

INBOX_TEMPLATE = "core/_inbox_link.html"
# Stand-ins stored in place of the per-request parts. They hold a NUL, which no page we keep contains (input
# with NUL bytes is refused, and a page that holds one anyway is not kept), so they cannot match page text.
CSRF_MARK = "\x00kc-csrf\x00"
INBOX_MARK = "\x00kc-inbox\x00"
_TOKEN = re.compile(r'<meta name="csrf-token" content="([A-Za-z0-9]{32,128})">')


def inbox_link(user) -> str:
    return render_to_string(INBOX_TEMPLATE, {"unread_notifications": unread_count(user)})


def _waiting_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    # len() counts the messages waiting and those added in this request without marking them read.
    return storage is not None and len(storage) > 0


def _page_key(request, key: str) -> str:
    user = request.user
    return versions.cache_key("page", (key, user.pk, user.role, user.org_unit_id, user.is_superuser,
                                       bool(request.headers.get("HX-Request"))), ())


def _fill(request, stored: str) -> HttpResponse:
    html = stored.replace(CSRF_MARK, get_token(request)).replace(INBOX_MARK, inbox_link(request.user))
    return HttpResponse(html)


def _to_store(request, response) -> str | None:
    """The page with its per-request parts replaced by the stand-ins, or None when it cannot be kept."""
    if response.status_code != 200 or response.streaming or not response["Content-Type"].startswith("text/html"):
        return None
    html = response.content.decode(response.charset)
    token = _TOKEN.search(html)
    inbox = inbox_link(request.user)
    # Exactly one inbox link, the one just rendered: if a message arrived meanwhile, do not keep the page.
    if token is None or html.count(inbox) != 1 or "\x00" in html:
        return None
    return html.replace(token.group(1), CSRF_MARK).replace(inbox, INBOX_MARK)


def serve(request, key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page ``render`` makes, kept under ``key`` (which must change whenever what the page shows does)."""
    if request.method != "GET" or not request.user.is_authenticated or _waiting_messages(request):
        return render()
    cache = caches[versions.CACHE_ALIAS]
    page_key = _page_key(request, key)
    stored = cache.get(page_key)
    if stored is not None:
        return _fill(request, stored)
    response = render()
    kept = _to_store(request, response)
    if kept is not None:
        cache.set(page_key, kept, versions.TTL_SECONDS)
    return response
