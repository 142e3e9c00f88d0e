"""Who may open what: every persona × every staff and administration URL × objects here and elsewhere.

The point of view is 抚顺市 (辽宁省). Objects are in three places:
  own       抚顺市工业和信息化局, the department of the editor, reviewer, handler and approver;
  region    沈阳市财政局: another city of the same province (the province's administrator's, not the city's);
  province  石家庄市财政局 in 河北省 (only 河北省's administrator's).
A dash is a URL without an object (a list, an add form) or the national holiday calendar.

Each cell is the status code the persona gets (302 for anonymous is the login page; for department
staff, who are not staff accounts, /admin/ redirects to its login too; an administrator who opens an
object outside their region is sent back to the admin's index, 302). The escalations an assessor found
are rows here, now refused: another person's password form (403 for everyone but a superuser), the
calendar for region administrators (403), budget drafts for request handlers and approvers (403), and
the escalate_* rows, POSTs that only a superuser's succeed (a role for an account elsewhere or for
oneself is a form error, 200; a password or a calendar day, 403), each checked to have changed nothing.

The data is built once per module inside a transaction that each test's own transaction nests in and
that is rolled back at the end, so the few hundred requests stay fast.
"""

import datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from disclosures.models import CalendarDay, Department, Disclosure, Membership, Region, Section, Unit, Version

PERSONAS = [
    "anonymous", "editor", "reviewer", "handler", "approver", "city_admin", "province_admin", "other_admin",
    "superuser", "citizen",
]

# url                       place     anon edit revw hand appr city prov othr supr citz
MATRIX = """
staff_home                  -         302  200  200  200  200  200  200  200  200  200
staff_upload                own       302  200  403  403  403  403  403  404  403  404
staff_upload                region    302  404  404  404  404  404  403  404  403  404
staff_upload                province  302  404  404  404  404  404  404  403  403  404
staff_version               own       302  200  200  403  403  200  200  404  200  404
staff_version               region    302  404  404  404  404  404  200  404  200  404
staff_version               province  302  404  404  404  404  404  404  200  200  404
staff_preview               own       302  200  200  403  403  200  200  404  200  404
staff_preview               region    302  404  404  404  404  404  200  404  200  404
staff_preview               province  302  404  404  404  404  404  404  200  200  404
staff_changes               own       302  200  200  403  403  200  200  404  200  404
staff_changes               province  302  404  404  404  404  404  404  200  200  404
staff_section               own       302  200  200  403  403  200  200  404  200  404
staff_section               region    302  404  404  404  404  404  200  404  200  404
staff_sections_from_word    own       302  200  403  403  403  403  403  404  403  404
staff_action                own       302  302  302  403  403  302  302  404  302  404
staff_action                province  302  404  404  404  404  404  404  302  302  404
staff_correct               own       302  302  302  403  403  302  302  404  302  404
staff_disclosure_audit      own       302  200  200  403  403  200  200  404  200  404
staff_disclosure_audit      region    302  404  404  404  404  404  200  404  200  404
staff_approvals             -         302  403  403  403  403  200  200  200  200  403
staff_compliance            -         302  403  403  403  403  200  200  200  200  403
staff_audit                 -         302  403  403  403  403  200  200  200  200  403
requests_home               -         302  200  200  302  302  302  200  302  200  200
requests_inbox              own       302  404  404  200  200  200  200  404  200  404
requests_inbox              region    302  404  404  404  404  404  200  404  200  404
requests_inbox              province  302  404  404  404  404  404  404  200  200  404
requests_report             own       302  404  404  200  200  200  200  404  200  404
requests_report             province  302  404  404  404  404  404  404  200  200  404
requests_detail             own       302  404  404  200  200  200  200  404  200  404
requests_detail             region    302  404  404  404  404  404  200  404  200  404
requests_detail             province  302  404  404  404  404  404  404  200  200  404
requests_act                own       302  404  404  302  302  403  403  404  403  404
requests_act                province  302  404  404  404  404  404  404  403  403  404
user_changelist             -         302  302  302  302  302  200  200  200  200  403
user_add                    -         302  302  302  302  302  200  200  200  200  403
user_change                 own       302  302  302  302  302  200  200  302  200  403
user_change                 region    302  302  302  302  302  302  200  302  200  403
user_change                 province  302  302  302  302  302  302  302  200  200  403
user_password               own       302  302  302  302  302  403  403  403  200  403
user_password               region    302  302  302  302  302  403  403  403  200  403
user_password               province  302  302  302  302  302  403  403  403  200  403
membership_changelist       -         302  302  302  302  302  200  200  200  200  403
membership_add              -         302  302  302  302  302  200  200  200  200  403
membership_change           own       302  302  302  302  302  200  200  302  200  403
membership_change           region    302  302  302  302  302  302  200  302  200  403
membership_change           province  302  302  302  302  302  302  302  200  200  403
department_changelist       -         302  302  302  302  302  200  200  200  200  403
department_add              -         302  302  302  302  302  200  200  200  200  403
department_change           own       302  302  302  302  302  200  200  302  200  403
department_change           region    302  302  302  302  302  302  200  302  200  403
department_change           province  302  302  302  302  302  302  302  200  200  403
unit_changelist             -         302  302  302  302  302  200  200  200  200  403
unit_add                    -         302  302  302  302  302  200  200  200  200  403
unit_change                 own       302  302  302  302  302  200  200  302  200  403
unit_change                 region    302  302  302  302  302  302  200  302  200  403
unit_change                 province  302  302  302  302  302  302  302  200  200  403
calendarday_changelist      -         302  302  302  302  302  403  403  403  200  403
calendarday_add             -         302  302  302  302  302  403  403  403  200  403
calendarday_change          -         302  302  302  302  302  403  403  403  200  403
escalate_role_elsewhere     province  302  302  302  302  302  200  200  200  302  403
escalate_role_self          own       302  302  302  302  302  200  200  200  302  403
escalate_password           own       302  302  302  302  302  403  403  403  302  403
escalate_password           province  302  302  302  302  302  403  403  403  302  403
escalate_calendar           -         302  302  302  302  302  403  403  403  302  403
"""


