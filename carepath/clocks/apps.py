from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "carepath.clocks"
    label = "clocks"
    verbose_name = "Statutory and target periods"
