from django.urls import path

from casework import views

app_name = "casework"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
