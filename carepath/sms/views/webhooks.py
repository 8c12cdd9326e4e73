"""Twilio calls these: delivery reports for sent reminders, and texts people send back.

Every request must carry a valid X-Twilio-Signature over the public URL Twilio called and the
posted fields; anything else is refused before it is read. Nothing personal (numbers, message
text) is logged.
"""

import logging
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from carepath.pathway import ConflictError
from carepath.sms import services

logger = logging.getLogger(__name__)

MESSAGE_SID = re.compile(r"[A-Za-z0-9_-]{2,64}")
MESSAGE_STATUS = re.compile(r"[a-z_]{1,32}")
ERROR_CODE = re.compile(r"[0-9]{0,10}")
# E.164: a plus and at most 15 digits; short codes have a few digits and no plus.
PHONE_NUMBER = re.compile(r"\+?[0-9]{3,15}")
# Twilio's callbacks are a few dozen short fields and a text of at most 1,600 characters.
MAX_BODY_BYTES = 64 * 1024


def _public_url(request: HttpRequest) -> str:
    # Behind a proxy the request's own scheme and host are not what Twilio signed.
    base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
    return f"{base}{request.get_full_path()}" if base else request.build_absolute_uri()


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """A 403 for a request not signed by Twilio with our auth token (a 400 or 413 for one
    that cannot be read); None if it is."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    if length > MAX_BODY_BYTES:
        # Refused before the body is read or parsed.
        return HttpResponse(status=413)
    if not settings.TWILIO_AUTH_TOKEN:
        logger.error("Twilio webhook refused: TWILIO_AUTH_TOKEN is not set")
        return HttpResponseForbidden()
    signature = request.headers.get("X-Twilio-Signature", "")
    try:
        params = request.POST
    except MultiPartParserError:
        return HttpResponseBadRequest()
    if not signature or not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
        _public_url(request), params, signature
    ):
        logger.warning("Twilio webhook refused: missing or invalid signature on %s", request.path)
        return HttpResponseForbidden()
    return None


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    error_code = request.POST.get("ErrorCode", "")
    if not (
        MESSAGE_SID.fullmatch(sid)
        and MESSAGE_STATUS.fullmatch(status)
        and ERROR_CODE.fullmatch(error_code)
    ):
        return HttpResponseBadRequest()
    try:
        changed = services.reminder_status_update(
            provider_id=sid, status=status, error_code=error_code
        )
    except ConflictError:
        # Two reports for one message at once: read the row again and apply this one to it.
        try:
            changed = services.reminder_status_update(
                provider_id=sid, status=status, error_code=error_code
            )
        except ConflictError:
            # Still changing under us: Twilio retries a report that was not accepted.
            logger.warning("Twilio status %s for %s: conflict, asked to retry", status, sid)
            return HttpResponse(status=409)
    logger.info("Twilio status %s for %s: %s", status, sid, "recorded" if changed else "no change")
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    from_number = request.POST.get("From", "")
    body = request.POST.get("Body")
    if not PHONE_NUMBER.fullmatch(from_number) or body is None:
        return HttpResponseBadRequest()
    result = services.inbound_message(from_number=from_number, body=body)
    logger.info("Twilio inbound message: %s", result)
    # Empty TwiML: no automatic reply, and never the text back.
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")
