"""Tests: messages are kept in `outbox`, as django.core.mail's locmem backend keeps e-mails.

A phone listed in `refused` is refused (SmsRefused), as a provider refuses a number it cannot reach.
"""

import itertools
from dataclasses import dataclass

from .base import BaseSmsBackend, SmsRefused

outbox: list["Message"] = []
refused: set[str] = set()
_ids = itertools.count(1)


@dataclass
class Message:
    phone: str
    text: str
    message_id: str


class LocmemBackend(BaseSmsBackend):
    def send(self, phone, text):
        if phone in refused:
            raise SmsRefused("号码无法接收短信")
        message = Message(phone=phone, text=text, message_id=f"locmem-{next(_ids)}")
        outbox.append(message)
        return message.message_id
