from django.urls import path

from carepath.reporting import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:key>/", views.report_detail, name="detail"),
]
