"""The registry's contract for core's own models (org units, users), plus what is special about users."""

import pytest

from core.models import OrgUnit, Region, User
from core.registry.testing import RegistryContract
from core.roles import Role


class TestOrgUnits(RegistryContract):
    name = "org-units"
    manager = "ph_admin"
    viewers = ("ph_leader", "jx_leader")
    outsiders = ("js_admin", "ph_danghu", "demo_qiye")
    change = {"name": "市统计局（改）"}

    def valid(self, users, n):
        return {"code": f"ph-tjj-{n}", "name": f"市统计局{n}", "kind": "bureau", "region": "330482",
                "sort_order": n}


class TestUsers(RegistryContract):
    name = "users"
    manager = "ph_admin"
    viewers = ()
    outsiders = ("js_admin", "ph_leader", "ph_danghu", "demo_qiye")
    change = {"full_name": "王五"}
    text_field = "username"

    def valid(self, users, n):
        return {"username": f"ph_user{n}", "full_name": f"张三{n}", "role": "unit_reporter",
                "org_unit": "330482-scjg", "is_active": True, "password": "Pinghu#2026x"}


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def new_user(**extra):
    return {"username": "ph_new", "full_name": "新用户", "role": "unit_reporter", "org_unit": "330482-scjg",
            "password": "Pinghu#2026x", **extra}


@pytest.mark.django_db
@pytest.mark.parametrize("password,problem", [
    ("Ab#12345", "至少10位"),
    ("abcdefghij12", "至少三类"),
    ("Ph_new#2026x", "用户名"),
])
def test_password_policy_refuses_weak_passwords(users, password, problem):
    response = api(users["ph_admin"]).post("/api/users/", new_user(password=password), format="json")
    assert response.status_code == 400
    assert problem in " ".join(e["message"] for e in response.json()["errors"])
    assert not User.objects.filter(username="ph_new").exists()


@pytest.mark.django_db
def test_demo_password_meets_the_policy(users, password):
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, users["ph_admin"])  # raises when the printed demo password would be refused


@pytest.mark.django_db
def test_bureau_admin_grants_no_role_above_its_own_nor_outside_its_region(users):
    client = api(users["ph_admin"])
    response = client.post("/api/users/", new_user(role="sysadmin"), format="json")
    assert response.status_code == 400 and "role" in {e["field"] for e in response.json()["errors"]}
    response = client.post("/api/users/", new_user(org_unit="330421-kjj"), format="json")  # 嘉善's bureau
    assert response.status_code == 400
    assert "不在您的管辖范围" in response.json()["errors"][0]["message"]
    assert not User.objects.filter(username="ph_new").exists()
    admin = users["admin"]
    assert client.patch(f"/api/users/{admin.pk}/", {"full_name": "x"}, format="json").status_code == 404
    assert api(users["ph_leader"]).post("/api/users/", new_user(), format="json").status_code == 403


@pytest.mark.django_db
def test_bureau_admin_resets_a_password_and_deactivates_a_user(users, client):
    target = users["ph_scjg"]
    client.force_login(users["ph_admin"])
    assert client.post(f"/users/{target.pk}/password/", {"password": "short"}).status_code == 400
    assert client.post(f"/users/{target.pk}/password/", {"password": "Pinghu#2027y"}).status_code == 302
    target.refresh_from_db()
    assert target.check_password("Pinghu#2027y")
    change = target.__class__.objects.get(pk=target.pk)
    from core.audit import history_for

    record = history_for(change).first()
    assert record.note == "重置密码" and "password" not in (record.after or {})
    other = users["js_weitang"]  # another county's user
    assert client.post(f"/users/{other.pk}/password/", {"password": "Pinghu#2027y"}).status_code == 404
    response = api(users["ph_admin"]).patch(f"/api/users/{target.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = api(users["ph_admin"]).patch(f"/api/users/{users['ph_admin'].pk}/", {"is_active": False},
                                            format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_every_user_changes_their_own_password(users, client, password):
    client.force_login(users["ph_danghu"])
    response = client.post("/me/password/", {"old_password": password, "new_password1": "abc",
                                             "new_password2": "abc"})
    assert response.status_code == 200 and "至少10位" in response.content.decode()
    response = client.post("/me/password/", {"old_password": password, "new_password1": "Danghu#2026z",
                                             "new_password2": "Danghu#2026z"})
    assert response.status_code == 302
    users["ph_danghu"].refresh_from_db()
    assert users["ph_danghu"].check_password("Danghu#2026z")


@pytest.mark.django_db
def test_org_unit_outside_the_region_is_refused_and_top_units_stay_with_sysadmin(users):
    client = api(users["js_admin"])
    response = client.post("/api/org-units/", {"code": "x-1", "name": "某局", "kind": "bureau", "region": "330482"},
                           format="json")
    assert response.status_code == 400
    assert not OrgUnit.objects.filter(code="x-1").exists()
    county = OrgUnit.objects.get(code="330482")
    assert api(users["ph_admin"]).patch(f"/api/org-units/{county.pk}/", {"name": "x"},
                                        format="json").status_code == 403
    assert Region.objects.get(code="330482").name == "平湖市"
    assert users["admin"].role == Role.SYSADMIN


def test_edit_stamp_is_the_same_in_another_process(users):
    """A stamp salted per process (``hash()``) refused every edit after a restart or on a second server."""
    import subprocess
    import sys

    from core.registry.services import stamp

    unit = OrgUnit(code="330482-kjj", name="市科技局", kind="bureau", region_id=1, sort_order=0)
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kechuang.settings'); "
            "django.setup(); from core.models import OrgUnit; from core.registry.services import stamp; "
            "print(stamp(OrgUnit(code='330482-kjj', name='市科技局', kind='bureau', region_id=1, sort_order=0)))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": "random"}).stdout.strip()
    assert other == stamp(unit)


@pytest.mark.django_db
def test_yes_no_filter_offers_all_yes_no_and_filters(login_as, users):
    from core.models import User as U

    U.objects.filter(username="ph_zhongdai").update(is_active=False)
    client = login_as("ph_admin")
    html = client.get("/users/").content.decode()
    assert '<option value="" selected>全部</option>' in html
    active = client.get("/users/", {"is_active": "false"}).content.decode()
    assert "ph_zhongdai" in active and "ph_danghu" not in active
