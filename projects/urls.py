from django.urls import path

from core import url_converters  # noqa: F401 — registers <code:…>
from projects import views

app_name = "projects"

urlpatterns = [
    path("board/", views.workbench, name="workbench"),  # /projects/ itself is the registry's list
    path("p/<code:code>/", views.project_page, name="project"),
    path("files/<int:pk>/", views.project_file, name="file"),
    path("call/<code:code>/", views.call_page, name="call"),
    path("call/<code:code>/<str:kind>.<str:fmt>", views.call_document, name="call-document"),
]
