"""Administrators' pages: the reminder texts and when reminders go."""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from carepath import policy
from carepath.audit import history
from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.sms import configuration, selectors
from carepath.sms.forms import MessageTemplateForm, ReminderRuleForm
from carepath.sms.models import MessageTemplate


def minutes_label(minutes: int) -> str:
    """1440 -> "1 day", 90 -> "1 hour 30 minutes"."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if mins:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", mins) % {"n": mins})
    return " ".join(parts)


@role_required(Role.ADMINISTRATOR)
def templates(request):
    return render(
        request,
        "sms/templates.html",
        {"templates": selectors.message_templates_for(request.user)},
    )


@role_required(Role.ADMINISTRATOR)
def template_new(request):
    policy.require(request.user, "sms.template.manage")
    return _template_page(request, template=None)


@role_required(Role.ADMINISTRATOR)
def template_edit(request, pk: int):
    template = selectors.message_template_for(request.user, pk=pk)
    return _template_page(request, template=template)


def _template_page(request, *, template: MessageTemplate | None):
    """Save, or with the Preview button show the filled-in text and save nothing. With htmx the
    Preview button asks for the preview fragment alone."""
    title = str(template) if template else _("Add a text")
    form = MessageTemplateForm(request.POST or None, instance=template)
    previewing = request.method == "POST" and "preview" in request.POST
    if request.method == "POST":
        valid = form.is_valid()
        if previewing and request.htmx:
            return render(request, "sms/_template_preview.html", {"form": form, "fragment": True})
        if valid and not previewing:
            try:
                saved = configuration.message_template_save(
                    by=request.user, template=form.save(commit=False)
                )
            except IntegrityError:
                form.add_error(None, _("There is already a text for this purpose and language."))
            else:
                messages.success(request, _("Text for %(template)s saved.") % {"template": saved})
                return redirect("sms:templates")
    return render(
        request,
        "sms/template_form.html",
        {
            "form": form,
            "title": title,
            "editing": template,
            "previewing": previewing,
            "revisions": history.revisions(template) if template else [],
        },
    )


@role_required(Role.ADMINISTRATOR)
def rules(request):
    form = ReminderRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = configuration.reminder_rule_add(
                by=request.user,
                purpose=form.cleaned_data["purpose"],
                minutes_before=form.cleaned_data["minutes_before"],
            )
        except IntegrityError:
            form.add_error(None, _("That reminder rule already exists."))
        else:
            messages.success(
                request,
                _("Reminder %(when)s before for %(purpose)s added.")
                % {"when": minutes_label(rule.minutes_before), "purpose": rule.purpose},
            )
            return redirect("sms:rules")
    rows = [
        {"rule": rule, "when": minutes_label(rule.minutes_before)}
        for rule in selectors.reminder_rules_for(request.user)
    ]
    return render(request, "sms/rules.html", {"rows": rows, "form": form})


@role_required(Role.ADMINISTRATOR)
@require_POST
def rule_delete(request, pk: int):
    rule = selectors.reminder_rule_for(request.user, pk=pk)
    configuration.reminder_rule_delete(by=request.user, rule=rule)
    messages.success(
        request,
        _("Reminder %(when)s before for %(purpose)s deleted.")
        % {"when": minutes_label(rule.minutes_before), "purpose": rule.purpose},
    )
    return redirect("sms:rules")
