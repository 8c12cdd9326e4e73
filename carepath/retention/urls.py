from django.urls import path

from carepath.retention import views

app_name = "retention"
urlpatterns = [
    path("runs/", views.runs, name="runs"),
    path("runs/preview/", views.preview, name="preview"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:pk>/", views.hold, name="hold"),
]
