from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Membership(models.Model):
    """What a staff account may do, and where.

    Department staff (editor, reviewer) work on one department; a finance-bureau administrator
    works on a region and everything below it.
    """

    class Role(models.TextChoices):
        EDITOR = "editor", _("部门编辑")
        REVIEWER = "reviewer", _("部门审核人")
        # 依申请公开: staff who handle requests, and the head of the disclosure office who approves
        # extensions (条例第三十三条).
        REQUEST_HANDLER = "request_handler", _("依申请公开经办人")
        REQUEST_APPROVER = "request_approver", _("信息公开工作机构负责人")
        ADMIN = "admin", _("财政部门管理员")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "disclosures.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    region = models.ForeignKey(
        "disclosures.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="admin", region__isnull=False, department__isnull=True)
                    | (~models.Q(role="admin") & models.Q(department__isnull=False, region__isnull=True))
                ),
                name="membership_scope_matches_role",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.department or self.region}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.role == self.Role.ADMIN:
            grant_administration(self.user)


ADMIN_GROUP = "财政部门管理员"
# What a region's administrator may touch in the administration screens (admin.py narrows every list
# to their region). The holiday calendar is national and not here: see CALENDAR_GROUP.
ADMIN_MODELS = {
    "disclosures": [
        "region", "department", "unit", "membership", "formatassignment", "layoutvariant", "secrecysettings",
    ],
    "auth": ["user"],
}

# The holiday calendar moves the deadlines of every province (条例第三十三条 counts working days), so
# only a national role and superusers keep it (等保 2.0 访问控制: least privilege).
CALENDAR_GROUP = "全国节假日日历管理员"
CALENDAR_MODELS = {"disclosures": ["calendaryear", "calendarday"]}


def _permissions(models_by_app):
    from django.contrib.auth.models import Permission

    query = models.Q(pk__in=[])
    for app_label, names in models_by_app.items():
        query |= models.Q(content_type__app_label=app_label, content_type__model__in=names)
    return Permission.objects.filter(query)


def _group(name, models_by_app):
    """The group, holding exactly the permissions listed: one removed from the list is taken back."""
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.set(_permissions(models_by_app))
    return group


def _make_staff(user):
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def administration_group():
    return _group(ADMIN_GROUP, ADMIN_MODELS)


def calendar_group():
    return _group(CALENDAR_GROUP, CALENDAR_MODELS)


def grant_administration(user):
    """An administrator works in the administration screens (admin.py scopes what they see).

    The group's permissions are set every time, so a model added later (e.g. layout variants) reaches
    administrators appointed before it, and one taken off the list (the calendar) leaves them.
    """
    user.groups.add(administration_group())
    _make_staff(user)


def grant_calendar_administration(user):
    """The national holiday-calendar role (CALENDAR_GROUP)."""
    user.groups.add(calendar_group())
    _make_staff(user)


def memberships_in(regions):
    """The memberships held in these regions: a department's there, or an administrator's of one of them."""
    return Membership.objects.filter(models.Q(department__region__in=regions) | models.Q(region__in=regions))


def users_in(regions):
    """Accounts of these regions: every membership they hold is in them (or they hold none yet).

    A superuser is never one: only a superuser manages another superuser.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    outside = Membership.objects.exclude(pk__in=memberships_in(regions).values("pk"))
    # Rights a region's administrator cannot grant (the national calendar role, a permission given
    # one by one) make the account someone else's to manage.
    other_groups = Group.objects.exclude(name=ADMIN_GROUP)
    granted = User.user_permissions.through.objects.values("user_id")
    return (
        User.objects.filter(is_superuser=False)
        .exclude(pk__in=outside.values("user_id"))
        .exclude(groups__in=other_groups)
        .exclude(pk__in=granted)
    )


def roles_in_department(user, department) -> set[str]:
    """The roles the user holds for this department; an administrator above it counts as ADMIN."""
    if not user.is_authenticated:
        return set()
    region_ids = [region.pk for region in department.region.ancestors()]
    rows = Membership.objects.filter(user=user).filter(
        models.Q(department=department) | models.Q(role=Membership.Role.ADMIN, region_id__in=region_ids)
    )
    roles = set(rows.values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Membership.Role.ADMIN)
    return roles


def can_see_department(user, department) -> bool:
    """Staff of the department, or an administrator of its region or any region above it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    region_ids = [region.pk for region in department.region.ancestors()]
    return Membership.objects.filter(user=user).filter(
        models.Q(department=department) | models.Q(role=Membership.Role.ADMIN, region_id__in=region_ids)
    ).exists()
