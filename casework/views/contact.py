from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from carepath.decorators import role_required
from casework import forms
from casework.selectors.contact import contacts_of
from casework.services import contact as services
from casework.views.actions import action_page, editable_case
from casework.views.cases import CASE_ROLES


@role_required(*CASE_ROLES)
def contact_new(request, pk: int):
    case = editable_case(request, pk)
    form = forms.SafeContactForm(request.POST or None)
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Add a phone number"),
        done=_("Phone number and its safe-contact rules saved."),
        save=lambda data: services.safe_contact_add(
            by=request.user, case=case, values=form.values()
        ),
    )


@role_required(*CASE_ROLES)
def contact_edit(request, pk: int, contact_pk: int):
    case = editable_case(request, pk)
    contact = get_object_or_404(contacts_of(case), pk=contact_pk)
    form = forms.SafeContactEditForm(
        request.POST or None, instance=contact, initial={"version": contact.version}
    )

    def save(data):
        values = form.values()
        contact.refresh_from_db()  # the form validated onto the instance; the service re-reads
        return services.safe_contact_update(
            by=request.user, contact=contact, expected_version=data["version"], values=values
        )

    return action_page(
        request,
        case=case,
        form=form,
        title=_("Safe-contact rules"),
        done=_("Safe-contact rules saved."),
        save=save,
    )


@role_required(*CASE_ROLES)
def contact_suspend_all(request, pk: int):
    case = editable_case(request, pk)
    form = forms.SuspendContactForm(request.POST or None)
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Suspend all contact with this person"),
        done=lambda cancelled: (
            _("All contact suspended. %(n)d planned texts were cancelled.") % {"n": cancelled}
        ),
        save=lambda data: services.contact_suspend_all(
            by=request.user, case=case, reason=data["reason"]
        ),
    )


@role_required(*CASE_ROLES)
def contact_resume(request, pk: int, contact_pk: int):
    case = editable_case(request, pk)
    contact = get_object_or_404(contacts_of(case), pk=contact_pk)
    if not contact.suspended:
        raise Http404
    form = forms.ResumeContactForm(request.POST or None, initial={"version": contact.version})
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Resume contact"),
        done=_("Contact with this number resumed."),
        save=lambda data: services.contact_resume(
            by=request.user,
            contact=contact,
            expected_version=data["version"],
            reason=data["reason"],
        ),
    )
