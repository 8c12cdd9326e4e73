from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carepath import views
from carepath.people import account_views, language
from carepath.people.forms import PasswordResetForm

# Django's admin is for platform operators (superusers) only; staff work in the app itself.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", language.language_switch, name="language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("data-protection/", views.data_protection, name="data_protection"),
    path("people/", include("carepath.people.urls")),
    path("audit/", include("carepath.audit.urls")),
    path("sms/", include("carepath.sms.urls")),
    path("webhooks/", include("carepath.sms.urls_webhooks")),
    path("cases/", include("casework.urls")),
    path("calendar/", include("casework.urls_calendar")),
    path("accommodation/", include("accommodation.urls")),
    path("marac/", include("marac.urls")),
    path("returns/", include("returns.urls")),
    path("reports/", include("carepath.reporting.urls")),
    path("data-protection/subject-access/", include("carepath.subject_access.urls")),
    path("data-protection/retention/", include("carepath.retention.urls")),
    path("admin/", admin.site.urls),
]
