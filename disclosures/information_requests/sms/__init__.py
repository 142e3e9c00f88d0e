"""Text messages to applicants who gave a phone and no e-mail (notify.py): `send_sms(phone, text)`.

The backend is settings.SMS_BACKEND, a dotted path to a class with `send(phone, text) -> message id`
(base.BaseSmsBackend): console.ConsoleBackend (development, the default: logged with the phone masked, not
sent), locmem.LocmemBackend (tests: an outbox), aliyun.AliyunBackend (Aliyun dysmsapi).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseSmsBackend, SmsError, SmsRefused

DEFAULT_BACKEND = "disclosures.information_requests.sms.console.ConsoleBackend"

__all__ = ["BaseSmsBackend", "SmsError", "SmsRefused", "get_backend", "send_sms"]


def get_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)()


def send_sms(phone: str, text: str) -> str:
    """Send one message; the provider's message id. SmsRefused: refused for good; other errors: try later."""
    return get_backend().send(phone, text)
