from django.utils.translation import gettext_lazy as _

LABELS = {
    "user.created": _("Account created"),
    "user.updated": _("Account changed"),
    "team.created": _("Team created"),
    "team.renamed": _("Team renamed"),
    "calendar_feed.created": _("Calendar feed created"),
    "calendar_feed.revoked": _("Calendar feed switched off"),
}
