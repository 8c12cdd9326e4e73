from django.urls import path

from carepath.subject_access import views

app_name = "subject_access"
urlpatterns = [path("", views.subject_access_request, name="request")]
