"""Alerts to staff. They carry a case reference and a link, never the person's details."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from carepath import links
from carepath.people.models import Role, User
from casework.models import Case


def missing_alert_send(*, case_id: int) -> int:
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return 0
    managers = User.objects.filter(
        organisation_id=case.organisation_id,
        is_active=True,
        role_assignments__role=Role.SERVICE_MANAGER,
    ).exclude(email="")
    urgency = "URGENT (child): " if case.is_child else ""
    body = (
        f"Case {case.reference} has been reported missing.\n"
        + (
            "The person is a child: the police and the local authority must be notified now.\n"
            if case.is_child
            else ""
        )
        + f"Open the case in Carepath: {links.absolute(reverse('casework:case', args=[case.pk]))}\n"
    )
    return (
        send_mail(
            f"{urgency}Case {case.reference} reported missing",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [m.email for m in managers],
        )
        if managers
        else 0
    )
