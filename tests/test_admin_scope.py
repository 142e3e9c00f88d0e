"""The administration screens as a region's administrator uses them, and the escalations they must refuse.

Personas: `admin` administers 辽宁省 (conftest `staff`), `city_admin` 抚顺市; Hebei has its own
department and staff. Every choice offered is of the administrator's region; a posted id from elsewhere
is a form error; no administrator gives themselves a role, grants rights, sets another person's password
or keeps the national holiday calendar.
"""

import datetime
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from disclosures.models import AuditEvent, CalendarDay, Department, Membership, Region, Unit
from disclosures.models.membership import ADMIN_GROUP, CALENDAR_GROUP, grant_administration
from tests.factories import MembershipFactory, UserFactory

User = get_user_model()
STRONG = "Lantern-Orchid-7319"


@pytest.fixture
def scope(staff):
    hebei_city = Region.get_or_create_path("河北省/石家庄市")
    hebei_department = Department.objects.create(region=hebei_city, name="石家庄市财政局")
    people = SimpleNamespace(**vars(staff), hebei=hebei_city.parent, hebei_department=hebei_department)
    people.hebei_reviewer = UserFactory(username="hebei_reviewer", email="hebei_reviewer@example.cn")
    MembershipFactory(user=people.hebei_reviewer, role=Membership.Role.REVIEWER, department=hebei_department)
    people.city_admin = UserFactory(username="city_admin", email="city_admin@example.cn")
    MembershipFactory(user=people.city_admin, role=Membership.Role.ADMIN, region=staff.city)
    people.newcomer = UserFactory(username="newcomer", email="newcomer@example.cn")  # no role yet
    return people


def membership_post(client, **fields):
    data = {"user": "", "role": "", "department": "", "region": "", "_save": "保存"}
    data.update({key: "" if value is None else value for key, value in fields.items()})
    return client.post(reverse("admin:disclosures_membership_add"), data)


def option_values(page, name):
    select = re.search(rf'<select name="{name}".*?</select>', page, flags=re.S).group(0)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


# ---- choices and posted ids ---------------------------------------------------------------------


def test_a_role_for_an_account_of_another_province_is_refused(client, scope):
    client.force_login(scope.admin)
    response = membership_post(
        client, user=scope.hebei_reviewer.pk, role="editor", department=scope.department_a.pk,
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not scope.hebei_reviewer.memberships.filter(department=scope.department_a).exists()
    response = membership_post(client, user=scope.newcomer.pk, role="editor", department=scope.hebei_department.pk)
    assert response.status_code == 200 and not scope.newcomer.memberships.exists()
    response = membership_post(client, user=scope.newcomer.pk, role="admin", region=scope.hebei.pk)
    assert response.status_code == 200 and not scope.newcomer.memberships.exists()


def test_every_choice_on_the_role_form_is_of_the_region(client, scope):
    client.force_login(scope.city_admin)
    page = client.get(reverse("admin:disclosures_membership_add")).content.decode()
    assert option_values(page, "department") == {scope.department_a.pk, scope.department_b.pk}
    assert option_values(page, "region") == {scope.city.pk}
    # The account field is an autocomplete: what it offers comes from the account list.
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "disclosures", "model_name": "membership", "field_name": "user", "term": "",
    })
    names = {row["text"] for row in json.loads(found.content)["results"]}
    assert {"editor_a", "reviewer_a", "editor_b", "newcomer"} <= names
    assert not names & {"hebei_reviewer", "admin", "city_admin"}  # elsewhere, above, and themselves


def test_a_new_account_gets_a_role_of_the_region_and_is_then_the_regions(client, scope):
    client.force_login(scope.city_admin)
    response = membership_post(client, user=scope.newcomer.pk, role="request_handler", department=scope.department_a.pk)
    assert response.status_code == 302
    assert scope.newcomer.memberships.get().role == "request_handler"
    hebei_admin = UserFactory(username="hebei_admin")
    MembershipFactory(user=hebei_admin, role=Membership.Role.ADMIN, region=scope.hebei)
    client.force_login(hebei_admin)
    response = client.get(reverse("admin:auth_user_change", args=[scope.newcomer.pk]))
    assert response.status_code == 302  # no longer a newcomer anyone may take: 抚顺市's now
    response = membership_post(client, user=scope.newcomer.pk, role="editor", department=scope.hebei_department.pk)
    assert response.status_code == 200 and scope.newcomer.memberships.count() == 1


