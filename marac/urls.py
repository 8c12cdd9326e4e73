from django.urls import path

from marac.views import actions, areas, data_return, meetings, risk

app_name = "marac"
urlpatterns = [
    # Risk work on a case (caseworkers).
    path("cases/<int:pk>/assessments/new/", risk.assessment_new, name="assessment_new"),
    path("cases/<int:pk>/incidents/new/", risk.incident_new, name="incident_new"),
    path("cases/<int:pk>/referrals/new/<int:area_pk>/", risk.referral_new, name="referral_new"),
    # Meetings: the chair's and the partners' start page.
    path("", meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/print/", meetings.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/list/", meetings.meeting_list_case, name="meeting_list_case"),
    path(
        "meetings/<int:pk>/transition/<str:name>/",
        meetings.meeting_transition,
        name="meeting_transition",
    ),
    path("meetings/<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("meetings/<int:pk>/notes/", meetings.meeting_notes, name="meeting_notes"),
    path("agenda-items/<int:pk>/", meetings.item_detail, name="item"),
    path("agenda-items/<int:pk>/discussion/", meetings.item_discussion, name="item_discussion"),
    path("agenda-items/<int:pk>/unlist/", meetings.item_unlist, name="item_unlist"),
    path("agenda-items/<int:pk>/actions/new/", meetings.action_new, name="action_new"),
    path("referrals/<int:pk>/", meetings.referral_detail, name="referral"),
    path(
        "referrals/<int:pk>/transition/<str:name>/",
        meetings.referral_transition,
        name="referral_transition",
    ),
    # Areas and their partner agencies (the chair).
    path("areas/", areas.area_list, name="areas"),
    path("areas/new/", areas.area_new, name="area_new"),
    path("areas/<int:pk>/", areas.area_detail, name="area"),
    path("areas/<int:pk>/edit/", areas.area_edit, name="area_edit"),
    path("areas/<int:pk>/agencies/new/", areas.agency_new, name="agency_new"),
    path("agencies/<int:pk>/edit/", areas.agency_edit, name="agency_edit"),
    path("areas/<int:pk>/meetings/new/", areas.meeting_new, name="meeting_new"),
    # Research before a meeting, and actions after it (partners and the chair).
    path("agenda-items/<int:pk>/research/", actions.research_edit, name="research"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/resolve/", actions.action_resolve, name="action_resolve"),
    # The quarterly data return (the chair and service managers).
    path("areas/<int:pk>/data-return/", data_return.data_return, name="data_return"),
]
