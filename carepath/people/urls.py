from django.urls import path

from carepath.people import account_views, views

app_name = "people"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("users/<int:pk>/mfa-reset/", views.user_mfa_reset, name="user_mfa_reset"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("me/", views.profile, name="profile"),
    # The code step after the password, and setting up an authenticator app.
    path("sign-in/code/", account_views.mfa_verify, name="mfa_verify"),
    path("sign-in/authenticator/", account_views.mfa_enrol, name="mfa_enrol"),
    path("me/security/", account_views.security, name="security"),
    path(
        "me/security/recovery-codes/",
        account_views.mfa_recovery_codes,
        name="mfa_recovery_codes",
    ),
    path(
        "me/security/recovery-codes/new/",
        account_views.mfa_recovery_codes_renew,
        name="mfa_recovery_codes_renew",
    ),
    path("me/security/reset/", account_views.mfa_reset, name="mfa_reset"),
    path("me/sessions/", account_views.sessions, name="sessions"),
    path("me/sessions/<int:pk>/end/", account_views.session_end, name="session_end"),
    path(
        "me/sessions/end-others/",
        account_views.sessions_end_others,
        name="sessions_end_others",
    ),
]
