import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carepath.forms import DateInput, Form, ModelForm
from carepath.people.models import Organisation
from carepath.sms.models import MessageTemplate, ReminderRule, SafeContact
from carepath.sms.selectors import REPORT_FIRST_DAY, REPORT_LAST_DAY
from carepath.sms.services import fill_template

PLACEHOLDERS = ("date", "time", "sender")
MAX_FILLED_LENGTH = 320  # two concatenated SMS segments of 160 GSM characters
SAMPLE_SENDER = "Clinic"
LONGEST_SENDER = "W" * SafeContact._meta.get_field("sender_name").max_length
STAFF_PURPOSE_PREFIX = "staff."

# Words that tell whoever else reads the phone what the text is about (DESIGN.md "Reminders and
# SMS": discreet by default), in English and Welsh. Matched at the start of a word, so
# "abused" and "refuges" are caught too.
REVEALING_WORDS = (
    "refuge",
    "trafficking",
    "slavery",
    "abuse",
    "support service",
    "Carepath",
    "lloches",
    "masnachu pobl",
    "caethwasiaeth",
    "camdriniaeth",
    "cam-drin",
)
# Staff reminders go to staff, who know the system by name ("A Carepath deadline is due...").
ALLOWED_FOR_STAFF = frozenset({"carepath"})

_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")

purpose_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$",
    _("Use letters, digits and _, with a dot before a kind: appointment.gp"),
    flags=re.IGNORECASE,
)
language_validator = RegexValidator(
    r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$",
    _("Give a language code such as en, cy or pt-br."),
    flags=re.IGNORECASE,
)


def placeholder_problems(body: str) -> list[str]:
    """What is wrong with the braces of ``body``, each problem naming the text at fault."""
    unknown, unpaired = [], []
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token in ("{{", "}}"):
            continue  # a literal brace, as str.format writes it
        if token in ("{", "}"):
            start = max(match.start() - 12, 0)
            unpaired.append((token, body[start : match.end() + 12]))
        elif token[1:-1] not in PLACEHOLDERS:
            unknown.append(token)
    problems = []
    if unknown:
        problems.append(
            ngettext(
                "Unknown placeholder %(names)s. Use only {date}, {time} and {sender}.",
                "Unknown placeholders %(names)s. Use only {date}, {time} and {sender}.",
                len(unknown),
            )
            % {"names": ", ".join(dict.fromkeys(unknown))}
        )
    for brace, around in unpaired:
        problems.append(
            _("A “%(brace)s” has no pair, in “%(around)s”. Write placeholders as {date}.")
            % {"brace": brace, "around": around.strip()}
        )
    return problems


def revealing_words_in(body: str, *, purpose: str = "") -> list[str]:
    allowed = ALLOWED_FOR_STAFF if purpose.startswith(STAFF_PURPOSE_PREFIX) else frozenset()
    found = []
    for word in REVEALING_WORDS:
        if word.lower() in allowed:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in word.split())
        if re.search(pattern, body, re.IGNORECASE):
            found.append(word)
    return found


def organisation_names_in(body: str) -> list[str]:
    names = Organisation.objects.order_by("name").values_list("name", flat=True)
    found = []
    for name in names:
        words = name.split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        if re.search(pattern, body, re.IGNORECASE):
            found.append(name)
    return found


@lru_cache(maxsize=32)
def _longest_date_moment(language: str) -> str:
    """The moment of the year whose date is longest written out in ``language``."""
    first = timezone.make_aware(datetime(2024, 1, 1, 12, 30))  # a leap year: every date
    moments = [(first + timedelta(days=n)).isoformat() for n in range(366)]
    return max(moments, key=lambda at: len(fill_template("{date}", {"at": at}, language=language)))


def filled_longest(body: str, *, language: str) -> str:
    return fill_template(
        body, {"at": _longest_date_moment(language)}, language=language, sender=LONGEST_SENDER
    )


def filled_sample(body: str, *, language: str) -> str:
    tomorrow = timezone.localdate() + timedelta(days=1)
    at = timezone.make_aware(datetime.combine(tomorrow, time(14, 30)))
    return fill_template(body, {"at": at.isoformat()}, language=language, sender=SAMPLE_SENDER)


