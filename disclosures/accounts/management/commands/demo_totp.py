"""Print the current second-factor code of a demo account, so a person trying the demo can sign in.

Only with DEBUG on: a code printed on the command line is no second factor in production.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosures.accounts.second_factor import DEVICE_NAME, secret

# A fixed secret for demo accounts (the RFC 6238 test key "12345678901234567890"), so an authenticator
# app set up once keeps working after `make demo` rebuilds the database.
DEMO_KEY = "3132333435363738393031323334353637383930"


def current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


class Command(BaseCommand):
    help = "打印演示账号当前的 6 位验证码（没有身份验证器时以固定的演示密钥创建一个）；仅在 DEBUG 开启时可用。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp 只用于演示环境：DEBUG 关闭时不打印验证码。")
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"没有账号 {username}。")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=DEMO_KEY, confirmed=True)
            self.stderr.write(f"已为 {username} 创建演示身份验证器，密钥 {secret(device)}（可添加到手机上的身份验证器）。")
        self.stdout.write(current_code(device))
