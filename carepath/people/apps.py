from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "carepath.people"
    label = "people"
    verbose_name = "People and roles"
