"""Where texts go: the console (development), memory (tests) or Twilio.

Each backend's ``send`` either returns the provider's message id, or raises one of three
errors that tell the dispatcher what it may do next:

- ``Retryable``: the provider certainly did not take the message (rate limit, no connection):
  safe to try again later;
- ``Rejected``: the provider refused it for good (invalid number, opted out);
- ``OutcomeUnknown``: the request may have reached the provider (timeout after sending): never
  resent automatically, a person checks.
"""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Twilio error 21610: the recipient replied STOP to this sender.
TWILIO_OPTED_OUT = 21610


class SendError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class Retryable(SendError):
    pass


class Rejected(SendError):
    def __init__(self, message: str, *, code: str = "", opted_out: bool = False):
        super().__init__(message, code=code)
        self.opted_out = opted_out


class OutcomeUnknown(SendError):
    pass


@dataclass(frozen=True)
class OutgoingText:
    to: str
    body: str
    sender: str = ""
    status_callback: str = ""


def masked(number: str) -> str:
    return f"•••{number[-4:]}" if len(number) > 4 else "•••"


class ConsoleBackend:
    """Prints each text (with the number masked) for development. The console has nobody to
    send a delivery report, so a printed text counts as delivered."""

    delivers_immediately = True

    def send(self, text: OutgoingText) -> str:
        provider_id = f"console-{uuid.uuid4().hex[:12]}"
        sys.stdout.write(
            f"[SMS {provider_id}] to {masked(text.to)} from {text.sender or 'default'}: "
            f"{text.body}\n"
        )
        sys.stdout.flush()
        return provider_id


@dataclass
class MemoryBackend:
    """Keeps every text in ``sent`` (tests read it). Set ``fail_with`` to raise instead."""

    sent: list[OutgoingText] = field(default_factory=list)
    fail_with: Exception | None = None

    def send(self, text: OutgoingText) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(text)
        return f"memory-{len(self.sent)}"


class TwilioBackend:
    """The real Twilio SDK. ``http_client`` is the SDK's own seam: tests pass a fake one so
    the SDK's request building and error mapping run without the network."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        http_client=None,
    ):
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid

    def send(self, text: OutgoingText) -> str:
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import ConnectTimeout, ReadTimeout
        from twilio.base.exceptions import TwilioRestException

        options = {"to": text.to, "body": text.body}
        if text.status_callback:
            options["status_callback"] = text.status_callback
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        # An alphanumeric sender shows a neutral name instead of a number, where allowed.
        options["from_"] = text.sender or self.from_number
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as error:
            code = str(error.code or error.status)
            if error.code == TWILIO_OPTED_OUT:
                raise Rejected("The number has opted out", code=code, opted_out=True) from None
            if error.status == 429:
                raise Retryable("Rate limited by the provider", code=code) from None
            if error.status >= 500:
                raise OutcomeUnknown("The provider failed while handling it", code=code) from None
            raise Rejected(f"Refused by the provider ({code})", code=code) from None
        except (ConnectTimeout, RequestsConnectionError) as error:
            if _never_connected(error):
                raise Retryable("Could not reach the provider") from None
            # The connection was dropped after the request went out: it may have been taken.
            raise OutcomeUnknown("The connection to the provider broke") from None
        except ReadTimeout:
            raise OutcomeUnknown("No answer from the provider") from None
        return message.sid


def _never_connected(error: Exception) -> bool:
    """True only when no connection was made, so no request can have reached the provider.
    requests raises ConnectionError for a refused connection or unknown host (a urllib3
    NewConnectionError inside MaxRetryError) but also for a connection reset after sending."""
    from requests.exceptions import ConnectTimeout
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    if isinstance(error, ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


@lru_cache(maxsize=1)
def _configured():
    name = settings.SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "memory":
        return MemoryBackend()
    if name == "twilio":
        http_client = (
            import_string(settings.TWILIO_HTTP_CLIENT)() if settings.TWILIO_HTTP_CLIENT else None
        )
        return TwilioBackend(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            http_client=http_client,
        )
    return import_string(name)()


def get_backend():
    return _configured()


def reset_backend() -> None:
    """Forget the configured backend (tests change SMS_BACKEND)."""
    _configured.cache_clear()
