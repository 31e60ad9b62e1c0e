from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.KechuangLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.PasswordChange.as_view(), name="password-change"),
    path("users/<int:pk>/password/", views.password_reset, name="user-password-reset"),
    path("health/", views.health, name="health"),
    path("search/", views.site_search, name="search"),
]
