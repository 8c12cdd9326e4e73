import hashlib
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Jurisdiction(models.TextChoices):
    ENGLAND_WALES = "england_wales", _("England and Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    ACCOMMODATION_MANAGER = "accommodation_manager", _("Accommodation manager")
    MARAC_CHAIR = "marac_chair", _("MARAC chair")
    MARAC_PARTNER = "marac_partner", _("MARAC partner")
    ADMINISTRATOR = "administrator", _("Administrator")
    # The data-protection lead (or Caldicott Guardian): access logs, subject access requests,
    # retention and legal holds; no case content otherwise.
    DATA_PROTECTION = "data_protection", _("Data protection lead")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Jurisdiction.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Belongs to one organisation, may sit in several teams and hold several
    roles; people with no organisation (platform operators) see no case data at all."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # The interface language this person chose; blank follows their browser.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[teams])

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.role_assignments.all())

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]

    @cached_property
    def team_ids(self) -> frozenset[int]:
        return frozenset(self.teams.values_list("pk", flat=True))


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class CalendarFeed(models.Model):
    """A private iCalendar feed of a person's appointments, reached by a secret URL without
    signing in. Only a SHA-256 hash of the token is kept, so the table (or a backup of it)
    gives nobody a working feed URL."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UserSession(models.Model):
    """A signed-in session of a member of staff, so they can see where they are signed in and
    end a session they do not recognise. The session itself lives in the session store; this
    row names it by key and is removed with it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active"))
    # The browser's description of itself and the network it came from (the last part of an
    # IPv4 address is dropped), so a person can recognise their own devices.
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    network = models.CharField(_("network"), max_length=60, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"Session of {self.user_id}"
