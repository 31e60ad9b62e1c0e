"""The JSON API every registration gets, over the same restricted queryset, FilterSet, form and services.

``GET/POST /api/<name>/``, ``GET/PATCH/DELETE /api/<name>/{id}/``, ``GET /api/<name>/{id}/history/``,
``POST /api/<name>/import`` and ``GET /api/<name>/template.xlsx``. Writes are checked by the create page's
form, so a record the page refuses the API refuses for the same reason.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import ChangeRecordSerializer, invalid
from core.api_schema import IMPORT_BODY, IMPORTED
from core.audit import history_for
from core.errors import ImportRejected, RowProblem
from core.filters import StrictFilterBackend
from core.registry import imports, services
from core.registry.schema import form_data, write_serializer
from core.responses import download


class RegistryViewSet(viewsets.GenericViewSet):
    registration = None
    filter_backends = [StrictFilterBackend, OrderingFilter]
    # Bodies are JSON (a form cannot say null or a list); the import route takes multipart (see urls).
    parser_classes = [JSONParser]

    def get_queryset(self):
        return self.registration.restricted(self.request.user, "view")

    def get_serializer_class(self):
        return self.registration.serializer_class()

    @property
    def filterset_class(self):
        return self.registration.filterset_class()

    @property
    def ordering_fields(self):
        return list(self.registration.list_fields)

    def _object(self, pk, action: str = "view"):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        if action != "view" and not self.registration.restricted(self.request.user, action).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改此记录"))
        return obj

    def _form(self, data, instance=None):
        form_class = self.registration.form_class()
        fields = form_class.base_fields
        unknown = sorted(set(data) - set(fields) - {"version"})
        if unknown:
            raise serializers.ValidationError({name: _("不能修改此字段") for name in unknown})
        current = {}
        if instance is not None:  # PATCH: what is not sent stays as it is
            stored = model_to_dict(instance, fields=list(fields))
            current = {k: v for k, v in stored.items() if v is not None}
        merged = form_data(self.registration.model, fields, {k: v for k, v in data.items() if k != "version"},
                           current)
        return form_class(merged, instance=instance, user=self.request.user)

    def _data(self):
        # Bodies are JSON (parser_classes): anything but an object is refused here.
        if not isinstance(self.request.data, dict):
            raise serializers.ValidationError(_("请求体应为 JSON 对象"))
        return dict(self.request.data)

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self._object(pk)).data)

    def create(self, request):
        if not self.registration.can_add(request.user):
            raise PermissionDenied(_("您无权新建%(name)s") % {"name": self.registration.verbose_name})
        form = self._form(self._data())
        if not form.is_valid():
            return invalid(form)
        obj = services.save_object(self.registration, actor=request.user, form=form)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        instance = self._object(pk, "change")
        data = self._data()
        form = self._form(data, instance)
        if not form.is_valid():
            return invalid(form)
        obj = services.save_object(self.registration, actor=request.user, form=form, instance=instance,
                                   seen_stamp=data.get("version"))
        return Response(self.get_serializer(obj).data)

    @extend_schema(parameters=[OpenApiParameter("version", str, description="读取时的 version，防止删除已被修改的记录")],
                   responses={204: None})
    def destroy(self, request, pk=None):
        instance = self._object(pk, "delete")
        services.delete_object(self.registration, actor=request.user, instance=instance,
                               seen_stamp=request.query_params.get("version"))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ChangeRecordSerializer(many=True), filters=False)
    def history(self, request, pk=None):
        page = self.paginate_queryset(history_for(self._object(pk)))
        return self.get_paginated_response(ChangeRecordSerializer(page, many=True).data)

    @extend_schema(request=IMPORT_BODY, responses={201: IMPORTED}, filters=False)
    def import_file(self, request):
        if not (self.registration.importable and self.registration.can_add(request.user)):
            raise PermissionDenied(_("您无权导入%(name)s") % {"name": self.registration.verbose_name})
        upload = request.FILES.get("file")
        if upload is None:
            raise ImportRejected([RowProblem(0, "", _("请以 file 字段上传文件"))])
        rows = imports.import_spec(self.registration, request.user).run(upload.name, upload.read())
        return Response({"imported": len(rows)}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes},
                   filters=False)
    def template(self, request):
        if not (self.registration.importable and self.registration.can_add(request.user)):
            raise PermissionDenied(_("您无权导入%(name)s") % {"name": self.registration.verbose_name})
        return download(imports.import_spec(self.registration, request.user).template(),
                        f"{self.registration.name.replace('/', '-')}-template.xlsx")


def viewset_for(registration) -> type[RegistryViewSet]:
    name = registration.model.__name__
    viewset = type(f"{name}RegistryViewSet", (RegistryViewSet,), {"registration": registration,
                                                                    "__doc__": f"{registration.label}"})
    read = registration.serializer_class()
    return extend_schema_view(
        create=extend_schema(request=write_serializer(registration, partial=False), responses={201: read}),
        partial_update=extend_schema(request=write_serializer(registration, partial=True), responses={200: read}),
    )(viewset)


class ByCodeWrites:
    """For a view at ``/api/<name>/<code:code>/`` behind the registry's ``<int:pk>``: a record's address by its
    code takes the same edit and delete as its address by id (the registry's own, so the same checks), and an
    unknown code is a 404 whatever the method."""

    registry_name = ""
    code_field = "code"

    def _by_code(self, request, code: str, action: str):
        from core.errors import Missing
        from core.registry import get

        registration = get(self.registry_name)
        obj = registration.restricted(request.user, "view").filter(**{self.code_field: code}).first()
        if obj is None:
            raise Missing(_("找不到该记录，或不在您的管辖范围内"))
        view = viewset_for(registration).as_view({request.method.lower(): action})
        return view(request._request, pk=obj.pk)

    @extend_schema(exclude=True)
    def patch(self, request, code: str):
        return self._by_code(request, code, "partial_update")

    @extend_schema(exclude=True)
    def delete(self, request, code: str):
        return self._by_code(request, code, "destroy")
