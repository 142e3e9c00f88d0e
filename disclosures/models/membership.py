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
ADMIN_MODELS = {
    "disclosures": [
        "region", "department", "unit", "membership", "calendaryear", "calendarday", "formatassignment", "layoutvariant",
        "secrecysettings",
    ],
    "auth": ["user"],
}


def grant_administration(user):
    """An administrator works in the administration screens (admin.py scopes what they see)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
    # Every time, so a model added later (e.g. layout variants) reaches administrators appointed before it.
    for app_label, names in ADMIN_MODELS.items():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=names))
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


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
