"""Moving a legal matter along its kind's state machine, with the dates and amounts each step
records checked first: a date a step cannot have (in the future, or before the step it follows)
would give wrong deadlines, so it is refused with a sentence the person can act on."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from carepath import policy
from carepath.audit import timeline
from carepath.checks import amount, dated, day_label, not_before, text
from carepath.clocks.selectors import NoPeriodRule, all_period_rules
from carepath.pathway import (
    PathwayError,
    declared_transition,
    lock,
    refuse_from_wrong_state,
    run_transition,
    transition_form_of,
)
from carepath.people.models import User
from casework.models import (
    CicaClaim,
    CivilMatter,
    CriminalJusticeMatter,
    ImmigrationMatter,
    ImmigrationState,
    LegalMatter,
)
from casework.selectors.legal import cica_application_deadline

# The values each form of transition (custom["form"]) takes; the first group is required.
FORM_VALUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "": ((), ()),
    "cica_apply": (("on",), ("reference",)),
    "cica_decide": (("on", "amount"), ()),
    "cica_date": (("on",), ()),
    "immigration_apply": (("on",), ("reference",)),
    "immigration_grant": (("on", "leave"), ("expires_on",)),
    "immigration_date": (("on",), ()),
    "justice_date": (("on",), ()),
    "justice_outcome": (("on", "outcome"), ()),
    "civil_close": (("on", "outcome"), ()),
    "reason": (("reason",), ()),
}
TEXT_LIMITS = {"reference": 40, "leave": 150}


def transition_of(detail, name: str):
    """The declared transition ``name`` of a kind's record, or None."""
    return declared_transition(type(detail), name)


def transition_form(detail, name: str) -> str | None:
    return transition_form_of(type(detail), name)


def _cica(claim: CicaClaim, name: str, values: dict, case) -> dict:
    if name in ("close", "withdraw"):
        return {
            "reason": text(
                values, "reason", limit=TEXT_LIMITS.get("reason"), missing=_("Give the reason.")
            )
        }
    if name == "apply":
        what = _("the date of the application")
        on = dated(values.get("on"), what=what)
        not_before(on, claim.incident_on, what=what, after=_("the incident"))
        _cica_in_time(claim, on, case)
        reference = text(values, "reference", limit=TEXT_LIMITS.get("reference"))
        return {"on": on, "reference": reference}
    follows = {
        "decide": (_("the decision date"), claim.applied_on, _("the application")),
        "request_review": (
            _("the date the review was requested"),
            claim.decided_on,
            _("the decision"),
        ),
        "record_review": (
            _("the review decision date"),
            claim.review_requested_on,
            _("the review request"),
        ),
        "appeal": (_("the date of the appeal"), claim.review_decided_on, _("the review decision")),
        "record_tribunal": (
            _("the tribunal's decision date"),
            claim.appealed_on,
            _("the appeal"),
        ),
    }
    what, earlier, after = follows[name]
    on = dated(values.get("on"), what=what)
    not_before(on, earlier, what=what, after=after)
    if name in ("decide", "record_review", "record_tribunal"):
        return {
            "on": on,
            "amount": amount(
                values.get("amount"),
                noun=_("the amount"),
                missing=_("Enter the amount in pounds: 0 if nothing was awarded."),
            ),
        }
    return {"on": on}


def _cica_in_time(claim: CicaClaim, on: date, case) -> None:
    """CICS 2012 paras 87-89: a late application only with exceptional circumstances, which are
    recorded on the claim (``extended_to``) before the application is."""
    try:
        last_day = cica_application_deadline(claim, case, rules=all_period_rules())
    except NoPeriodRule:
        return
    if last_day is None or on <= last_day:
        return
    raise PathwayError(
        _(
            "The last day to apply was %(day)s. A later application can only be recorded when "
            "CICA accepts exceptional circumstances: record them, and the date the application "
            "is accepted until, on the matter's edit page first."
        )
        % {"day": day_label(last_day)}
    )


