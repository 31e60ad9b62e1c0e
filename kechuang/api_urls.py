from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api import OrgUnitList, TokenView
from enterprises import api as ent_api
from plans import api as plans_api
from tasks import api as tasks_api

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("org-units/", OrgUnitList.as_view(), name="api-org-units"),
    path("plans/", plans_api.PlanList.as_view(), name="api-plans"),
    path("plans/<str:code>/indicators/", plans_api.IndicatorList.as_view(), name="api-indicators"),
    path("plans/<str:code>/progress/", plans_api.Progress.as_view(), name="api-progress"),
    path("plans/<str:code>/ranking/", plans_api.Ranking.as_view(), name="api-ranking"),
    path("plans/<str:code>/export.xlsx", plans_api.Export.as_view(), name="api-export"),
    path("plans/<str:code>/values/import", plans_api.ValueImport.as_view(), name="api-values-import"),
    path("plans/<str:code>/values/template.xlsx", plans_api.ValueTemplate.as_view(), name="api-values-template"),
    path("values/", plans_api.ValueListCreate.as_view(), name="api-values"),
    path("values/<int:pk>/", plans_api.ValueDetail.as_view(), name="api-value"),
    path("values/<int:pk>/history/", plans_api.ValueHistory.as_view(), name="api-value-history"),
    path("values/<int:pk>/submit/", plans_api.ValueTransition.as_view(action="submit"), name="api-value-submit"),
    path("values/<int:pk>/approve/", plans_api.ValueTransition.as_view(action="approve"), name="api-value-approve"),
    path("values/<int:pk>/return/", plans_api.ValueTransition.as_view(action="return"), name="api-value-return"),
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
]