class MessageTemplateForm(ModelForm):
    """A reminder text. ``preview_text`` is the text filled with a sample date and time once the
    placeholders are sound, even if something else still needs changing."""

    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "body"]
        labels = {"key": _("Purpose"), "language": _("Language code"), "body": _("Text")}
        help_texts = {
            "key": _(
                "What the text is for: appointment (a survivor's appointment) or "
                "staff.deadline (a reminder to staff)."
            ),
            "language": _(
                "For example en (English) or cy (Welsh). A survivor gets the text in their "
                "language, or in English when there is none."
            ),
            "body": _(
                "Placeholders: {date}, {time} and {sender}. At most 320 characters once "
                "filled in. Say nothing about who sends it or why: someone else may read it."
            ),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    preview_text: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].validators.append(purpose_validator)
        self.fields["language"].validators.append(language_validator)

    def clean_key(self) -> str:
        return self.cleaned_data["key"].strip().lower()

    def clean_language(self) -> str:
        return self.cleaned_data["language"].strip().lower()

    def clean(self):
        data = super().clean()
        body = data.get("body")
        if body:
            self._check_body(body, key=data.get("key") or "", language=data.get("language"))
        key, language = data.get("key"), data.get("language")
        if key and language:
            taken = MessageTemplate.objects.filter(key=key, language=language)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    None,
                    _("There is already a text for %(key)s in %(language)s: edit that one.")
                    % {"key": key, "language": language},
                )
        return data

    def _check_body(self, body: str, *, key: str, language: str | None) -> None:
        """Every problem at once, so a person fixes the text in one go."""
        problems = placeholder_problems(body)
        if not problems:
            language = language or "en"
            self.preview_text = filled_sample(body, language=language)
            length = len(filled_longest(body, language=language))
            if length > MAX_FILLED_LENGTH:
                problems.append(
                    _(
                        "The text is %(length)s characters long with the longest date and "
                        "sender filled in. Keep it to %(max)s."
                    )
                    % {"length": length, "max": MAX_FILLED_LENGTH}
                )
        words = revealing_words_in(body, purpose=key)
        if words:
            problems.append(
                _("Remove %(words)s: the text must not say what it is about.")
                % {"words": ", ".join(f"“{w}”" for w in words)}
            )
        names = organisation_names_in(body)
        if names:
            problems.append(
                _("Remove the organisation name %(names)s: the text must not say who sent it.")
                % {"names": ", ".join(f"“{n}”" for n in names)}
            )
        for problem in problems:
            self.add_error("body", problem)

    def validate_unique(self):
        """The duplicate check in clean() says it in words a person uses."""


class ReminderRuleForm(ModelForm):
    class Meta:
        model = ReminderRule
        fields = ["purpose", "minutes_before"]
        labels = {"purpose": _("Purpose"), "minutes_before": _("Minutes before")}
        help_texts = {
            "purpose": _(
                "appointment for every appointment, or appointment.gp (a kind of appointment: "
                "its own rules replace the general ones), or staff.deadline."
            ),
            "minutes_before": _("From 5 minutes to 14 days (20160). A day is 1440 minutes."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].validators.append(purpose_validator)
        self.fields["minutes_before"] = forms.IntegerField(
            label=_("Minutes before"),
            min_value=5,
            max_value=20160,
            help_text=self.fields["minutes_before"].help_text,
        )

    def clean_purpose(self) -> str:
        return self.cleaned_data["purpose"].strip().lower()

    def clean(self):
        data = super().clean()
        purpose, minutes = data.get("purpose"), data.get("minutes_before")
        if purpose and minutes is not None:
            taken = ReminderRule.objects.filter(purpose=purpose, minutes_before=minutes)
            if taken.exists():
                self.add_error(
                    None,
                    _("There is already a reminder %(minutes)s minutes before for %(purpose)s.")
                    % {"minutes": minutes, "purpose": purpose},
                )
        return data

    def validate_unique(self):
        """The duplicate check in clean() says it in words a person uses."""


class DeliveryReportForm(Form):
    """The period of the delivery report, ``?from=`` and ``?to=`` (both days included)."""

    DEFAULT_DAYS = 30

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.default_from = today - timedelta(days=self.DEFAULT_DAYS - 1)
        bounds = {"min": REPORT_FIRST_DAY.isoformat(), "max": REPORT_LAST_DAY.isoformat()}
        # "from" is a Python keyword: the fields are added here, not declared on the class.
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=DateInput(bounds), initial=self.default_from
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=DateInput(bounds), initial=today
        )

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not REPORT_FIRST_DAY <= day <= REPORT_LAST_DAY:
                self.add_error(
                    name,
                    _("Enter a date in the years %(first)s to %(last)s.")
                    % {"first": REPORT_FIRST_DAY.year, "last": REPORT_LAST_DAY.year},
                )
        since, until = data.get("from"), data.get("to")
        if since and until and since > until:
            self.add_error("to", _("The end date must be on or after the start date."))
        return data

    def period(self) -> tuple[date, date]:
        """The days to report on: what was asked for, or the last 30 days."""
        data = self.cleaned_data if self.is_bound else {}
        until = data.get("to") or self.today
        since = data.get("from") or min(self.default_from, until)
        return since, until
