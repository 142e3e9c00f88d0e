"""TOTP devices and recovery codes (django-otp's otp_totp and otp_static)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
DEVICE_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (the same secret until confirmed, so a reload keeps the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret(device) -> str:
    """The key as authenticator apps take it for manual entry, in groups of four."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm(device):
    """The code matched: this device replaces any earlier one; unconfirmed leftovers go."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def verify(user, token):
    """The device that accepts the token (a 6-digit code, or else a recovery code), or None; plus a reason."""
    if token.isdigit() and len(token) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update()
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True).select_for_update()
    throttled = None
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            throttled = info
            continue
        if device.verify_token(token):
            return device, None
    return None, throttled


@transaction.atomic
def remove(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
