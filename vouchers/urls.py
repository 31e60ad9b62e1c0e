from django.urls import path

from vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("claim/<int:pk>/", views.claim_page, name="claim"),
    path("files/<int:pk>/", views.claim_file, name="file"),
    path("batch/<str:code>/", views.batch_page, name="batch"),
    path("batch/<str:code>/<str:kind>.<str:fmt>", views.batch_document, name="batch-document"),
]