def test_units_and_departments_are_added_only_in_the_region(client, scope):
    client.force_login(scope.city_admin)
    response = client.post(reverse("admin:disclosures_unit_add"), {
        "department": scope.hebei_department.pk, "code": "101001", "name": "越权单位",
    })
    assert response.status_code == 200 and not Unit.objects.filter(name="越权单位").exists()
    response = client.post(reverse("admin:disclosures_unit_add"), {
        "department": scope.department_a.pk, "code": "101001", "name": "本级",
    })
    assert response.status_code == 302 and Unit.objects.filter(name="本级", department=scope.department_a).exists()
    page = client.get(reverse("admin:disclosures_unit_changelist")).content.decode()
    assert "本级" in page
    page = client.get(reverse("admin:disclosures_department_changelist")).content.decode()
    assert "抚顺市财政局" in page and "石家庄市" not in page  # not in the rows, nor in the region filter
    response = client.post(reverse("admin:disclosures_department_add"), {
        "region": scope.province.pk, "name": "辽宁省越权厅", "code": "",
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200 and not Department.objects.filter(name="辽宁省越权厅").exists()


def test_a_region_administrator_adds_regions_below_theirs_and_moves_none(client, scope):
    client.force_login(scope.city_admin)
    response = client.post(reverse("admin:disclosures_region_add"), {"name": "新省", "level": "province", "parent": ""})
    assert response.status_code == 200 and not Region.objects.filter(name="新省").exists()
    response = client.post(reverse("admin:disclosures_region_add"), {"name": "新抚区", "level": "county", "parent": scope.city.pk})
    assert response.status_code == 302 and Region.objects.get(name="新抚区").parent == scope.city
    client.post(reverse("admin:disclosures_region_change", args=[scope.city.pk]), {
        "name": "抚顺市", "level": "city", "parent": scope.hebei.pk,
    })
    scope.city.refresh_from_db()
    assert scope.city.parent == scope.province


def test_an_account_with_a_role_elsewhere_is_not_the_regions_to_manage(client, scope):
    MembershipFactory(user=scope.editor_b, role=Membership.Role.EDITOR, department=scope.hebei_department)
    client.force_login(scope.admin)
    assert client.get(reverse("admin:auth_user_change", args=[scope.editor_b.pk])).status_code == 302
    liaoning_role = scope.editor_b.memberships.get(department=scope.department_b)
    url = reverse("admin:disclosures_membership_change", args=[liaoning_role.pk])
    assert client.get(url).status_code == 200  # seen, in the region's list
    response = client.post(url, {"user": scope.editor_b.pk, "role": "request_handler", "department": scope.department_b.pk})
    assert response.status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[scope.editor_a.pk])).status_code == 200


# ---- their own roles and rights -----------------------------------------------------------------


def test_an_administrator_cannot_give_themselves_a_role(client, scope):
    client.force_login(scope.admin)
    response = membership_post(client, user=scope.admin.pk, role="request_handler", department=scope.department_a.pk)
    assert response.status_code == 200 and scope.admin.memberships.count() == 1
    own = scope.admin.memberships.get()
    url = reverse("admin:disclosures_membership_change", args=[own.pk])
    response = client.post(url, {"user": scope.admin.pk, "role": "request_handler", "department": scope.department_a.pk})
    assert response.status_code == 403
    assert client.post(reverse("admin:disclosures_membership_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    response = client.post(reverse("admin:disclosures_membership_changelist"), {
        "action": "delete_selected", "_selected_action": [own.pk], "post": "yes",
    })
    own.refresh_from_db()
    assert own.role == "admin"


def test_the_administrator_gives_request_roles_to_others_of_the_region(client, scope):
    client.force_login(scope.admin)
    response = membership_post(client, user=scope.editor_b.pk, role="request_approver", department=scope.department_b.pk)
    assert response.status_code == 302
    assert scope.editor_b.memberships.filter(role="request_approver").exists()


def test_superuser_staff_groups_and_permissions_are_not_a_region_administrators_to_grant(client, scope):
    group = Group.objects.create(name="全部权限")
    group.permissions.set(Permission.objects.all())
    client.force_login(scope.admin)
    url = reverse("admin:auth_user_change", args=[scope.editor_a.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="user_permissions"' not in page
    response = client.post(url, {
        "username": "editor_a", "first_name": "编辑甲", "last_name": "", "email": "editor_a@example.cn",
        "is_active": "on", "is_staff": "on", "is_superuser": "on", "groups": [group.pk],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:5]),
    })
    assert response.status_code == 302
    scope.editor_a.refresh_from_db()
    assert scope.editor_a.first_name == "编辑甲"
    assert not scope.editor_a.is_superuser and not scope.editor_a.is_staff
    assert not scope.editor_a.groups.exists() and not scope.editor_a.user_permissions.exists()


def test_the_email_of_an_account_in_use_is_not_the_administrators_to_change(client, scope):
    """Else they would send the reset email to themselves."""
    scope.reviewer_a.last_login = datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)
    scope.reviewer_a.save()
    client.force_login(scope.admin)
    for user, expected in ((scope.reviewer_a, "reviewer_a@example.cn"), (scope.newcomer, "mine@example.cn")):
        client.post(reverse("admin:auth_user_change", args=[user.pk]), {
            "username": user.username, "first_name": "", "last_name": "", "email": "mine@example.cn", "is_active": "on",
        })
        user.refresh_from_db()
        assert user.email == expected


