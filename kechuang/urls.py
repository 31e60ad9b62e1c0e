from django.contrib import admin
from django.urls import include, path

from core.registry import urls as registry_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include((registry_urls.page_patterns(), "registry"))),
    path("plans/", include("plans.urls")),
    path("tasks/", include("tasks.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("platforms/", include("platforms.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("projects/", include("projects.urls")),
    path("api/", include("kechuang.api_urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
