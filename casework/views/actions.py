"""The page behind every action on a case: a form, a service call, and what the person sees."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from carepath import policy
from carepath.pathway import ConflictError, PathwayError
from casework.models import Case
from casework.selectors import cases as selectors


def editable_case(request, pk: int) -> Case:
    """A case this person may change; anyone else is told it does not exist."""
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if not policy.can(request.user, "case.edit", case):
        raise Http404
    return case


def refuse(form, error: PathwayError) -> int:
    """Show a refusal from the pathway on the form; a lost race is a 409 Conflict."""
    form.add_error(None, str(error))
    return 409 if isinstance(error, ConflictError) else 200


def action_page(
    request,
    *,
    case: Case,
    form,
    title: str,
    save: Callable[[dict], object],
    done: str | Callable[[object], str],
    to: str | Callable[[object], str] | None = None,
    template: str = "casework/action_form.html",
):
    """Show ``form``; on a valid POST call ``save(cleaned_data)``, then say ``done`` and go to
    ``to`` (the case page by default)."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            if to is None:
                return redirect("casework:case", pk=case.pk)
            return redirect(to(result) if callable(to) else to)
    return render(request, template, {"case": case, "form": form, "title": title}, status=status)


def form_page(
    request,
    *,
    form,
    title: str,
    save: Callable[[dict], object],
    done: str | Callable[[object], str],
    to: Callable[[object], str],
    back: str,
    context: dict | None = None,
    template: str = "form_page.html",
):
    """A form page outside a case (properties, MARAC areas): show ``form``; on a valid POST call
    ``save(cleaned_data)`` and go to ``to(result)``. A refusal of the service is shown on the
    form, a lost race is a 409, a refused permission a 404."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except policy.PolicyDenied:
            raise Http404 from None
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(to(result))
    return render(
        request,
        template,
        {"form": form, "title": title, "back": back, **(context or {})},
        status=status,
    )
