"""Production behaviour: no start with the demo key, JSON errors under /api/, the Chinese error pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from core import views

ROOT = Path(__file__).resolve().parents[2]


def start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KECHUANG_") and k != "DATABASE_URL"}
    clean.update(env, DJANGO_SETTINGS_MODULE="kechuang.settings", KECHUANG_DATA_DIR=env.get("KECHUANG_DATA_DIR", ""))
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_refuses_to_start_without_debug_on_the_demo_key(tmp_path):
    result = start(KECHUANG_DEBUG="0", KECHUANG_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "KECHUANG_SECRET_KEY" in result.stderr


def test_starts_without_debug_on_its_own_key(tmp_path):
    result = start(KECHUANG_DEBUG="0", KECHUANG_SECRET_KEY="x" * 50, KECHUANG_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_api_404_is_json_with_debug_off(settings):
    settings.DEBUG = False
    response = Client().get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "不存在" in response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_page_404_is_the_chinese_page(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_api_500_is_json():
    response = views.server_error(RequestFactory().get("/api/plans/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "系统错误" in response.content.decode("utf-8") or "\\u7cfb\\u7edf" in response.content.decode()


def test_page_500_is_the_chinese_page():
    response = views.server_error(RequestFactory().get("/plans/"))
    assert response.status_code == 500
    assert "系统错误" in response.content.decode()


@pytest.mark.django_db
def test_api_403_is_json():
    from django.core.exceptions import PermissionDenied

    response = views.permission_denied(RequestFactory().get("/api/plans/"), PermissionDenied())
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
