"""Notifications: inbox, unread badge, API scope, email and a signed group-robot POST to a local server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from rest_framework.test import APIClient

from core.models import Notification, NotificationPreference, OrgUnit, WebhookEndpoint
from core.notify import notify, signature


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def robot():
    """A local HTTP server standing in for a group robot; it keeps what it received."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": body})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot", received
    server.shutdown()


@pytest.mark.django_db
def test_unit_notification_reaches_its_users_inbox_and_badge(users, login_as, django_capture_on_commit_callbacks):
    unit = OrgUnit.objects.get(code="330482-scjg")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(kind="remind", title="请报送11月进展", units=[unit], url="/tasks/mine/")
    assert [r.recipient.username for r in rows] == ["ph_scjg"]
    html = login_as("ph_scjg").get("/me/").content.decode()
    assert 'data-testid="unread-badge">1</span>' in html
    response = login_as("ph_scjg").get(f"/inbox/{rows[0].pk}/")
    assert response["Location"] == "/tasks/mine/"
    assert Notification.objects.get(pk=rows[0].pk).read_at is not None


@pytest.mark.django_db
def test_api_lists_only_own_notifications_and_marks_them_read(users):
    mine = notify(kind="x", title="给市场监管局", users=[users["ph_scjg"]])[0]
    other = notify(kind="x", title="给当湖街道", users=[users["ph_danghu"]])[0]
    client = api(users["ph_scjg"])
    body = client.get("/api/notifications/", {"unread": 1}).json()
    assert [n["title"] for n in body["results"]] == ["给市场监管局"]
    assert client.post(f"/api/notifications/{other.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.post(f"/api/notifications/{mine.pk}/read/").json() == {"read": 1}
    assert client.get("/api/notifications/", {"unread": 1}).json()["count"] == 0
    assert client.get("/api/notifications/").json()["count"] == 1
    assert APIClient().get("/api/notifications/").status_code in (401, 403)


@pytest.mark.django_db
def test_email_goes_to_those_who_chose_it(users, django_capture_on_commit_callbacks):
    user = users["ph_scjg"]
    user.email = "scjg@example.gov.cn"
    user.save()
    NotificationPreference.objects.create(user=user, email=True, webhook=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="returned", title="数据被退回：请核实口径", users=[user, users["ph_danghu"]])
    assert [m.to for m in mail.outbox] == [["scjg@example.gov.cn"]]
    assert mail.outbox[0].subject == "数据被退回：请核实口径"


@pytest.mark.django_db
def test_group_robot_gets_a_signed_json_post(users, robot, django_capture_on_commit_callbacks):
    url, received = robot
    unit = OrgUnit.objects.get(code="330482-scjg")
    WebhookEndpoint.objects.create(org_unit=unit, name="市场监管局工作群", url=url, secret="s3cret")
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="remind", title="催办：新增省级研发中心", body="请于5日前报送", units=[unit])
    assert len(received) == 1
    headers, body = received[0]["headers"], received[0]["body"]
    assert headers["X-Kechuang-Signature"] == signature("s3cret", headers["X-Kechuang-Timestamp"], body)
    assert json.loads(body)["text"]["content"] == "催办：新增省级研发中心\n请于5日前报送"


@pytest.mark.django_db
def test_a_rolled_back_write_sends_nothing(users, robot, django_capture_on_commit_callbacks):
    from django.db import transaction

    url, received = robot
    unit = OrgUnit.objects.get(code="330482-scjg")
    WebhookEndpoint.objects.create(org_unit=unit, name="群", url=url, secret="k")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(kind="x", title="不该发出", units=[unit])
                raise RuntimeError("the business write failed")
        except RuntimeError:
            pass
    assert received == [] and not Notification.objects.filter(title="不该发出").exists()


@pytest.mark.django_db
def test_webhook_secret_is_never_shown_nor_kept_in_history(users):
    client = api(users["ph_admin"])
    unit = OrgUnit.objects.get(code="330482-scjg")
    response = client.post("/api/webhooks/", {"org_unit": unit.code, "name": "群", "url": "http://127.0.0.1:9/x",
                                              "secret": "top-secret"}, format="json")
    assert response.status_code == 201, response.content
    assert "top-secret" not in response.content.decode()
    history = client.get(f"/api/webhooks/{response.json()['id']}/history/").content.decode()
    assert "top-secret" not in history
    assert api(users["js_admin"]).get(f"/api/webhooks/{response.json()['id']}/").status_code == 404
