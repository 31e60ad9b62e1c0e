from django.urls import path

from enterprises.views import pages

app_name = "enterprises"

urlpatterns = [
    path("", pages.EnterpriseList.as_view(), name="enterprise-list"),
    path("mine/", pages.mine, name="mine"),
    path("ladder/", pages.ladder_view, name="ladder"),
    path("ladder/feeds/", pages.run_feeds, name="feeds"),
    path("pools/", pages.pool_list, name="pool-list"),
    path("pools/<str:code>/", pages.pool_detail, name="pool-detail"),
    path("rulesets/", pages.ruleset_list, name="ruleset-list"),
    path("rulesets/<str:code>/", pages.ruleset_edit, name="ruleset-edit"),
    path("screenings/", pages.screening_list, name="screening-list"),
    path("screenings/<int:pk>/", pages.screening_detail, name="screening-detail"),
    path("import/enterprises/", pages.EnterpriseImportView.as_view(), name="import-enterprises"),
    path("import/qualifications/", pages.QualificationImportView.as_view(), name="import-qualifications"),
    path("<str:uscc>/", pages.portrait, name="portrait"),
]
