"""Fixtures for the request tests: two departments, staff personas, and a helper to file a request.

Personas (as in healthchecks): `handler` and `approver` of department A (抚顺市工业和信息化局),
`other_handler` of department B, `admin` of 辽宁省 (above A), `editor` of A (publishing staff, no
request role).
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from disclosures.information_requests import services
from disclosures.information_requests.models import ApplicantType, Delivery, FormWanted, IdType
from disclosures.models import Department, Membership, Region
from tests.factories import MembershipFactory, UserFactory

PERSON_ID = "11010519491231002X"  # GB 11643 example number, valid checksum
CREDIT_CODE = "91110108551385082Q"  # a real, valid 统一社会信用代码


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def department(db):
    return Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")


@pytest.fixture
def other_department(db):
    return Department.objects.create(region=Region.get_or_create_path("辽宁省/沈阳市"), name="沈阳市财政局")


def member(username, role, department=None, region=None, full_name=""):
    user = UserFactory(username=username, first_name=full_name, email=f"{username}@example.gov.cn")
    MembershipFactory(user=user, role=role, department=department, region=region)
    return user


@pytest.fixture
def handler(department):
    return member("alice", Membership.Role.REQUEST_HANDLER, department, full_name="张经办")


@pytest.fixture
def approver(department):
    return member("bob", Membership.Role.REQUEST_APPROVER, department, full_name="李负责人")


@pytest.fixture
def other_handler(other_department):
    return member("charlie", Membership.Role.REQUEST_HANDLER, other_department)


@pytest.fixture
def admin_user(department):
    return member("dora", Membership.Role.ADMIN, region=department.region.parent)


@pytest.fixture
def editor(department):
    return member("eve", Membership.Role.EDITOR, department)


def application(department, **overrides):
    data = {
        "department": department,
        "applicant_type": ApplicantType.NATURAL_PERSON,
        "name": "王小明",
        "contact_person": "",
        "id_type": IdType.RESIDENT_ID,
        "id_number": PERSON_ID,
        "phone": "13912345678",
        "email": "wang@example.com",
        "address": "辽宁省抚顺市新抚区示例路1号",
        "information_title": "2025年度工业企业技术改造专项资金分配结果",
        "document_number": "",
        "description": "请提供2025年度本局工业企业技术改造专项资金的分配结果及分配依据。",
        "form_wanted": FormWanted.ELECTRONIC,
        "delivery": Delivery.ONLINE,
    }
    data.update(overrides)
    return data


def file_request(department, on=None, **overrides):
    """Submit a request (at 09:00 local time on `on`, if given)."""
    now = None
    if on is not None:
        now = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9, 0)))
    return services.submit_request(application(department, **overrides), now=now)


def received(department, handler, on, **overrides):
    """A request submitted and registered on `on`."""
    request = file_request(department, on=on, **overrides)
    return services.receive(request, actor=handler, today=on)


def grant_session(client, request):
    """Give the test client's session access to a request, as a correct status lookup does.

    A fresh session each time: a frozen clock moved days ahead has expired the previous one.
    """
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["information_requests"] = [request.pk]
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


@pytest.fixture
def frozen():
    """Freeze the clock at a local date: `frozen(datetime.date(...))` (09:00 Asia/Shanghai)."""
    travellers = []

    def freeze(day):
        while travellers:
            travellers.pop().stop()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return day

    yield freeze
    while travellers:
        travellers.pop().stop()
