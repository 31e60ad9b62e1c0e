from django.urls import path

from platforms import views

app_name = "platforms"

urlpatterns = [
    path("ranking/", views.ranking_page, name="ranking"),
    path("overview/", views.overview, name="overview"),
    path("recognition/", views.recognition_page, name="recognition"),
    path("tables/<int:pk>/", views.table_page, name="table"),
    path("tables/import/<str:kind>/<int:year>/", views.TableImport.as_view(), name="table-import"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template-copy"),
    path("<str:code>/", views.platform_page, name="platform"),
]
