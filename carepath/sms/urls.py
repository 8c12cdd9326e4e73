"""Staff pages: message templates, reminder rules and the delivery report."""

app_name = "sms"
urlpatterns: list = []
