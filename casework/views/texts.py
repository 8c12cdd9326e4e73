"""The text messages of a case: a person settles those whose outcome was lost."""

from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from carepath.decorators import role_required
from carepath.sms import services
from carepath.sms.models import ReminderState
from casework import forms
from casework.selectors.contact import sms_log_of
from casework.views.actions import action_page, editable_case
from casework.views.cases import CASE_ROLES


@role_required(*CASE_ROLES)
def reminder_resolve(request, pk: int, reminder_pk: int):
    case = editable_case(request, pk)
    reminder = get_object_or_404(
        sms_log_of(case), pk=reminder_pk, state=ReminderState.SENDING, needs_review=True
    )
    form = forms.ReminderResolveForm(request.POST or None, initial={"version": reminder.version})
    due = formats.date_format(timezone.localtime(reminder.due_at), "j M Y H:i")
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Check the text due %(due)s") % {"due": due},
        done=_("What happened to the text is recorded. It will not be sent again."),
        save=lambda data: services.reminder_resolve(
            by=request.user,
            reminder=reminder,
            expected_version=data["version"],
            outcome=data["outcome"],
            note=data["note"],
        ),
    )
