from django.urls import path

from returns.views import plans, report, resettlement

app_name = "returns"
urlpatterns = [
    # A voluntary return on a case.
    path("cases/<int:pk>/return/new/", plans.return_new, name="return_new"),
    path("cases/<int:pk>/return/<int:plan_pk>/", plans.return_detail, name="return"),
    path("cases/<int:pk>/return/<int:plan_pk>/edit/", plans.return_edit, name="return_edit"),
    path(
        "cases/<int:pk>/return/<int:plan_pk>/do/<slug:name>/",
        plans.return_action,
        name="return_action",
    ),
    path(
        "cases/<int:pk>/return/<int:plan_pk>/follow-ups/<int:follow_up_pk>/",
        plans.follow_up,
        name="follow_up",
    ),
    # Resettlement in the UK.
    path(
        "cases/<int:pk>/resettlement/new/", resettlement.resettlement_new, name="resettlement_new"
    ),
    path(
        "cases/<int:pk>/resettlement/<int:plan_pk>/",
        resettlement.resettlement_detail,
        name="resettlement",
    ),
    path(
        "cases/<int:pk>/resettlement/<int:plan_pk>/do/<slug:name>/",
        resettlement.resettlement_action,
        name="resettlement_action",
    ),
    # Returns by country and state, and reintegration support given (service managers).
    path("report/", report.returns_report, name="report"),
]
