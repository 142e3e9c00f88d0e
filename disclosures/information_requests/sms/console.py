"""Development: the message goes to the log, with the phone masked; nothing is sent.

Its messages are not deliveries (proves_delivery): a notice "sent" this way stays 待送达 until staff record
how it reached the applicant.
"""

import logging
import uuid

from ..personal_data import mask_phone
from .base import BaseSmsBackend

logger = logging.getLogger("disclosures.information_requests.sms")


class ConsoleBackend(BaseSmsBackend):
    proves_delivery = False

    def send(self, phone, text):
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        logger.warning("短信（未发送，控制台）%s → %s：%s", message_id, mask_phone(phone), text)
        return message_id
