"""Aliyun Short Message Service (dysmsapi, API version 2017-05-25), SendSms over HTTPS.

The request is an RPC-style GET signed with signature version 1.0: every parameter but Signature, sorted by
name, each name and value percent-encoded (RFC 3986: only A-Z a-z 0-9 - _ . ~ left as they are, a space as
%20), joined with & and =; the string to sign is "GET&%2F&" followed by that string percent-encoded again; the
signature is Base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)).

Settings: SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME (the approved 签名), SMS_TEMPLATE_CODE (an
approved template with one variable, ${content}, which receives the whole text), SMS_ENDPOINT (the API address;
tests point it at a local server) and SMS_TIMEOUT (seconds).
"""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BaseSmsBackend, SmsRefused

API_VERSION = "2017-05-25"
REGION = "cn-hangzhou"
# Answers that pass with time (flow control, the provider's own errors): the message is tried again later. Any
# other code is a refusal that no retry changes.
TEMPORARY_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling.User"}


def percent_encode(value: str) -> str:
    return quote(str(value), safe="-_.~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: dict) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(secret: str, method: str, params: dict) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class TemporaryError(Exception):
    """The provider could not take the message now; the sender tries again later."""


class AliyunBackend(BaseSmsBackend):
    def __init__(self):
        missing = [
            name
            for name in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_CODE")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(f"阿里云短信需要设置 {', '.join(missing)}。")
        self.key_id = settings.SMS_ACCESS_KEY_ID
        self.secret = settings.SMS_ACCESS_KEY_SECRET
        self.endpoint = getattr(settings, "SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
        self.timeout = getattr(settings, "SMS_TIMEOUT", 10)

    def params(self, phone: str, text: str) -> dict:
        return {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": REGION,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": phone,
            "SignName": settings.SMS_SIGN_NAME,
            "TemplateCode": settings.SMS_TEMPLATE_CODE,
            "TemplateParam": json.dumps({"content": text}, ensure_ascii=False),
        }

    def send(self, phone, text):
        params = self.params(phone, text)
        query = canonical_query(params) + "&Signature=" + percent_encode(sign(self.secret, "GET", params))
        # The query is built here, not by requests, so that the bytes sent are the ones signed.
        response = requests.get(f"{self.endpoint.rstrip('/')}/?{query}", timeout=self.timeout)
        if response.status_code >= 500:
            raise TemporaryError(f"阿里云短信接口返回 HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryError(f"阿里云短信接口返回无法解析的内容（HTTP {response.status_code}）") from None
        code = answer.get("Code", "")
        if code == "OK" and answer.get("BizId"):
            return answer["BizId"]
        # The provider's message may quote the number; only the code and its request id go on.
        reason = f"阿里云短信未受理：{code or 'HTTP ' + str(response.status_code)}（RequestId {answer.get('RequestId', '—')}）"
        if code in TEMPORARY_CODES:
            raise TemporaryError(reason)
        raise SmsRefused(reason)
