from django.urls import path

from tasks.views import pages

app_name = "tasks"

urlpatterns = [
    path("", pages.TaskList.as_view(), name="task-list"),
    path("mine/", pages.my_tasks, name="my-tasks"),
    path("board/", pages.board_go, name="board-go"),
    path("board/<str:code>/", pages.board, name="board"),
    path("reports/", pages.reports_go, name="reports-go"),
    path("reports/<str:code>/", pages.reports, name="reports"),
    path("reports/<str:code>/settings/", pages.report_settings, name="report-settings"),
    path("jobs/<int:pk>/", pages.job_status, name="job"),
    path("issued/<int:pk>/<str:kind>/", pages.download, name="download"),
    path("<str:code>/", pages.task_detail, name="task-detail"),
    path("<str:code>/act/", pages.task_action, name="task-action"),
    path("<str:code>/attachments/<int:pk>/", pages.attachment, name="attachment"),
]
