from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import funds_api, inbox, review_views, url_converters  # noqa: F401 — registers <code:…>
from core.api import TokenView
from core.registry import urls as registry_urls
from core.workflow_api import TransitionsView
from enterprises import api as ent_api
from plans import api as plans_api
from plans.flow import VALUE_FLOW
from plans.region_api import RegionComparison
from platforms import api as platform_api
from platforms.flow import TABLE_FLOW
from projects import api as project_api
from projects.flow import PROJECT_FLOW
from tasks import api as tasks_api
from vouchers import api as voucher_api
from vouchers.flow import CLAIM_FLOW

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("notifications/", inbox.NotificationList.as_view(), name="api-notifications"),
    path("funds/summary/", funds_api.FundSummary.as_view(), name="api-funds-summary"),
    path("review/assignments/", review_views.AssignmentList.as_view(), name="api-review-assignments"),
    path("review/assignments/<int:pk>/scores/", review_views.AssignmentScores.as_view(),
         name="api-review-scores"),
    path("funds/<int:pk>/payments/", funds_api.FundPayment.as_view(), name="api-fund-payment"),
    path("objections/<int:pk>/decision/", funds_api.ObjectionDecision.as_view(), name="api-objection-decision"),
    path("notifications/read-all/", inbox.NotificationReadAll.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", inbox.NotificationRead.as_view(), name="api-notification-read"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("plans/", plans_api.PlanList.as_view(), name="api-plans"),
    path("plans/<str:code>/indicators/", plans_api.IndicatorList.as_view(), name="api-indicators"),
    path("plans/<str:code>/progress/", plans_api.Progress.as_view(), name="api-progress"),
    path("plans/<str:code>/ranking/", plans_api.Ranking.as_view(), name="api-ranking"),
    path("plans/<str:code>/export.xlsx", plans_api.Export.as_view(), name="api-export"),
    path("plans/<str:code>/values/import", plans_api.ValueImport.as_view(), name="api-values-import"),
    path("plans/<str:code>/values/template.xlsx", plans_api.ValueTemplate.as_view(), name="api-values-template"),
    path("regions/<str:code>/comparison/", RegionComparison.as_view(), name="api-region-comparison"),
    path("plans/<str:code>/feed-conflicts/", plans_api.FeedConflictList.as_view(), name="api-feed-conflicts"),
    path("feed-conflicts/<int:pk>/decision/", plans_api.FeedConflictDecision.as_view(),
         name="api-feed-conflict-decision"),
    path("values/", plans_api.ValueListCreate.as_view(), name="api-values"),
    path("values/<int:pk>/", plans_api.ValueDetail.as_view(), name="api-value"),
    path("values/<int:pk>/history/", plans_api.ValueHistory.as_view(), name="api-value-history"),
    path("values/<int:pk>/submit/", plans_api.ValueTransition.as_view(action="submit"), name="api-value-submit"),
    path("values/<int:pk>/approve/", plans_api.ValueTransition.as_view(action="approve"), name="api-value-approve"),
    path("values/<int:pk>/return/", plans_api.ValueTransition.as_view(action="return"), name="api-value-return"),
    path("values/<int:pk>/transitions/", TransitionsView.as_view(workflow=VALUE_FLOW), name="api-value-transitions"),
    path("plans/<str:code>/tasks/", tasks_api.TaskList.as_view(), name="api-tasks"),
    path("plans/<str:code>/tasks/overdue/", tasks_api.Overdue.as_view(), name="api-tasks-overdue"),
    path("plans/<str:code>/report.docx", tasks_api.ReportDocument.as_view(kind="docx"), name="api-report-docx"),
    path("plans/<str:code>/report.xlsx", tasks_api.ReportDocument.as_view(kind="xlsx"), name="api-report-xlsx"),
    path("plans/<str:code>/reports/", tasks_api.ReportJobs.as_view(), name="api-report-jobs"),
    path("jobs/<int:pk>/", tasks_api.JobDetail.as_view(), name="api-job"),
    path("tasks/<str:code>/", tasks_api.TaskDetail.as_view(), name="api-task"),
    path("tasks/<str:code>/reports/", tasks_api.Reports.as_view(), name="api-task-reports"),
    path("tasks/<str:code>/transitions/", tasks_api.Transitions.as_view(), name="api-task-transitions"),
    path("tasks/<str:code>/remind/", tasks_api.Remind.as_view(), name="api-task-remind"),
    path("enterprises/", ent_api.EnterpriseList.as_view(), name="api-enterprises"),
    path("enterprises/import", ent_api.EnterpriseImport.as_view(), name="api-enterprises-import"),
    path("qualifications/import", ent_api.QualificationImport.as_view(), name="api-qualifications-import"),
    path("enterprises/<str:uscc>/", ent_api.EnterpriseDetail.as_view(), name="api-enterprise"),
    path("enterprises/<str:uscc>/assessment/", ent_api.AssessmentView.as_view(), name="api-assessment"),
    path("rulesets/", ent_api.RuleSetList.as_view(), name="api-rulesets"),
    path("rulesets/<str:code>/", ent_api.RuleSetDetail.as_view(), name="api-ruleset"),
    path("screenings/", ent_api.ScreeningCreate.as_view(), name="api-screenings"),
    path("screenings/<int:pk>/", ent_api.ScreeningDetail.as_view(), name="api-screening"),
    path("screenings/<int:pk>/results.xlsx", ent_api.ScreeningResults.as_view(), name="api-screening-results"),
    path("pools/", ent_api.PoolList.as_view(), name="api-pools"),
    path("pools/<str:code>/members/", ent_api.PoolMembers.as_view(), name="api-pool-members"),
    path("platforms/ranking/", platform_api.Ranking.as_view(), name="api-platform-ranking"),
    path("rd-coverage/", platform_api.RdCoverage.as_view(), name="api-rd-coverage"),
    path("performance-tables/<int:pk>/transitions/", TransitionsView.as_view(workflow=TABLE_FLOW),
         name="api-performance-table-transitions"),
    path("vouchers/claims/<int:pk>/transitions/", TransitionsView.as_view(workflow=CLAIM_FLOW),
         name="api-voucher-claim-transitions"),
    path("vouchers/claims/<int:pk>/files/", voucher_api.ClaimFiles.as_view(), name="api-voucher-claim-files"),
    path("vouchers/summary/", voucher_api.YearSummary.as_view(), name="api-voucher-summary"),
    path("projects/<int:pk>/transitions/", TransitionsView.as_view(workflow=PROJECT_FLOW),
         name="api-project-transitions"),
    path("projects/figures/", project_api.Figures.as_view(), name="api-project-figures"),
] + registry_urls.api_patterns() + [
    # After the registry's /api/platforms/<id>/: a code is never only digits.
    path("platforms/<code:code>/", platform_api.PlatformDetail.as_view(), name="api-platform"),
    path("platforms/<code:code>/tables/<int:year>/", platform_api.TableDetail.as_view(), name="api-platform-table"),
    path("vouchers/batches/<code:code>/", voucher_api.BatchDetail.as_view(), name="api-voucher-batch"),
    path("vouchers/batches/<code:code>/actions/", voucher_api.BatchAction.as_view(), name="api-voucher-batch-action"),
    path("vouchers/batches/<code:code>/<str:kind>.<str:fmt>", voucher_api.BatchDocument.as_view(),
         name="api-voucher-batch-document"),
    path("projects/<code:code>/", project_api.ProjectDetail.as_view(), name="api-project"),
    path("projects/<code:code>/tranches/", project_api.Tranches.as_view(), name="api-project-tranches"),
    path("projects/<code:code>/actions/", project_api.ProjectAction.as_view(), name="api-project-action"),
    path("projects/calls/<code:code>/actions/", project_api.CallAction.as_view(), name="api-project-call-action"),
    path("projects/calls/<code:code>/<str:kind>.<str:fmt>", project_api.CallDocument.as_view(),
         name="api-project-call-document"),
]
