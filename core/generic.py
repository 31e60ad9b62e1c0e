"""List, detail, edit and import pages written once; an app declares a model's pieces and gets the pages.

Like NetBox's generic views: a page class names ``queryset``, ``table``, ``filterset``, ``form`` or
``import_spec``; scoping comes from ``restrict`` on the queryset so no page can forget it.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from core import import_jobs
from core.audit import history_for, record_change, snapshot
from core.errors import BusinessError, Conflict, ImportRejected, NotAllowed
from core.models import ChangeRecord
from core.responses import download
from core.spreadsheets import SafeTableExport


class ObjectListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """A filtered, searchable, sortable, paginated list with an Excel export of what is shown."""

    queryset = None
    table_class = None
    filterset_class = None
    template_name = "core/object_list.html"
    title = ""
    per_page = 50
    # The table paginates; a second paginator from ListView would count the rows again.
    paginate_by = None
    # Lists of a province's worth of rows use django-tables2's LazyPaginator: no COUNT over the whole filter.
    paginator_class = None
    export_name = "export"
    actions: list[tuple[str, str]] = []  # (label, url name) buttons above the list

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")

    def get_table_pagination(self, table):
        options = {"per_page": self.per_page}
        if self.paginator_class is not None:
            options["paginator_class"] = self.paginator_class
        return options

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["actions"] = self.get_actions()
        return context

    def get_actions(self):
        return self.actions

    def render_to_response(self, context, **kwargs):
        export = self.request.GET.get("_export")
        if export in ("xlsx", "csv"):
            table = self.get_table_class()(self.object_list, exclude=getattr(self, "export_exclude", ()))
            RequestConfig(self.request, paginate=False).configure(table)
            exporter = SafeTableExport(export, table)
            return exporter.response(f"{self.export_name}.{export}")
        return super().render_to_response(context, **kwargs)


class ObjectDetailView(LoginRequiredMixin, View):
    """A record's fields and its change history."""

    queryset = None
    template_name = "core/object_detail.html"
    fields: list[str] = []
    lookup = "pk"

    def get_object(self, **kwargs):
        return get_object_or_404(self.queryset.restrict(self.request.user, "view"),
                                 **{self.lookup: kwargs[self.lookup]})

    def get_rows(self, obj) -> list[tuple[str, object]]:
        rows = []
        for name in self.fields:
            field = obj._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            if isinstance(value, bool):
                value = _("是") if value else _("否")
            elif isinstance(value, Decimal):
                value = format(value.normalize(), "f")  # 3.5, not the column's 3.500000
            rows.append((field.verbose_name, value))
        return rows

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, **kwargs):
        obj = self.get_object(**kwargs)
        return render(request, self.template_name, {
            "object": obj, "title": str(obj), "rows": self.get_rows(obj),
            "history": history_for(obj)[:200], **self.extra_context(obj)})


class ObjectEditView(LoginRequiredMixin, View):
    """Edit a record through its form; the change is kept in the history and a stale edit is refused."""

    queryset = None
    form_class = None
    template_name = "core/object_edit.html"
    lookup = "pk"

    def get_object(self, **kwargs):
        return get_object_or_404(self.queryset.restrict(self.request.user, "change"),
                                 **{self.lookup: kwargs[self.lookup]})

    def save(self, form, obj):
        """Default write: the form's fields, with history. Models with workflows override this with a service."""
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            stamp = self.request.POST.get("_stamp")
            if stamp and stamp != _stamp(locked):
                raise Conflict(_("该记录已被他人修改，请刷新后重试"))
            before = snapshot(locked)
            saved = form.save()
            record_change(actor=self.request.user, obj=saved, action=ChangeRecord.Action.UPDATE, before=before,
                          after=snapshot(saved))
        return saved

    def success_url(self, obj):
        return obj.get_absolute_url()

    def render_form(self, request, form, obj):
        return render(request, self.template_name, {"form": form, "object": obj, "stamp": _stamp(obj),
                                                    "title": _("编辑：%(name)s") % {"name": obj}})

    def get(self, request, **kwargs):
        obj = self.get_object(**kwargs)
        return self.render_form(request, self.form_class(instance=obj), obj)

    def post(self, request, **kwargs):
        obj = self.get_object(**kwargs)
        form = self.form_class(request.POST, instance=obj)
        if form.is_valid():
            try:
                saved = self.save(form, obj)
            except BusinessError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存"))
                return redirect(self.success_url(saved))
        return self.render_form(request, form, obj)


def _stamp(obj) -> str:
    """What the editor saw: a stale form is detected by comparing this on save (stable across processes)."""
    from core.registry.services import stamp

    return stamp(obj)


class BulkImportView(LoginRequiredMixin, View):
    """Upload a table; nothing is written unless every row is right, and each problem is shown by its row.

    With ``job_importer`` (a name registered in core.import_jobs), an upload of more than
    KECHUANG_IMPORT_JOB_ROWS rows runs as a background job and the page follows it instead.
    """

    template_name = "core/import.html"
    title = ""
    help_text = ""
    job_importer = ""

    def check_access(self, request, **kwargs):
        """Raise PermissionDenied when the user may not import here."""

    def run(self, request, name: str, data: bytes, **kwargs) -> int:
        raise NotImplementedError

    def template_bytes(self, request, **kwargs) -> bytes:
        raise NotImplementedError

    def back_url(self, request, **kwargs) -> str:
        return request.path

    def _context(self) -> dict:
        return {"title": self.title, "help_text": self.help_text,
                "job_rows": import_jobs.job_rows() if self.job_importer else None}

    def get(self, request, **kwargs):
        self.check_access(request, **kwargs)
        if "template" in request.GET:
            return download(self.template_bytes(request, **kwargs), "template.xlsx")
        return render(request, self.template_name, self._context())

    def post(self, request, **kwargs):
        self.check_access(request, **kwargs)
        upload = request.FILES.get("file")
        context = self._context()
        if upload is None:
            context["problems"] = [{"row": "", "column": "", "message": _("请选择要导入的文件")}]
            return render(request, self.template_name, context, status=400)
        data = upload.read()
        if self.job_importer and import_jobs.wants_job(upload.name, data):
            try:
                job = import_jobs.start_import(key=self.job_importer, title=f"{self.title}：{upload.name}"[:200],
                                               user=request.user, name=upload.name, data=data,
                                               back_url=self.back_url(request, **kwargs))
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            return redirect("import-job", pk=job.pk)
        try:
            count = self.run(request, upload.name, data, **kwargs)
        except ImportRejected as exc:
            context["problems"] = exc.problems
            context["file_name"] = upload.name
            return render(request, self.template_name, context, status=400)
        except PermissionDenied:
            raise
        messages.success(request, _("导入成功：%(n)s条") % {"n": count})
        return redirect(self.back_url(request, **kwargs))