def _immigration(record: ImmigrationMatter, name: str, values: dict) -> dict:
    if name in ("withdraw", "close"):
        return {
            "reason": text(
                values, "reason", limit=TEXT_LIMITS.get("reason"), missing=_("Give the reason.")
            )
        }
    if name == "apply_to_extend":
        what = _("the date of the application to extend")
        on = dated(values.get("on"), what=what)
        not_before(
            on, record.decided_on, what=what, after=pgettext("immigration leave", "the grant")
        )
        return {
            "on": on,
            "reference": text(values, "reference", limit=TEXT_LIMITS.get("reference")),
        }
    if name == "apply":
        on = dated(values.get("on"), what=_("the date of the application"))
        return {
            "on": on,
            "reference": text(values, "reference", limit=TEXT_LIMITS.get("reference")),
        }
    if name == "grant":
        what = _("the date leave was granted")
        on = dated(values.get("on"), what=what)
        if record.state == ImmigrationState.APPEALED:
            not_before(on, record.appealed_on, what=what, after=_("the appeal"))
        not_before(on, record.applied_on, what=what, after=_("the application"))
        leave = text(
            values,
            "leave",
            limit=TEXT_LIMITS.get("leave"),
            missing=_("Say what leave was granted."),
        )
        expires_on = values.get("expires_on")
        if expires_on is not None and expires_on <= on:
            raise PathwayError(_("The leave must expire after the date it was granted."))
        return {"on": on, "leave": leave, "expires_on": expires_on}
    follows = {
        "refuse": (_("the date of the refusal"), record.applied_on, _("the application")),
        "appeal": (_("the date of the appeal"), record.decided_on, _("the refusal")),
        "dismiss_appeal": (
            _("the date the appeal was dismissed"),
            record.appealed_on,
            _("the appeal"),
        ),
    }
    what, earlier, after = follows[name]
    on = dated(values.get("on"), what=what)
    not_before(on, earlier, what=what, after=after)
    return {"on": on}


def _justice(record: CriminalJusticeMatter, name: str, values: dict) -> dict:
    if name == "charge":
        return {"on": dated(values.get("on"), what=_("the date of the charge"))}
    if name in ("conclude", "no_further_action"):
        what = _("the date of the outcome")
        on = dated(values.get("on"), what=what)
        not_before(on, record.charged_on, what=what, after=_("the charge"))
        return {
            "on": on,
            "outcome": text(
                values,
                "outcome",
                limit=TEXT_LIMITS.get("outcome"),
                missing=_("Describe the outcome."),
            ),
        }
    return {}


def _civil(record: CivilMatter, name: str, values: dict) -> dict:
    on = dated(values.get("on"), what=_("the date it was closed"))
    return {
        "on": on,
        "outcome": text(
            values, "outcome", limit=TEXT_LIMITS.get("outcome"), missing=_("Describe the outcome.")
        ),
    }


def _checked(matter: LegalMatter, detail, name: str, values: dict) -> dict:
    if isinstance(detail, CicaClaim):
        return _cica(detail, name, values, matter.case)
    if isinstance(detail, ImmigrationMatter):
        return _immigration(detail, name, values)
    if isinstance(detail, CriminalJusticeMatter):
        return _justice(detail, name, values)
    return _civil(detail, name, values)


@transaction.atomic
def legal_transition(
    *,
    by: User,
    matter: LegalMatter,
    name: str,
    expected_version: int | None,
    values: dict,
):
    """Take the transition ``name`` of the matter's kind with ``values`` (the transition's
    arguments: on, amount, reference, leave, expires_on, outcome, reason) and return the
    kind's record."""
    detail = matter.detail
    if detail is None:
        raise PathwayError(_("This matter has no record of its kind: it cannot be moved on."))
    found = transition_of(detail, name)
    if found is None:
        raise PathwayError(_("This step does not apply to this kind of matter."))
    policy.require(by, "legal.edit", detail)
    required, optional = FORM_VALUES[(found.custom or {}).get("form", "")]
    unknown = set(values) - {*required, *optional}
    if unknown:
        raise TypeError(f"{name} does not take {', '.join(sorted(unknown))}")
    # A stale form is told so before anything else: the person is looking at an old record.
    lock(detail, expected_version=expected_version, by=by)
    refuse_from_wrong_state(detail, name, what=_("the matter"))
    kwargs = _checked(matter, detail, name, values)
    run_transition(
        detail,
        name,
        by=by,
        permission="legal.edit",
        expected_version=expected_version,
        **kwargs,
    )
    timeline.record(
        matter.case,
        by=by,
        kind=f"legal.{matter.kind}.{name}",
        reason=kwargs.get("reason", ""),
        detail={"matter": matter.pk},
    )
    return detail
