from django.urls import path

from accommodation import views

app_name = "accommodation"
urlpatterns = [
    path("", views.board, name="board"),
    path("vacancies/", views.vacancies, name="vacancies"),
    path("properties/", views.property_list, name="properties"),
    path("properties/new/", views.property_new, name="property_new"),
    path("properties/<int:pk>/", views.property_detail, name="property"),
    path("properties/<int:pk>/edit/", views.property_edit, name="property_edit"),
    path("properties/<int:pk>/units/new/", views.unit_new, name="unit_new"),
    path("properties/<int:pk>/units/<int:unit_pk>/", views.unit_edit, name="unit_edit"),
    path("beds/<int:pk>/", views.bed_space_use, name="bed_space"),
    path("requests/new/<int:case_pk>/", views.placement_request, name="placement_request"),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("placements/<int:pk>/<slug:name>/", views.placement_action, name="placement_action"),
]