# ---- passwords ----------------------------------------------------------------------------------


def test_no_one_but_a_superuser_sets_another_persons_password(client, scope):
    before = User.objects.get(pk=scope.reviewer_a.pk).password
    client.force_login(scope.admin)
    url = reverse("admin:auth_user_password_change", args=[scope.reviewer_a.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 403
    assert User.objects.get(pk=scope.reviewer_a.pk).password == before
    # The change page has no link to that form either.
    page = client.get(reverse("admin:auth_user_change", args=[scope.reviewer_a.pk])).content.decode()
    assert "../password/" not in page
    # Their own password: yes.
    assert client.get(reverse("admin:auth_user_password_change", args=[scope.admin.pk])).status_code == 200
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(url, {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302
    assert User.objects.get(pk=scope.reviewer_a.pk).check_password(STRONG)


def test_the_administrator_sends_a_reset_email_instead(client, scope, settings):
    settings.SITE_URL = "https://yjsgk.example.gov.cn"
    mail.outbox.clear()
    client.force_login(scope.admin)
    response = client.post(reverse("admin:auth_user_changelist"), {
        "action": "send_password_reset", "_selected_action": [scope.reviewer_a.pk, scope.hebei_reviewer.pk],
    }, follow=True)
    assert response.status_code == 200
    assert "已向 reviewer_a 发送重置密码邮件" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["reviewer_a@example.cn"]]  # not Hebei's
    body = mail.outbox[0].body
    assert "https://yjsgk.example.gov.cn/accounts/reset/" in body
    event = AuditEvent.objects.get(action="password_reset_sent")
    assert event.actor == scope.admin and event.data["account"] == "reviewer_a"
    # The link works: the reviewer sets a new password with it.
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line).split("example.gov.cn", 1)[1]
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    assert User.objects.get(pk=scope.reviewer_a.pk).check_password(STRONG)


# ---- the national holiday calendar --------------------------------------------------------------


def test_the_holiday_calendar_is_not_a_region_administrators(client, scope):
    client.force_login(scope.admin)
    assert client.get(reverse("admin:disclosures_calendarday_changelist")).status_code == 403
    response = client.post(reverse("admin:disclosures_calendarday_add"), {
        "date": "2030-10-08", "is_workday": "", "name": "国庆节",
    })
    assert response.status_code == 403 and not CalendarDay.objects.exists()


def test_administrators_appointed_earlier_lose_the_calendar(scope):
    group = Group.objects.get(name=ADMIN_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__model__in=["calendarday", "calendaryear"]))
    assert scope.admin.has_perm("disclosures.add_calendarday")
    grant_administration(UserFactory(username="appointed_later"))
    admin = User.objects.get(pk=scope.admin.pk)  # a fresh permission cache
    assert not admin.has_perm("disclosures.add_calendarday")
    assert admin.has_perm("disclosures.change_department")


def test_the_national_calendar_role_is_granted_by_command(client, scope):
    keeper = UserFactory(username="calendar_keeper")
    call_command("grant_calendar_admin", "calendar_keeper", stdout=open("/dev/null", "w"))
    keeper = User.objects.get(pk=keeper.pk)
    assert keeper.is_staff and keeper.groups.filter(name=CALENDAR_GROUP).exists()
    assert AuditEvent.objects.filter(action="calendar_role_grant").exists()
    client.force_login(keeper)
    response = client.post(reverse("admin:disclosures_calendarday_add"), {
        "date": "2030-10-08", "is_workday": "", "name": "国庆节",
    })
    assert response.status_code == 302 and CalendarDay.objects.filter(date=datetime.date(2030, 10, 8)).exists()
    # Someone a region administrator cannot grant this to is not theirs to manage either.
    client.force_login(scope.admin)
    assert client.get(reverse("admin:auth_user_change", args=[keeper.pk])).status_code == 302
    with pytest.raises(CommandError, match="nobody"):
        call_command("grant_calendar_admin", "nobody")


# ---- drafts are for the publishing staff --------------------------------------------------------


def test_request_handlers_see_no_drafts_on_the_staff_home(client, scope):
    from tests.conftest import upload_seed004

    version = upload_seed004(scope)
    handler = UserFactory(username="handler_a")
    MembershipFactory(user=handler, role=Membership.Role.REQUEST_HANDLER, department=scope.department_a)
    client.force_login(handler)
    page = client.get(reverse("staff_home")).content.decode()
    assert reverse("staff_version", args=[version.pk]) not in page
    assert client.get(reverse("staff_version", args=[version.pk])).status_code == 403
    client.force_login(scope.reviewer_a)
    assert reverse("staff_version", args=[version.pk]) in client.get(reverse("staff_home")).content.decode()
