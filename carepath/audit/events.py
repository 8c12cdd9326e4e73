"""What people read on a case's timeline for the events of emergency access and sealing."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "emergency_access.started": _("Emergency access started"),
    "emergency_access.ended": _("Emergency access ended early"),
    "emergency_access.reviewed": _("Emergency access reviewed"),
    "case.sealed": _("Case sealed: only the people named may open it"),
    "case.seal_member_added": _("Person named on the sealed case"),
    "case.seal_member_removed": _("Person no longer named on the sealed case"),
    "case.unsealed": _("Case unsealed"),
}
