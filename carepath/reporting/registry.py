"""The reports a service manager can run, each built by a selector of the app that holds its
records. A builder takes a ``ReportFilter`` and returns a ``Report``."""

from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import Report


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: str
    summary: str
    builder: str

    def build(self, filters: ReportFilter) -> Report:
        return import_string(self.builder)(filters)


REPORTS = {
    kind.key: kind
    for kind in (
        ReportKind(
            "nrm",
            _("NRM statistics"),
            _(
                "Referrals by exploitation type, nationality, referring agency and competent "
                "authority, by gender and age, in the shape of the published UK NRM "
                "statistics; decisions and the reasonable grounds target."
            ),
            "casework.selectors.nrm_report.nrm_report",
        ),
        ReportKind(
            "service",
            _("Service"),
            _(
                "New referrals, open caseload per caseworker, closures by reason, outcomes "
                "achieved and length of support."
            ),
            "casework.selectors.service_report.service_report",
        ),
        ReportKind(
            "accommodation",
            _("Accommodation"),
            _(
                "Occupancy and void bed-nights of your properties, length of stay, and "
                "placement requests by outcome and decline reason."
            ),
            "accommodation.reports.accommodation_report",
        ),
    )
}
