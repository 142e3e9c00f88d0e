"""Password rules, expiry, self-service change and reset by email."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from disclosures.accounts.models import PasswordAge
from disclosures.models import AuditEvent
from tests.accounts.conftest import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOOD = "Tq8#Wn2kLp-river"


def messages_for(password, user=None):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


def test_zhangsan2025_is_refused_for_having_two_kinds_of_character(db):
    user = UserFactory(username="clerk", first_name="王")
    assert messages_for("zhangsan2025", user) == ["密码须包含小写字母、大写字母、数字、符号四类中的至少 3 类。"]


def test_zhangsan2025_is_also_too_close_to_the_account_zhangsan(db):
    user = UserFactory(username="zhangsan")
    assert any("相似" in message for message in messages_for("zhangsan2025", user))


def test_passw0rd_is_refused_as_a_disguised_common_password(db):
    # Four kinds of character and ten of them, but "passw0rd" is on Django's list of common passwords.
    assert messages_for("Passw0rd!!", UserFactory()) == ["密码是常见密码的变形（加数字、符号或以相似字符替换），容易被猜中。"]
    assert messages_for("P@ssword2025", UserFactory())


def test_short_and_project_word_passwords_are_refused(db):
    assert any("10" in message for message in messages_for("Ab1!xyz", UserFactory()))
    assert messages_for("Yujuesuan@2025", UserFactory())


def test_a_strong_password_is_accepted(db):
    validate_password(GOOD, UserFactory(username="clerk"))


def test_every_staff_member_changes_their_own_password(client, people, sign_in_checks):
    client.force_login(people.editor)
    assert "修改密码" in client.get("/staff/").content.decode()
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and "新密码至少 10 位" in page.content.decode()

    weak = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "Passw0rd!!", "new_password2": "Passw0rd!!"},
    )
    assert weak.status_code == 200 and "常见密码的变形" in weak.content.decode()

    done = client.post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password_change/done/"
    assert "密码已修改" in client.get(done["Location"]).content.decode()
    people.editor.refresh_from_db()
    assert people.editor.check_password(GOOD)
    assert AuditEvent.objects.filter(action="password_change", actor=people.editor).count() == 1
    assert timezone.now() - PasswordAge.objects.get(user=people.editor).changed_at < datetime.timedelta(minutes=1)


def test_an_expired_password_must_be_changed_before_the_staff_pages(client, people, sign_in_checks):
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(days=89), tick=False):
        client.force_login(people.editor)
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=91), tick=False):
        client.force_login(people.editor)
        response = client.get("/staff/")
        assert response.status_code == 302 and response["Location"] == "/accounts/password_change/?next=/staff/"
        page = client.get(response["Location"])
        assert "密码已超过 90 天未更换，请先修改密码" in page.content.decode()
        assert client.get("/requests/staff/").status_code == 302
        assert client.get("/").status_code == 200  # the public pages are not held back

        changed = client.post(
            "/accounts/password_change/",
            {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD, "next": "/staff/"},
        )
        assert changed["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200


def test_a_password_set_by_an_administrator_restarts_the_clock_and_is_recorded(client, people, sign_in_checks, django_user_model):
    sign_in_checks.SECOND_FACTOR_REQUIRED = False
    later = timezone.now() + datetime.timedelta(days=100)
    with time_machine.travel(later, tick=False):
        root = django_user_model.objects.create_superuser("root", "root@example.cn", "Root-pass-2025!")
        client.force_login(root)
        response = client.post(
            f"/admin/auth/user/{people.editor.pk}/password/",
            {"password1": GOOD, "password2": GOOD, "usable_password": "true"},
        )
        assert response["Location"] == f"/admin/auth/user/{people.editor.pk}/change/"
        assert PasswordAge.objects.get(user=people.editor).changed_at == later
        event = AuditEvent.objects.get(action="password_set_by_admin")
        assert event.actor == root and event.data["account"] == "editor"


def test_reset_by_email(client, people, sign_in_checks):
    page = client.get("/accounts/login/")
    assert "忘记密码" in page.content.decode()
    sent = client.post("/accounts/password_reset/", {"email": "editor@example.cn"})
    assert sent["Location"] == "/accounts/password_reset/done/"
    assert client.post("/accounts/password_reset/", {"email": "nobody@example.cn"}).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "预决算公开平台：重置密码" and message.to == ["editor@example.cn"]
    assert "申请了重置密码" in message.body
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/reset/\S+/)", message.body).group(1)

    form_url = client.get(link)["Location"]
    weak = client.post(form_url, {"new_password1": "zhangsan2025", "new_password2": "zhangsan2025"})
    assert "至少 3 类" in weak.content.decode()
    done = client.post(form_url, {"new_password1": GOOD, "new_password2": GOOD})
    assert done["Location"] == "/accounts/reset/done/"
    assert "密码已重置" in client.get(done["Location"]).content.decode()
    # The link works once.
    assert "链接无效" in client.get(link, follow=True).content.decode()

    assert log_in(client, "editor", GOOD)["Location"] == "/staff/"
    assert AuditEvent.objects.filter(action="password_reset_requested", actor=people.editor).count() == 1
    assert AuditEvent.objects.filter(action="password_reset", actor=people.editor).count() == 1
