"""Login throttling: too many failed attempts for a user name from one address lock that pair out a while.

The key is the pair, not the address alone: behind the bureau's proxy every user shares one address, and one
person mistyping (or someone guessing) must not lock out everybody else. The counters live in the database
cache (alias "throttle", table created by a migration) so every server process sees the same count.
"""

import ipaddress

from django.conf import settings
from django.core.cache import caches


def store():
    return caches["throttle"]


def _key(username: str, address: str) -> str:
    return f"login-fail:{(username or '').strip().lower()}:{address or '-'}"


def login_blocked(username: str, address: str) -> bool:
    return (store().get(_key(username, address)) or 0) >= settings.LOGIN_FAILURE_LIMIT


def login_failed(username: str, address: str) -> None:
    cache, key = store(), _key(username, address)
    if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(username: str, address: str) -> None:
    store().delete(_key(username, address))


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address; X-Forwarded-For only when the direct peer is a configured trusted proxy.

    Read from the right: the last address no trusted proxy added is the one that connected to them.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "KECHUANG_TRUSTED_PROXIES", ()))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote not in trusted or not forwarded:
        return remote
    for hop in reversed(forwarded.split(",")):
        address = _valid(hop)
        if address is None:
            break
        if address not in trusted:
            return address
    return remote
