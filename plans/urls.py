from django.urls import path

from plans.views import cockpit, feeds, records, region, reporting

app_name = "plans"

urlpatterns = [
    path("", records.PlanList.as_view(), name="plan-list"),
    path("go/", cockpit.go, name="go"),
    path("new/", records.plan_create, name="plan-create"),
    path("new/template.xlsx", records.plan_template, name="plan-template"),
    path("report/", reporting.report_go, name="report-go"),
    path("review/", reporting.review_go, name="review-go"),
    path("values/", records.ValueList.as_view(), name="value-list"),
    path("values/<int:pk>/", records.ValueDetail.as_view(), name="value-detail"),
    path("values/<int:pk>/review/", reporting.review_action, name="review-action"),
    path("regions/go/", region.region_go, name="region-go"),
    path("regions/<str:code>/", region.region_view, name="region"),
    path("<str:code>/", cockpit.cockpit, name="cockpit"),
    path("<str:code>/about/", records.plan_detail, name="plan-detail"),
    path("<str:code>/indicators/import/", records.IndicatorTableImport.as_view(), name="indicator-import"),
    path("<str:code>/indicators/<str:indicator>/", cockpit.indicator_detail, name="indicator"),
    path("<str:code>/indicators/<str:indicator>/edit/", records.IndicatorEdit.as_view(), name="indicator-edit"),
    path("<str:code>/report/", reporting.report, name="report"),
    path("<str:code>/review/", reporting.review, name="review"),
    path("<str:code>/review/bulk/", reporting.review_bulk, name="review-bulk"),
    path("<str:code>/lock/", reporting.lock_action, name="lock"),
    path("<str:code>/import/", reporting.ValueImportView.as_view(), name="import"),
    path("<str:code>/feeds/", feeds.settings_page, name="feed-settings"),
    path("<str:code>/feeds/conflicts/", feeds.conflicts_page, name="feed-conflicts"),
    path("<str:code>/export.xlsx", reporting.export, name="export"),
]