def _cells():
    for line in MATRIX.strip().splitlines():
        url, place, *codes = line.split()
        assert len(codes) == len(PERSONAS), line
        for persona, code in zip(PERSONAS, codes):
            yield pytest.param(url, place, persona, int(code), id=f"{url}-{place}-{persona}")


PLACES = {
    "own": ("辽宁省/抚顺市", "抚顺市工业和信息化局"),
    "region": ("辽宁省/沈阳市", "沈阳市财政局"),
    "province": ("河北省/石家庄市", "石家庄市财政局"),
}


def _build():
    from django.contrib.auth import get_user_model

    from disclosures.information_requests import services as request_services
    from tests.information_requests.conftest import application

    User = get_user_model()
    password = make_password("correct-horse-battery")

    def account(username, **flags):
        return User.objects.create(username=username, password=password, email=f"{username}@example.gov.cn", **flags)

    def member(username, role, department=None, region=None):
        user = account(username)
        Membership.objects.create(user=user, role=role, department=department, region=region)
        return user

    world = {"departments": {}, "units": {}, "versions": {}, "requests": {}, "users": {}, "memberships": {}}
    for place, (path, name) in PLACES.items():
        department = Department.objects.create(region=Region.get_or_create_path(path), name=name)
        world["departments"][place] = department
        world["units"][place] = Unit.objects.create(department=department, code="101001", name=f"{name}本级")
        staff_member = member(f"staff_{place}", Membership.Role.REVIEWER, department)
        world["users"][place] = staff_member
        world["memberships"][place] = staff_member.memberships.get()
        disclosure = Disclosure.objects.create(
            department=department, year=2025, kind="budget", format="liaoning-budget-18",
            approved_on=datetime.date(2025, 1, 24),
        )
        version = Version.objects.create(disclosure=disclosure, number=1, created_by=staff_member)
        Section.objects.create(version=version, key="explanation", title="情况说明", body="情况说明的内容。")
        world["versions"][place] = version
        world["requests"][place] = request_services.submit_request(application(department))

    own = world["departments"]["own"]
    fushun, liaoning = own.region, own.region.parent
    hebei = world["departments"]["province"].region.parent
    world["personas"] = {
        "anonymous": None,
        "editor": member("p_editor", Membership.Role.EDITOR, own),
        "reviewer": member("p_reviewer", Membership.Role.REVIEWER, own),
        "handler": member("p_handler", Membership.Role.REQUEST_HANDLER, own),
        "approver": member("p_approver", Membership.Role.REQUEST_APPROVER, own),
        "city_admin": member("p_city_admin", Membership.Role.ADMIN, region=fushun),
        "province_admin": member("p_province_admin", Membership.Role.ADMIN, region=liaoning),
        "other_admin": member("p_other_admin", Membership.Role.ADMIN, region=hebei),
        "superuser": account("p_superuser", is_staff=True, is_superuser=True),
        "citizen": account("p_citizen", is_staff=True),
    }
    world["calendar_day"] = CalendarDay.objects.create(date=datetime.date(2030, 10, 1), is_workday=False, name="国庆节")
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once; each test runs in a savepoint of this transaction, which is rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            yield _build()
            transaction.set_rollback(True)


