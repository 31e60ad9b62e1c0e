"""Declarative tests for a registered model: a test class names the registration and its roles, and gets
the contract every registration must keep, on pages and API, for each role (as NetBox's view test cases).

    class TestOrgUnits(RegistryContract):
        name = "org-units"
        manager = "ph_admin"           # creates, edits, deletes inside its scope
        viewers = ("ph_leader",)       # sees the record, changes nothing
        outsiders = ("js_admin",)      # does not even see it
        change = {"name": "新名称"}

        def valid(self, users, n):     # form data of a new record; n makes unique fields unique
            return {...}
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from core import registry
from core.models import ChangeRecord
from core.registry import services
from core.registry.imports import import_spec

BAD_TEXT = {"NUL": "名称\x00", "十万字": "长" * 100_000}


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
class RegistryContract:
    name = ""
    manager = ""
    viewers: tuple[str, ...] = ()
    outsiders: tuple[str, ...] = ()
    change: dict = {}
    text_field = "name"  # a free-text field the bad-input checks write into

    def valid(self, users, n: int) -> dict:
        raise NotImplementedError

    # --- helpers -------------------------------------------------------------------------------------
    @property
    def reg(self):
        return registry.get(self.name)

    def url(self, kind, *args):
        from django.urls import reverse

        return reverse(f"registry:{self.name}-{kind}", args=args)

    def count(self):
        return self.reg.model._default_manager.count()

    @pytest.fixture
    def record(self, users):
        form = self.reg.form_class()(self.valid(users, 0), user=users[self.manager])
        assert form.is_valid(), form.errors
        return services.save_object(self.reg, actor=users[self.manager], form=form)

    def _xlsx(self, users, rows: list[dict]) -> bytes:
        spec = import_spec(self.reg, users[self.manager])
        book = Workbook()
        sheet = book.active
        form = self.reg.form_class()(user=users[self.manager])
        names = list(form.fields)
        sheet.append([str(form.fields[n].label) for n in names])
        for row in rows:
            sheet.append([row.get(n, "") if row.get(n) is not True else "是" for n in names])
        assert spec.columns  # the template's columns are the form's fields
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    # --- pages ---------------------------------------------------------------------------------------
    def test_manager_creates_edits_and_deletes_on_pages_with_history(self, users):
        client = _page(users[self.manager])
        assert client.get(self.url("create")).status_code == 200
        response = client.post(self.url("create"), self.valid(users, 1))
        assert response.status_code == 302, response.content.decode()[:3000]
        obj = self.reg.model._default_manager.latest("pk")
        assert response["Location"] == self.url("detail", obj.pk)
        edit = {**self.valid(users, 1), **self.change, "_stamp": services.stamp(obj)}
        assert client.post(self.url("edit", obj.pk), edit).status_code == 302
        obj.refresh_from_db()
        for field, value in self.change.items():
            assert str(getattr(obj, field)) == str(value)
        stale = {**edit, "_stamp": "0" * 16}
        assert client.post(self.url("edit", obj.pk), stale).status_code == 400
        actions = list(ChangeRecord.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
                       .values_list("action", flat=True))
        assert sorted(actions) == ["create", "update"]
        detail = client.get(self.url("detail", obj.pk)).content.decode()
        assert "变更记录" in detail
        if self.reg.deletable:
            before = self.count()
            assert client.post(self.url("delete", obj.pk), {"_stamp": services.stamp(obj)}).status_code == 302
            assert self.count() == before - 1

    def test_each_role_sees_and_changes_only_its_scope(self, users, record):
        for username in (self.manager, *self.viewers):
            client = _page(users[username])
            assert client.get(self.url("detail", record.pk)).status_code == 200
            assert _api(users[username]).get(f"/api/{self.name}/{record.pk}/").status_code == 200
        for username in self.viewers:
            client = _page(users[username])
            assert client.get(self.url("edit", record.pk)).status_code == 403
            assert _api(users[username]).patch(f"/api/{self.name}/{record.pk}/", self.change,
                                               format="json").status_code == 403
        for username in self.outsiders:
            client = _page(users[username])
            assert client.get(self.url("detail", record.pk)).status_code == 404
            assert client.get(self.url("edit", record.pk)).status_code == 404
            listed = _api(users[username]).get(f"/api/{self.name}/", {"page_size": 1000}).json()["results"]
            assert record.pk not in {row["id"] for row in listed}
            assert _api(users[username]).get(f"/api/{self.name}/{record.pk}/").status_code == 404
            assert _api(users[username]).get(f"/api/{self.name}/{record.pk}/history/").status_code == 404
        listed = _api(users[self.manager]).get(f"/api/{self.name}/", {"q": str(getattr(record, self.text_field))})
        assert record.pk in {row["id"] for row in listed.json()["results"]}

    def test_who_may_not_add_is_refused_everywhere(self, users):
        before = self.count()
        for username in (*self.viewers, *self.outsiders):
            if self.reg.can_add(users[username]):
                continue
            assert _page(users[username]).post(self.url("create"), self.valid(users, 2)).status_code == 403
            assert _api(users[username]).post(f"/api/{self.name}/", self.valid(users, 2),
                                              format="json").status_code == 403
            assert _page(users[username]).get(self.url("import")).status_code == 403
        assert self.count() == before

    # --- import --------------------------------------------------------------------------------------
    def test_import_is_all_or_nothing_with_errors_by_row_and_column(self, users):
        client = _api(users[self.manager])
        if not self.reg.importable:  # loaded some other way: neither the template nor the upload is offered
            assert client.get(f"/api/{self.name}/template.xlsx").status_code == 403
            upload = io.BytesIO(b"a,b\n1,2\n")
            upload.name = "rows.csv"
            assert client.post(f"/api/{self.name}/import", {"file": upload}, format="multipart").status_code == 403
            assert _page(users[self.manager]).get(self.url("import")).status_code == 403
            return
        template = client.get(f"/api/{self.name}/template.xlsx")
        assert template.status_code == 200
        headers = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows())]
        assert len(headers) == len(self.reg.form_class()(user=users[self.manager]).fields)
        before = self.count()
        bad = {**self.valid(users, 4), self.text_field: "长" * 1000}
        upload = io.BytesIO(self._xlsx(users, [self.valid(users, 3), bad]))
        upload.name = "rows.xlsx"
        response = client.post(f"/api/{self.name}/import", {"file": upload}, format="multipart")
        assert response.status_code == 400, response.content
        assert [e["row"] for e in response.json()["errors"]] == [3], response.json()
        assert self.count() == before
        upload = io.BytesIO(self._xlsx(users, [self.valid(users, 3), self.valid(users, 4)]))
        upload.name = "rows.xlsx"
        response = client.post(f"/api/{self.name}/import", {"file": upload}, format="multipart")
        assert response.status_code == 201, response.content
        assert response.json() == {"imported": 2}
        assert self.count() == before + 2

    # --- API -----------------------------------------------------------------------------------------
    def test_api_create_patch_stale_history_delete(self, users):
        client = _api(users[self.manager])
        response = client.post(f"/api/{self.name}/", self.valid(users, 5), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        url = f"/api/{self.name}/{body['id']}/"
        patched = client.patch(url, {**self.change, "version": body["version"]}, format="json")
        assert patched.status_code == 200, patched.content
        assert client.patch(url, {**self.change, "version": body["version"]}, format="json").status_code == 409
        history = client.get(url + "history/").json()
        assert set(history) == {"count", "next", "previous", "results"}
        assert [h["action"] for h in history["results"]] == ["update", "create"]
        assert client.patch(url, {"no_such_field": 1}, format="json").status_code == 400
        if self.reg.deletable:
            assert client.delete(url + "?version=stale").status_code == 409
            assert client.delete(url).status_code == 204
            assert client.get(url).status_code == 404

    def test_bad_input_is_a_chinese_400_that_stores_nothing(self, users):
        client = _api(users[self.manager])
        before = self.count()
        for label, text in BAD_TEXT.items():
            response = client.post(f"/api/{self.name}/", {**self.valid(users, 6), self.text_field: text},
                                   format="json")
            assert response.status_code == 400, label
            assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["errors"][0]["message"]), label
        for payload in ([1, 2], "text", None):
            assert client.post(f"/api/{self.name}/", payload, format="json").status_code == 400
        for shape in ([self.valid(users, 6)[self.text_field]], {"a": 1}):  # a list or object where text goes
            response = client.post(f"/api/{self.name}/", {**self.valid(users, 6), self.text_field: shape},
                                   format="json")
            assert response.status_code == 400, shape
            assert response.json()["errors"][0]["field"] == self.text_field
        assert self.count() == before

    def test_list_pages_are_whole_numbers_from_one(self, users, record):
        client = _api(users[self.manager])
        assert client.get(f"/api/{self.name}/", {"page": 1}).status_code == 200
        for page in ("0", "-1", "1.5", "abc", "１"):
            response = client.get(f"/api/{self.name}/", {"page": page})
            assert response.status_code == 400, page
            assert response.json()["errors"][0]["field"] == "page"
        assert client.get(f"/api/{self.name}/", {"page": 99999}).status_code == 404

    def test_export_holds_exactly_the_filtered_rows(self, users, record):
        client = _page(users[self.manager])
        term = str(getattr(record, self.text_field))
        response = client.get(self.url("list"), {"q": term, "_export": "xlsx"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        shown = self.reg.restricted(users[self.manager]).filter(**{f"{self.text_field}__icontains": term}).count()
        assert sheet.max_row - 1 == shown >= 1
