"""Provider callbacks (Twilio): status reports and inbound messages."""

urlpatterns: list = []
