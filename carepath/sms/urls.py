"""Staff pages: message templates, reminder rules and the delivery report."""

from django.urls import path

from carepath.sms.views import config, reports

app_name = "sms"
urlpatterns = [
    path("templates/", config.templates, name="templates"),
    path("templates/new/", config.template_new, name="template_new"),
    path("templates/<int:pk>/", config.template_edit, name="template"),
    path("rules/", config.rules, name="rules"),
    path("rules/<int:pk>/delete/", config.rule_delete, name="rule_delete"),
    path("report/", reports.report, name="report"),
]
