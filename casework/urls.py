from django.urls import path

from casework.views import (
    access,
    appointments,
    cases,
    contact,
    imports,
    legal,
    legal_transitions,
    nrm,
    records,
    texts,
)

app_name = "casework"
urlpatterns = [
    path("caseload/", cases.caseload, name="caseload"),
    path("dashboard/", cases.dashboard, name="dashboard"),
    path("new/", cases.case_new, name="case_new"),
    path("batch/new/", cases.batch_new, name="batch_new"),
    path("search/", cases.search, name="search"),
    path("import/", imports.import_cases, name="import_cases"),
    # Emergency ("break-glass") access and its review.
    path("emergency/", access.emergency_access, name="emergency_access"),
    path("emergency/<int:grant_pk>/end/", access.emergency_access_end, name="emergency_end"),
    path("emergency/reviews/", access.emergency_reviews, name="emergency_reviews"),
    path("emergency/reviews/<int:grant_pk>/", access.emergency_review, name="emergency_review"),
    path("<int:pk>/", cases.case_detail, name="case"),
    path("<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("<int:pk>/history/", cases.case_history, name="case_history"),
    path("<int:pk>/allocate/", cases.case_allocate, name="case_allocate"),
    path("<int:pk>/reopen/", cases.case_reopen, name="case_reopen"),
    path("<int:pk>/missing/notified/", cases.case_missing_notified, name="missing_notified"),
    path("<int:pk>/do/<slug:name>/", cases.case_transition, name="case_transition"),
    # Sealing (only the people named may open the case), naming people, unsealing.
    path("<int:pk>/seal/", access.case_seal, name="case_seal"),
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
    path("<int:pk>/appointments/new/", appointments.appointment_new, name="appointment_new"),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/",
        appointments.appointment_detail,
        name="appointment",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/interpreters/new/",
        appointments.interpreter_new,
        name="interpreter_new",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/interpreters/<int:booking_pk>/<slug:name>/",
        appointments.interpreter_action,
        name="interpreter_action",
    ),
    path(
        "<int:pk>/appointments/<int:appointment_pk>/<slug:name>/",
        appointments.appointment_action,
        name="appointment_action",
    ),
    path("<int:pk>/contact/new/", contact.contact_new, name="contact_new"),
    path("<int:pk>/contact/suspend/", contact.contact_suspend_all, name="contact_suspend"),
    path("<int:pk>/contact/<int:contact_pk>/", contact.contact_edit, name="contact_edit"),
    path(
        "<int:pk>/contact/<int:contact_pk>/resume/", contact.contact_resume, name="contact_resume"
    ),
    path(
        "<int:pk>/texts/<int:reminder_pk>/resolve/",
        texts.reminder_resolve,
        name="reminder_resolve",
    ),
    # Legal matters: criminal injuries compensation, immigration, criminal justice, civil.
    path("<int:pk>/legal/new/<slug:kind>/", legal.matter_new, name="legal_new"),
    path("<int:pk>/legal/<int:matter_pk>/", legal.matter_detail, name="legal_matter"),
    path("<int:pk>/legal/<int:matter_pk>/edit/", legal.matter_edit, name="legal_edit"),
    path("<int:pk>/legal/<int:matter_pk>/steps/new/", legal.step_new, name="legal_step_new"),
    path(
        "<int:pk>/legal/<int:matter_pk>/steps/<int:step_pk>/",
        legal.step_update,
        name="legal_step",
    ),
    path(
        "<int:pk>/legal/<int:matter_pk>/do/<slug:name>/",
        legal_transitions.matter_action,
        name="legal_action",
    ),
]
