"""Keeping personal data out of logs and error reports.

``PersonalDataFilter`` sits on every handler in ``settings.LOGGING``: phone numbers, e-mail
addresses, UK postcodes and query-string values are replaced in each record's message, its
traceback and its stack before anything is written. Code still logs ids and case references,
never names or notes; the filter is the net under that rule, not a licence to break it.

``ScrubbedExceptionReporterFilter`` and ``ScrubbedExceptionReporter`` are the error reports
(the e-mail to ADMINS, the debug page): no POST data, no cookies, no query parameters but
``page``, no names of uploaded files and no local variables of any frame.
"""

import logging
import re
from urllib.parse import urlsplit, urlunsplit

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
POSTCODE_MASK = "[postcode]"
VALUE_MASK = "[redacted]"
# Query parameters that say nothing about a person.
SAFE_QUERY_PARAMETERS = frozenset({"page"})

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Every UK postcode shape (A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA), with or
# without its space, in any case.
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)
# A run of digits that may be a phone number: "+44 (0)7700 900123", "(020) 7946 0958",
# "0141-496-0000", "447700900123". Not one that continues a word, a path, a decimal or an id
# ("…-446655440000" in a UUID); whether it is a number is decided by _is_phone.
PHONE_CANDIDATE = re.compile(r"(?<![\w/.+-])(?:\+|\(\+?)?\d(?:[ ()-]{0,3}\d)*")
QUERY_PARAMETER = re.compile(r"([?&;][^=&#\s?;]+=)([^&#\s\"';]+)")
_LEADING_DIGITS = re.compile(r"[+(]*\d+")
_SEPARATORS = re.compile(r"[ ()-]*")


def _is_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    start = text.lstrip("(")
    if start.startswith("+"):
        return digits >= 8
    if start.startswith("0"):
        # A UK number in national form has 10 or 11 digits; 00 starts an international one.
        return digits >= 10
    if text.isdigit():
        # An international number without its plus, or a UK one without its 0.
        return digits >= 10
    # Digits in groups that start otherwise are more often dates and times ("2026-11-24 19")
    # than numbers; a long run is masked all the same.
    return digits >= 12


def _mask_phones(text: str) -> str:
    def replace(match: re.Match) -> str:
        found = match.group()
        if _is_phone(found):
            return PHONE_MASK
        # Not a number as a whole, but one may start further in ("in 2026 07700 900123").
        head = _LEADING_DIGITS.match(found).group()
        rest = found[len(head) :]
        separators = _SEPARATORS.match(rest).group()
        return head + separators + PHONE_CANDIDATE.sub(replace, rest[len(separators) :])

    return PHONE_CANDIDATE.sub(replace, text)


def _mask_query(match: re.Match) -> str:
    name = match.group(1)[1:-1]
    return match.group(0) if name in SAFE_QUERY_PARAMETERS else match.group(1) + VALUE_MASK


def redact(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses, postcodes and query values masked."""
    if not text:
        return text
    text = EMAIL.sub(EMAIL_MASK, text)
    text = QUERY_PARAMETER.sub(_mask_query, text)
    text = POSTCODE.sub(POSTCODE_MASK, text)
    return _mask_phones(text)


_exception_formatter = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message, arguments, traceback and stack; drops
    nothing. Arguments are merged into the message only when something had to be masked,
    so a clean record keeps its message template."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A broken format call: logging reports it when the record is written.
            message = None
        if message is not None:
            masked = redact(message)
            if masked != message:
                record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _exception_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _without_query_values(url: str) -> str:
    """``url`` with every query value but ``page`` masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = QUERY_PARAMETER.sub(_mask_query, "?" + parts.query)[1:]
    return urlunsplit(parts._replace(query=query))


class ScrubbedExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hides what a request carried and what the code held: POST data, cookies, query values
    (but ``page``) and every frame's local variables; active whatever DEBUG says."""

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request) -> dict:
        if request is None:
            return {}
        try:
            names = list(request.POST)
        except Exception:
            # The body could not be parsed (too large, malformed): there is nothing to show.
            return {}
        return dict.fromkeys(names, self.cleansed_substitute)

    def get_safe_cookies(self, request) -> dict:
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_query(self, request) -> list[tuple[str, str]]:
        return [
            (name, value if name in SAFE_QUERY_PARAMETERS else self.cleansed_substitute)
            for name, value in request.GET.items()
        ]

    def get_safe_request_meta(self, request) -> dict:
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING",):
            if meta.get(key):
                meta[key] = _without_query_values("?" + meta[key])[1:]
        for key in ("HTTP_REFERER", "REQUEST_URI", "RAW_URI"):
            if isinstance(meta.get(key), str):
                meta[key] = _without_query_values(meta[key])
        if "HTTP_COOKIE" in meta:
            meta["HTTP_COOKIE"] = self.cleansed_substitute
        return meta

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class ScrubbedExceptionReporter(ExceptionReporter):
    """Django's report with the parts its filter does not reach scrubbed as well: the query
    parameters, the address requested, uploaded file names, the signed-in user's name and the
    exception messages (masked like log lines)."""

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        substitute = SafeExceptionReporterFilter.cleansed_substitute
        if self.request is not None:
            if hasattr(self.filter, "get_safe_query"):
                data["request_GET_items"] = self.filter.get_safe_query(self.request)
            else:
                data["request_GET_items"] = [(name, substitute) for name in self.request.GET]
            data["request_FILES_items"] = [(name, substitute) for name in self.request.FILES]
            if data.get("request_insecure_uri"):
                data["request_insecure_uri"] = _without_query_values(data["request_insecure_uri"])
            user = getattr(self.request, "user", None)
            if user is not None and getattr(user, "pk", None) is not None:
                data["user_str"] = f"user {user.pk}"
        if data.get("exception_value") is not None:
            data["exception_value"] = redact(str(data["exception_value"]))
        if data.get("exception_notes"):
            data["exception_notes"] = redact(str(data["exception_notes"]))
        for frame in data.get("frames", ()):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = redact(str(frame["exc_cause"]))
        return data
