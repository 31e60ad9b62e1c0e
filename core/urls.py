from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.KechuangLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("health/", views.health, name="health"),
    path("org-units/", views.OrgUnitList.as_view(), name="orgunit-list"),
]
