from django.utils.translation import gettext_lazy as _

LABELS = {
    "user.created": _("Account created"),
    "user.updated": _("Account changed"),
    "team.created": _("Team created"),
    "team.renamed": _("Team renamed"),
    "calendar_feed.created": _("Calendar feed created"),
    "calendar_feed.revoked": _("Calendar feed switched off"),
    "mfa.enrolled": _("Authenticator app set up"),
    "mfa.recovery_codes_renewed": _("New recovery codes made"),
    "mfa.reset": _("Authenticator app removed"),
    "mfa.reset_by_administrator": _("Multi-factor sign-in reset by an administrator"),
    "user.unlocked": _("Sign-in unlocked"),
    "session.ended": _("Signed out of another session"),
}
