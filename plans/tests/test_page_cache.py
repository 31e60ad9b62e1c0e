"""Whole cached plan pages (core.page_cache): the same figures, a fresh CSRF token and the current unread count
on every answer, never another user's page, and a page with a flash message rendered, not served from the cache."""

import re

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from core import page_cache
from core.notify import notify

pytestmark = pytest.mark.django_db
PH = "PH315-2023"
COCKPIT = f"/plans/{PH}/"
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _without_token(html: str) -> str:
    return html.replace(TOKEN.search(html).group(1), "")


def test_a_second_cockpit_request_is_the_same_page_read_without_its_figures_with_a_fresh_token(users, demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["ph_admin"])
    first = client.get(COCKPIT, {"period": "2024Q2"}).content.decode()
    with CaptureQueriesContext(connection) as hit:
        second = client.get(COCKPIT, {"period": "2024Q2"}).content.decode()
    # session, user, the unit and regions the user's scope is walked through, plan, data versions, unread
    # count: no figure, no indicator, no menu
    tables = [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in hit.captured_queries]
    assert tables == ["django_session", "core_user", "core_orgunit", "core_region", "core_region", "core_region",
                      "plans_plan", "core_datachange", "core_notification"]
    assert _without_token(second) == _without_token(first) and 'data-testid="card-PH01"' in second
    token = TOKEN.search(second).group(1)
    assert token != TOKEN.search(first).group(1)  # masked anew, as Django renders it
    assert second.count(token) == 3 and "\x00" not in second
    # the token the cached page carries is one the server accepts
    assert client.post("/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_unread_badge_of_a_cached_page_is_the_current_count(login_as, users, demo):
    client = login_as("ph_admin")
    client.get(COCKPIT)
    assert 'data-testid="unread-badge"' not in client.get(COCKPIT).content.decode()
    notify(kind="test", title="新消息", users=[users["ph_admin"]])
    notify(kind="test", title="又一条", users=[users["ph_admin"]])
    page = client.get(COCKPIT).content.decode()
    assert re.search(r'data-testid="unread-badge">2</span>', page)


def test_each_user_gets_their_own_page_and_a_new_role_a_new_page(login_as, users, demo):
    admin_page = login_as("ph_admin").get(COCKPIT).content.decode()
    danghu_page = login_as("ph_danghu").get(COCKPIT).content.decode()
    admin_name = f'data-testid="whoami" title="{users["ph_admin"].get_role_display()}'
    assert admin_name in admin_page and admin_name not in danghu_page
    user = users["ph_danghu"]
    before = _without_token(login_as("ph_danghu").get(COCKPIT).content.decode())
    assert before == _without_token(danghu_page)
    user.org_unit = users["ph_admin"].org_unit
    user.save()
    assert _without_token(login_as("ph_danghu").get(COCKPIT).content.decode()) != before


def _request(user, *, message: str = ""):
    request = RequestFactory().get(COCKPIT)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    if message:
        request._messages.add(constants.INFO, message)
    return request


def _page(request, note: str) -> HttpResponse:
    from django.middleware.csrf import get_token

    inbox = page_cache.inbox_link(request.user)
    return HttpResponse(f'<meta name="csrf-token" content="{get_token(request)}">{inbox}<p>{note}</p>')


def test_a_request_with_a_message_waiting_is_rendered_and_its_page_not_kept(users, reference):
    user = users["ph_admin"]
    calls = []

    def render(request):
        calls.append(1)
        return _page(request, f"第{len(calls)}次")

    waiting = _request(user, message="已保存")
    assert "第1次" in page_cache.serve(waiting, "k", lambda: render(waiting)).content.decode()
    assert len(list(get_messages(waiting))) == 1  # not consumed by the cache
    plain = _request(user)
    assert "第2次" in page_cache.serve(plain, "k", lambda: render(plain)).content.decode()
    again = _request(user)
    assert "第2次" in page_cache.serve(again, "k", lambda: render(again)).content.decode()
    assert len(calls) == 2
    other_key = _request(user)
    assert "第3次" in page_cache.serve(other_key, "k2", lambda: render(other_key)).content.decode()


def test_pages_that_cannot_be_kept_are_rendered_every_time(users, reference):
    user = users["ph_admin"]
    answers = [HttpResponse("<p>没有令牌</p>"), HttpResponse("\x00", content_type="text/html"),
               HttpResponse('{"a": 1}', content_type="application/json"), HttpResponse(status=404)]
    for number, answer in enumerate(answers):
        calls = []

        def render(answer=answer, calls=calls):
            calls.append(1)
            return answer

        for _ in range(2):
            assert page_cache.serve(_request(user), f"bad-{number}", render) is answer
        assert len(calls) == 2