NEW_PASSWORD = "Lantern-Orchid-7319"


def _escalation(url, place, world, user):
    """(path, data, probe) for an escalation row: probe() reads what a successful attempt would change.

    Only the superuser's attempts succeed; everyone else's leave it as it was.
    """
    own = world["departments"]["own"]
    if url == "escalate_role_elsewhere":
        # A request-handler role in 抚顺市 for an account of another place.
        account = world["users"][place]
        data = {"user": account.pk, "role": "request_handler", "department": own.pk, "region": ""}
        return reverse("admin:disclosures_membership_add"), data, lambda: account.memberships.count()
    if url == "escalate_role_self":
        account = user or world["users"][place]
        data = {"user": account.pk, "role": "request_approver", "department": own.pk, "region": ""}
        return reverse("admin:disclosures_membership_add"), data, lambda: account.memberships.count()
    if url == "escalate_password":
        account = world["users"][place]
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        path = reverse("admin:auth_user_password_change", args=[account.pk])
        return path, data, lambda: type(account).objects.get(pk=account.pk).password
    if url == "escalate_calendar":
        data = {"date": "2030-10-08", "is_workday": "", "name": "国庆节"}
        day = datetime.date(2030, 10, 8)
        return reverse("admin:disclosures_calendarday_add"), data, lambda: CalendarDay.objects.filter(date=day).count()
    raise KeyError(url)


def _request(url, place, world):
    """(method, path) for a row of the matrix."""
    version = world["versions"].get(place)
    department = world["departments"].get(place)
    request = world["requests"].get(place)
    admin_objects = {
        "user": world["users"].get(place),
        "membership": world["memberships"].get(place),
        "department": department,
        "unit": world["units"].get(place),
        "calendarday": world["calendar_day"],
    }
    routes = {
        "staff_home": lambda: ("get", reverse("staff_home")),
        "staff_upload": lambda: ("get", reverse("staff_upload", args=[department.pk])),
        "staff_version": lambda: ("get", reverse("staff_version", args=[version.pk])),
        "staff_preview": lambda: ("get", reverse("staff_preview", args=[version.pk])),
        "staff_changes": lambda: ("get", reverse("staff_changes", args=[version.pk])),
        "staff_section": lambda: ("get", reverse("staff_section", args=[version.pk, "explanation"])),
        "staff_sections_from_word": lambda: ("get", reverse("staff_sections_from_word", args=[version.pk])),
        # An empty note: the action refuses it with a message and returns to the version (302) when allowed.
        "staff_action": lambda: ("post", reverse("staff_action", args=[version.pk, "note"])),
        "staff_correct": lambda: ("post", reverse("staff_correct", args=[version.disclosure_id])),
        "staff_disclosure_audit": lambda: ("get", reverse("staff_disclosure_audit", args=[version.disclosure_id])),
        "staff_approvals": lambda: ("get", reverse("staff_approvals")),
        "staff_compliance": lambda: ("get", reverse("staff_compliance")),
        "staff_audit": lambda: ("get", reverse("staff_audit")),
        "requests_home": lambda: ("get", reverse("information_requests:staff_home")),
        "requests_inbox": lambda: ("get", reverse("information_requests:inbox", args=[department.pk])),
        "requests_report": lambda: ("get", reverse("information_requests:report", args=[department.pk])),
        "requests_detail": lambda: ("get", reverse("information_requests:detail", args=[request.pk])),
        "requests_act": lambda: ("post", reverse("information_requests:act", args=[request.pk, "receive"])),
    }
    if url in routes:
        return routes[url]()
    model, page = url.rsplit("_", 1)
    app = "auth" if model == "user" else "disclosures"
    if page in ("changelist", "add"):
        return "get", reverse(f"admin:{app}_{model}_{page}")
    obj = admin_objects[model]
    name = "auth_user_password_change" if page == "password" else f"{app}_{model}_change"
    return "get", reverse(f"admin:{name}", args=[obj.pk])


@pytest.mark.parametrize(("url", "place", "persona", "expected"), list(_cells()))
def test_permission_matrix(client, db, world, url, place, persona, expected):
    user = world["personas"][persona]
    if user is not None:
        client.force_login(user)
    if url.startswith("escalate_"):
        path, data, probe = _escalation(url, place, world, user)
        before = probe()
        response = client.post(path, data)
        assert response.status_code == expected, f"{persona} POST {path}"
        assert (probe() != before) == (persona == "superuser"), f"{persona} POST {path}"
    else:
        method, path = _request(url, place, world)
        response = getattr(client, method)(path)
        assert response.status_code == expected, f"{persona} {method.upper()} {path}"
    if expected == 302 and user is None:
        assert "login" in response.url
