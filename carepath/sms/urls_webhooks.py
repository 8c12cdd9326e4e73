"""Provider callbacks (Twilio): status reports and inbound messages."""

from django.urls import path

from carepath.sms.views import webhooks

app_name = "sms_webhooks"
urlpatterns = [
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
]
