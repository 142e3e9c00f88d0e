"""The interface every SMS backend offers: `send(phone, text)` returns the provider's message id.

A backend raises SmsRefused when the provider answers that it will not send this message (a bad number, a
template or signature not approved, a blacklisted phone): trying again changes nothing. Any other exception
(a network error, a timeout, a 5xx answer) is taken as temporary, and the sender tries again later.
"""

from abc import ABC, abstractmethod


class SmsError(Exception):
    """The message was not accepted."""


class SmsRefused(SmsError):
    """The provider refused the message for good; the text says why (no phone number in it)."""


class BaseSmsBackend(ABC):
    # Whether an accepted message counts as delivered to the applicant (a NoticeDelivery marked delivered). The
    # console backend sends nothing, so what it "sends" is no delivery.
    proves_delivery = True

    @abstractmethod
    def send(self, phone: str, text: str) -> str:
        """Hand the message to the provider; return its message id."""
