from django.urls import path

from casework.views import cases, nrm, records

app_name = "casework"
urlpatterns = [
    path("caseload/", cases.caseload, name="caseload"),
    path("dashboard/", cases.dashboard, name="dashboard"),
    path("new/", cases.case_new, name="case_new"),
    path("batch/new/", cases.batch_new, name="batch_new"),
    path("search/", cases.search, name="search"),
    path("<int:pk>/", cases.case_detail, name="case"),
    path("<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("<int:pk>/history/", cases.case_history, name="case_history"),
    path("<int:pk>/allocate/", cases.case_allocate, name="case_allocate"),
    path("<int:pk>/reopen/", cases.case_reopen, name="case_reopen"),
    path("<int:pk>/missing/notified/", cases.case_missing_notified, name="missing_notified"),
    path("<int:pk>/do/<slug:name>/", cases.case_transition, name="case_transition"),
    path("<int:pk>/nrm/duty-to-notify/", nrm.duty_to_notify_report, name="duty_to_notify"),
    path("<int:pk>/nrm/<slug:name>/", nrm.nrm_action, name="nrm_action"),
    path("<int:pk>/needs/", records.immediate_needs, name="immediate_needs"),
    path(
        "<int:pk>/consents/<int:consent_pk>/withdraw/",
        records.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:pk>/goals/<int:goal_pk>/", records.goal_update, name="goal_update"),
    path("<int:pk>/add/<slug:kind>/", records.record_add, name="record_add"),
]
