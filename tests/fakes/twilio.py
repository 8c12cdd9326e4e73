"""A Twilio HTTP client that never touches the network.

``twilio.http.HttpClient`` is the SDK's own seam: the real ``twilio.rest.Client`` builds each
request (URL, form fields, auth) and parses each answer (Message resource or error JSON into
``TwilioRestException``); only the transport is replaced. Tests read ``requests`` and
``messages``, and script errors with ``fail_with`` / ``raise_with``.

``settings.TWILIO_HTTP_CLIENT = "tests.fakes.twilio.FakeTwilioHttpClient"`` makes the twilio
backend build one with no arguments. When ``FAKE_TWILIO_REDIS_URL`` and
``FAKE_TWILIO_REDIS_KEY`` are set, every accepted message is also pushed (as JSON) onto that
Redis list, so sends made by a separate worker process can be counted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from twilio.http import HttpClient
from twilio.http.response import Response

MESSAGES_URL = re.compile(
    r"^https://api\.twilio\.com/(?P<version>2010-04-01)/Accounts/(?P<account>[^/]+)/Messages\.json$"
)

# What Twilio answers for the errors tests need (https://www.twilio.com/docs/api/errors).
ERROR_MESSAGES = {
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service unavailable",
    21211: "The 'To' number is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    data: dict
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@dataclass
class _Scripted:
    answer: Response | BaseException
    times: int | None  # None: until reset()


def _error_json(status: int, code: int, message: str = "") -> str:
    return json.dumps(
        {
            "code": code,
            "message": message or ERROR_MESSAGES.get(code, "Error"),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    )


class FakeTwilioHttpClient(HttpClient):
    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        redis_url: str | None = None,
        redis_key: str | None = None,
    ):
        super().__init__(logger or logging.getLogger("twilio.http_client"), False, None)
        self.requests: list[RecordedRequest] = []
        self.messages: list[dict] = []
        self._script: list[_Scripted] = []
        self._lock = threading.Lock()
        self._redis_url = redis_url or os.environ.get("FAKE_TWILIO_REDIS_URL", "")
        self._redis_key = redis_key or os.environ.get("FAKE_TWILIO_REDIS_KEY", "")
        self._redis = None

    # --- Scripting ----------------------------------------------------------------------

    def fail_with(
        self, status: int, code: int | None = None, *, message: str = "", times: int | None = None
    ) -> None:
        """Answer the next ``times`` requests (all, if None) with a Twilio error JSON."""
        code = (
            code if code is not None else {429: 20429, 500: 20500, 503: 20503}.get(status, status)
        )
        response = Response(status, _error_json(status, code, message))
        with self._lock:
            self._script.append(_Scripted(response, times))

    def raise_with(self, error: BaseException, *, times: int | None = None) -> None:
        """Raise ``error`` (e.g. ``requests.exceptions.ReadTimeout()``) for the next requests."""
        with self._lock:
            self._script.append(_Scripted(error, times))

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.messages.clear()

    # --- The transport ------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        params: dict | None = None,
        data: dict | None = None,
        headers: dict | None = None,
        auth: tuple | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        # The SDK's own request logging, as the real client does it.
        self.log_request(
            {"method": method.upper(), "url": url, "params": params, "headers": headers}
        )
        recorded = RecordedRequest(
            method=method.upper(),
            url=url,
            data=dict(data or {}),
            params=dict(params or {}),
            headers={k: v for k, v in (headers or {}).items() if k.lower() != "authorization"},
        )
        with self._lock:
            self.requests.append(recorded)
            scripted = self._next_scripted()
        if isinstance(scripted, BaseException):
            raise scripted
        if scripted is not None:
            return scripted
        match = MESSAGES_URL.match(url)
        if recorded.method != "POST" or match is None:
            return Response(404, _error_json(404, 20404, "The requested resource was not found"))
        return self._create_message(match["version"], match["account"], recorded.data)

    def _next_scripted(self):
        if not self._script:
            return None
        head = self._script[0]
        if head.times is not None:
            head.times -= 1
            if head.times <= 0:
                self._script.pop(0)
        return head.answer

    def _create_message(self, api_version: str, account_sid: str, data: dict) -> Response:
        if not data.get("To") or not (data.get("Body") or data.get("MediaUrl")):
            return Response(400, _error_json(400, 21604, "A 'To' phone number is required."))
        if not (data.get("From") or data.get("MessagingServiceSid")):
            return Response(400, _error_json(400, 21603, "A 'From' phone number is required."))
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC), usegmt=True)
        uri = f"/{api_version}/Accounts/{account_sid}/Messages/{sid}.json"
        message = {
            "account_sid": account_sid,
            "api_version": api_version,
            "body": data.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": data.get("From"),
            "messaging_service_sid": data.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": data.get("To"),
            "uri": uri,
        }
        with self._lock:
            self.messages.append(message)
        self._record_in_redis(message, status_callback=data.get("StatusCallback", ""))
        return Response(201, json.dumps(message))

    def _record_in_redis(self, message: dict, *, status_callback: str) -> None:
        if not (self._redis_url and self._redis_key):
            return
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self._redis_url)
        record = {k: message[k] for k in ("sid", "to", "from", "body")}
        self._redis.rpush(
            self._redis_key, json.dumps({**record, "status_callback": status_callback})
        )
