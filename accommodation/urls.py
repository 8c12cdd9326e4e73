from django.urls import path

from accommodation import views

app_name = "accommodation"
urlpatterns = [path("", views.board, name="board")]
