import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosures.models import Department, Membership, Region
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def sign_in_checks(settings):
    """The sign-in rules as deployed (tests/conftest.py turns them off for the rest of the suite)."""
    settings.SECOND_FACTOR_REQUIRED = True
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.PASSWORD_MAX_AGE_DAYS = 90
    settings.AXES_FAILURE_LIMIT = 5
    return settings


@pytest.fixture
def people(db):
    """A reviewer and an editor in 抚顺市, the province's administrator, and an administrator of another province."""
    from types import SimpleNamespace

    city = Region.get_or_create_path("辽宁省/抚顺市")
    department = Department.objects.create(region=city, name="抚顺市工业和信息化局")
    elsewhere = Region.get_or_create_path("河北省")
    found = SimpleNamespace(department=department, city=city)
    for name, role, dept, region in [
        ("reviewer", Membership.Role.REVIEWER, department, None),
        ("editor", Membership.Role.EDITOR, department, None),
        ("admin", Membership.Role.ADMIN, None, city.parent),
        ("hebei_admin", Membership.Role.ADMIN, None, elsewhere),
    ]:
        user = UserFactory(username=name, email=f"{name}@example.cn", first_name=name)
        MembershipFactory(user=user, role=role, department=dept, region=region)
        setattr(found, name, user)
    return found


def code_for(device) -> str:
    """The code an authenticator app shows now for this device, computed from its key (RFC 6238).

    A code is accepted once: after a sign-in in the same 30-second step, the next step's code is
    used (the device accepts one step of drift).
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return str(totp.token()).zfill(device.digits)


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def log_in(client, username, password=PASSWORD, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)
