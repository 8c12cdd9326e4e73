from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from carepath.decorators import role_required
from carepath.pathway import PathwayError
from casework import forms
from casework.selectors.contact import contacts_of
from casework.services import contact as services
from casework.views.appointments import _editable_case
from casework.views.cases import CASE_ROLES, _fail


def _done(request, case, message):
    messages.success(request, message)
    return redirect("casework:case", pk=case.pk)


@role_required(*CASE_ROLES)
def contact_new(request, pk: int):
    case = _editable_case(request, pk)
    form = forms.SafeContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.safe_contact_add(by=request.user, case=case, values=form.values())
        except PathwayError as error:
            status = _fail(form, error)
        else:
            return _done(request, case, _("Phone number and its safe-contact rules saved."))
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Add a phone number")},
        status=status,
    )


@role_required(*CASE_ROLES)
def contact_edit(request, pk: int, contact_pk: int):
    case = _editable_case(request, pk)
    contact = get_object_or_404(contacts_of(case), pk=contact_pk)
    form = forms.SafeContactEditForm(
        request.POST or None, instance=contact, initial={"version": contact.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        values = form.values()
        contact.refresh_from_db()
        try:
            services.safe_contact_update(
                by=request.user,
                contact=contact,
                expected_version=form.cleaned_data["version"],
                values=values,
            )
        except PathwayError as error:
            status = _fail(form, error)
        else:
            return _done(request, case, _("Safe-contact rules saved."))
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Safe-contact rules")},
        status=status,
    )


@role_required(*CASE_ROLES)
def contact_suspend_all(request, pk: int):
    case = _editable_case(request, pk)
    form = forms.SuspendContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.contact_suspend_all(
                by=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except PathwayError as error:
            status = _fail(form, error)
        else:
            return _done(
                request,
                case,
                _("All contact suspended. %(n)d planned texts were cancelled.") % {"n": cancelled},
            )
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Suspend all contact with this person")},
        status=status,
    )


@role_required(*CASE_ROLES)
def contact_resume(request, pk: int, contact_pk: int):
    case = _editable_case(request, pk)
    contact = get_object_or_404(contacts_of(case), pk=contact_pk)
    if not contact.suspended:
        raise Http404
    form = forms.ResumeContactForm(request.POST or None, initial={"version": contact.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_resume(
                by=request.user,
                contact=contact,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except PathwayError as error:
            status = _fail(form, error)
        else:
            return _done(request, case, _("Contact with this number resumed."))
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Resume contact")},
        status=status,
    )
