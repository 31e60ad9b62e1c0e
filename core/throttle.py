"""Login throttling: too many failed attempts for a username or from an address lock it out for a while."""

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{(username or '').lower()}", f"login-fail:addr:{address or '-'}"]


def login_blocked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
