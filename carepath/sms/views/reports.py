"""The delivery report: what happened to the reminders of a service over a period."""

from django.shortcuts import render
from django.utils import timezone

from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.sms import selectors
from carepath.sms.forms import DeliveryReportForm


@role_required(Role.SERVICE_MANAGER)
def report(request):
    form = DeliveryReportForm(request.GET or None, today=timezone.localdate())
    report = None
    if not form.is_bound or form.is_valid():
        since, until = form.period()
        report = selectors.delivery_report(request.user, since=since, until=until)
    return render(
        request,
        "sms/report.html",
        {"form": form, "report": report},
        status=200 if report is not None else 400,
    )
