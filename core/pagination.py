"""Page-number pagination whose ``page`` parameter is what the schema says: a whole number from 1."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class StrictPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        text = request.query_params.get(self.page_query_param)
        if text is None:
            return 1
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise ValidationError({"page": "页码应为从1开始的整数"})
        return min(int(text), 10**9)  # far past the end is simply not found

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:  # a page past the end: still "not found", in Chinese
            raise NotFound("没有这一页") from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "页码，从1开始"
        return parameters
