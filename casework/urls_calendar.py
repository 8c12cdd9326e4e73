from django.urls import path, re_path

from casework.views import calendar

app_name = "calendar"
urlpatterns = [
    path("week/", calendar.week, name="week"),
    path("team/", calendar.team_week, name="team"),
    path("feed/", calendar.feed_settings, name="feed_settings"),
    path("feed/revoke/", calendar.feed_revoke, name="feed_revoke"),
    # secrets.token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-].
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{20,128})\.ics$", calendar.feed, name="feed"),
]
