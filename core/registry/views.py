"""The pages every registration gets: list, detail, create, edit, delete and import.

Thin: each parses the request, starts from the registration's restricted queryset and calls
``core.registry.services``; nothing here decides a business rule.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.audit import history_for
from core.errors import BusinessError
from core.generic import BulkImportView, ObjectListView
from core.registry import imports, services
from core.registry.factories import LookupChoiceField


class RegistryMixin:
    registration = None

    def url(self, kind: str, *args) -> str:
        return reverse(f"registry:{self.registration.name}-{kind}", args=args)

    def object_for(self, request, pk, action: str):
        """The record if the user may take ``action`` on it: 404 when not even visible, 403 when read-only."""
        obj = get_object_or_404(self.registration.restricted(request.user, "view"), pk=pk)
        if action != "view" and not self.registration.restricted(request.user, action).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改此记录"))
        return obj


class RegistryList(RegistryMixin, ObjectListView):
    def get_queryset(self):
        return self.registration.restricted(self.request.user, "view")

    def get_filterset_class(self):
        return self.registration.filterset_class()

    def get_table_class(self):
        return self.registration.table_class()

    def get_context_data(self, **kwargs):
        self.title = self.registration.label
        self.export_name = self.registration.name.replace("/", "-")  # "vouchers/claims" → a file name
        return super().get_context_data(**kwargs)

    def get_actions(self):
        if not self.registration.can_add(self.request.user):
            return []
        actions = [(_("新建"), self.url("create"))]
        if self.registration.importable:
            actions.append((_("批量导入"), self.url("import")))
        return actions


def _display(obj, name: str):
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


class RegistryDetail(RegistryMixin, LoginRequiredMixin, View):
    def get(self, request, pk):
        obj = self.object_for(request, pk, "view")
        meta = obj._meta
        rows = [(meta.get_field(name).verbose_name, _display(obj, name)) for name in self.registration.detail_fields]
        changeable = self.registration.restricted(request.user, "change").filter(pk=pk).exists()
        actions = []
        if changeable and self.registration.editable:
            actions.append((_("编辑"), self.url("edit", pk), "primary"))
            if self.registration.deletable:
                actions.append((_("删除"), self.url("delete", pk), "danger"))
        if changeable and self.registration.detail_actions is not None:
            actions += [(label, url, "secondary") for label, url in self.registration.detail_actions(
                request.user, obj)]
        return render(request, "core/registry_detail.html", {
            "object": obj, "title": str(obj), "rows": rows, "history": history_for(obj)[:200],
            "record_actions": actions, "list_url": self.url("list"), "label": self.registration.label})


class RegistryEdit(RegistryMixin, LoginRequiredMixin, View):
    """Create (no pk) or edit a record through the registration's form."""

    def get_instance(self, request, pk):
        if pk is None:
            if not self.registration.can_add(request.user):
                raise PermissionDenied(_("您无权新建%(name)s") % {"name": self.registration.verbose_name})
            return None
        if not self.registration.editable:
            raise PermissionDenied(_("%(name)s不能直接修改") % {"name": self.registration.verbose_name})
        return self.object_for(request, pk, "change")

    def render_form(self, request, form, instance, status=200):
        title = (_("编辑：%(name)s") % {"name": instance}) if instance else \
            (_("新建%(name)s") % {"name": self.registration.verbose_name})
        return render(request, "core/object_edit.html", {
            "form": form, "object": instance, "title": title,
            "stamp": services.stamp(instance) if instance else ""}, status=status)

    def get(self, request, pk=None):
        instance = self.get_instance(request, pk)
        form_class = self.registration.form_class()
        # A new record may arrive filled in (e.g. the unit an import named): only the form's own fields.
        initial = {k: v[:200] for k, v in request.GET.items() if k in form_class.base_fields} if pk is None else {}
        form = form_class(instance=instance, initial=initial, user=request.user)
        for name, value in initial.items():  # a related record named by code or name: select it
            if isinstance(form.fields[name], LookupChoiceField):
                try:
                    form.initial[name] = form.fields[name].to_python(value).pk
                except ValidationError:
                    form.initial.pop(name)
        return self.render_form(request, form, instance)

    def post(self, request, pk=None):
        instance = self.get_instance(request, pk)
        form = self.registration.form_class()(request.POST, request.FILES or None, instance=instance,
                                              user=request.user)
        if form.is_valid():
            try:
                obj = services.save_object(self.registration, actor=request.user, form=form, instance=instance,
                                           seen_stamp=request.POST.get("_stamp"))
            except BusinessError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存"))
                return redirect(self.url("detail", obj.pk))
        return self.render_form(request, form, instance, status=400)


class RegistryDelete(RegistryMixin, LoginRequiredMixin, View):
    def get(self, request, pk):
        obj = self.object_for(request, pk, "delete")
        return render(request, "core/registry_delete.html", {
            "object": obj, "title": _("删除：%(name)s") % {"name": obj}, "stamp": services.stamp(obj),
            "back": self.url("detail", pk)})

    def post(self, request, pk):
        obj = self.object_for(request, pk, "delete")
        try:
            services.delete_object(self.registration, actor=request.user, instance=obj,
                                   seen_stamp=request.POST.get("_stamp"))
        except BusinessError as exc:
            return render(request, "core/registry_delete.html", {
                "object": obj, "title": _("删除：%(name)s") % {"name": obj}, "stamp": services.stamp(obj),
                "back": self.url("detail", pk), "error": str(exc)}, status=400)
        messages.success(request, _("已删除：%(name)s") % {"name": obj})
        return redirect(self.url("list"))


class RegistryImport(RegistryMixin, BulkImportView):
    def check_access(self, request, **kwargs):
        if not (self.registration.importable and self.registration.can_add(request.user)):
            raise PermissionDenied(_("您无权导入%(name)s") % {"name": self.registration.verbose_name})
        self.title = _("批量导入：%(name)s") % {"name": self.registration.label}
        self.help_text = _("每行一条记录，列与新建页的字段相同；关联的单位、区划可填编码或名称，"
                           "是否类填“是”或“否”。")

    def run(self, request, name, data, **kwargs):
        return len(imports.import_spec(self.registration, request.user).run(name, data))

    def template_bytes(self, request, **kwargs):
        return imports.import_spec(self.registration, request.user).template()

    def back_url(self, request, **kwargs):
        return self.url("list")
