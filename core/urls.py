from django.urls import path

from core import inbox, public, review_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.KechuangLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.PasswordChange.as_view(), name="password-change"),
    path("users/<int:pk>/password/", views.password_reset, name="user-password-reset"),
    path("health/", views.health, name="health"),
    path("search/", views.site_search, name="search"),
    path("jobs/<int:pk>/", views.job_status, name="job-status"),
    path("imports/<int:pk>/", views.import_job, name="import-job"),
    path("gongshi/", public.notice_list, name="gongshi-list"),
    path("gongshi/<int:pk>/", public.notice_detail, name="gongshi-detail"),
    path("objections/<int:pk>/decide/", public.decide, name="objection-decide"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("review/", review_views.my_reviews, name="review-mine"),
    path("review/<int:pk>/", review_views.score, name="review-score"),
    path("review/rounds/<int:pk>/", review_views.round_page, name="review-round"),
    path("review/rounds/<int:pk>/<str:action>/", review_views.round_action, name="review-round-action"),
    path("inbox/<int:pk>/", inbox.open_notification, name="inbox-open"),
    path("inbox/read-all/", inbox.read_all, name="inbox-read-all"),
    path("me/notifications/", inbox.preferences, name="notification-preferences"),
]
