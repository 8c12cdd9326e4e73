from django.urls import path

from marac import views

app_name = "marac"
urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("cases/<int:pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("cases/<int:pk>/incidents/new/", views.incident_new, name="incident_new"),
    path("cases/<int:pk>/referrals/new/<int:area_pk>/", views.referral_new, name="referral_new"),
]
