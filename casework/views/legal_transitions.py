"""The page behind each step of a legal matter's state machine: a form for what the step
records, the service call, and the next deadline the step starts."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carepath.clocks.selectors import all_period_rules
from carepath.decorators import role_required
from carepath.pathway import PathwayError, available_transitions, state_label
from casework import legal_transition_forms as forms
from casework.models import LegalMatter
from casework.selectors.legal import matter_deadlines
from casework.services.legal_transitions import legal_transition, transition_form
from casework.views.actions import editable_case, refuse
from casework.views.cases import CASE_ROLES

# What the person is told after a step, and the deadline it starts (its label in
# ``casework.selectors.legal``, and the sentence naming it).
DONE = {
    ("cica", "apply"): (gettext_noop("Application recorded."), None),
    ("cica", "decide"): (
        gettext_noop("Decision recorded."),
        (gettext_noop("Ask CICA for a review"), gettext_noop("Ask for a review by %(day)s.")),
    ),
    ("cica", "record_review"): (
        gettext_noop("Review decision recorded."),
        (
            gettext_noop("Appeal to the First-tier Tribunal"),
            gettext_noop("Appeal to the First-tier Tribunal by %(day)s."),
        ),
    ),
    ("immigration", "refuse"): (
        gettext_noop("Refusal recorded."),
        (gettext_noop("Appeal the refusal"), gettext_noop("Appeal the refusal by %(day)s.")),
    ),
    ("immigration", "grant"): (
        gettext_noop("Leave granted recorded."),
        (
            gettext_noop("Apply to extend leave"),
            gettext_noop("Apply to extend the leave by %(day)s."),
        ),
    ),
}


def _done(matter: LegalMatter, detail, name: str) -> str:
    said, starts = DONE.get((matter.kind, name), (None, None))
    if said is None:
        field = detail._meta.get_field("state")
        return _("Recorded: the matter is now “%(state)s”.") % {"state": state_label(detail, field)}
    message = _(said)
    if starts is not None:
        label, sentence = starts
        wanted = f"{matter.title}: {_(label)}"
        due = next(
            (
                day
                for found, day in matter_deadlines(matter, matter.case, rules=all_period_rules())
                if found == wanted
            ),
            None,
        )
        if due is not None:
            message += " " + _(sentence) % {"day": formats.date_format(due, "j F Y")}
    return message


@role_required(*CASE_ROLES)
def matter_action(request, pk: int, matter_pk: int, name: str):
    case = editable_case(request, pk)
    matter = get_object_or_404(
        LegalMatter.objects.select_related("cica", "immigration", "justice", "civil"),
        case=case,
        pk=matter_pk,
    )
    matter.case = case
    detail = matter.detail
    form_name = transition_form(detail, name) if detail is not None else None
    if form_name is None:
        raise Http404
    form = forms.transition_form(
        form_name,
        kind=matter.kind,
        name=name,
        data=request.POST or None,
        initial={"version": detail.version},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if key != "version"}
        try:
            legal_transition(
                by=request.user,
                matter=matter,
                name=name,
                expected_version=form.cleaned_data["version"],
                values=values,
            )
        except PathwayError as error:
            status = refuse(form, error)
            # What the record is now, for the page to say (someone else may have moved it).
            detail = type(detail).objects.get(pk=detail.pk)
        else:
            messages.success(request, _done(matter, detail, name))
            return redirect(reverse("casework:legal_matter", args=[case.pk, matter.pk]))
    step = next(
        (
            t
            for t in available_transitions(detail, request.user, permission="legal.edit")
            if t["name"] == name
        ),
        None,
    )
    field = detail._meta.get_field("state")
    return render(
        request,
        "casework/legal/transition.html",
        {
            "case": case,
            "matter": matter,
            "state": state_label(detail, field),
            "form": form,
            "title": step["label"] if step else _label(detail, name),
            "not_now": step is None,
            "blocked_by": step["blocked_by"] if step else [],
        },
        status=status,
    )


def _label(detail, name: str) -> str:
    field = detail._meta.get_field("state")
    found = next(t for t in field.get_all_transitions(type(detail)) if t.name == name)
    return str((found.custom or {}).get("label", name.replace("_", " ")))
