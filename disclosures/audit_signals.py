"""Security events recorded from signals, whatever screen or command made the change (等保 2.0 安全审计):
roles granted, changed and revoked (Membership), and every change made in the administration screens
(each django.contrib.admin LogEntry). Also puts the audit tables' triggers back after a migration.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from disclosures import append_only
from disclosures.audit_trail import append_event
from disclosures.models import Membership

ADMIN_ACTIONS = {ADDITION: "admin_add", CHANGE: "admin_change", DELETION: "admin_delete"}


def _scope(department_id, region_id):
    from disclosures.models import Department, Region

    if department_id:
        department = Department.objects.select_related("region").filter(pk=department_id).first()
        return (department.region if department else None), (department.name if department else "")
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    return region, (region.path if region else "")


def _describe(role, department_id, region_id):
    region, place = _scope(department_id, region_id)
    return region, f"{Membership.Role(role).label} · {place}"


@receiver(pre_save, sender=Membership, dispatch_uid="audit-membership-before")
def _remember_role(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    instance._audit_before = (
        Membership.objects.filter(pk=instance.pk).values_list("role", "department_id", "region_id").first()
    )


@receiver(post_save, sender=Membership, dispatch_uid="audit-membership-saved")
def _role_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    region, after = _describe(instance.role, instance.department_id, instance.region_id)
    account = instance.user.get_username()
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        append_event("role_grant", remarks=f"{account}：{after}", region=region,
                data={"object": account, "role": instance.role, "scope": after})
        return
    if before == (instance.role, instance.department_id, instance.region_id):
        return
    _old_region, was = _describe(*before)
    append_event("role_change", remarks=f"{account}：{was} → {after}", region=region,
            data={"object": account, "role": instance.role, "scope": after, "before": was})


@receiver(post_delete, sender=Membership, dispatch_uid="audit-membership-deleted")
def _role_deleted(sender, instance, **kwargs):
    region, was = _describe(instance.role, instance.department_id, instance.region_id)
    account = instance.user.get_username() if instance.user_id else ""
    append_event("role_revoke", remarks=f"{account}：{was}", region=region,
            data={"object": account, "role": instance.role, "scope": was})


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin-log")
def _admin_change(sender, instance, created, raw=False, **kwargs):
    """Additions, changes and deletions in /admin/, with the object, the change message and the address.

    Django logs a deletion of several rows at once with bulk_create, which sends no signal: the
    administration site therefore has no "delete selected" action (admin.py)."""
    if raw or not created:
        return
    content_type = instance.content_type
    model = f"{content_type.app_label}.{content_type.model}" if content_type else ""
    append_event(
        ADMIN_ACTIONS.get(instance.action_flag, "admin_change"),
        user=instance.user,
        remarks=instance.get_change_message(),
        data={"object": instance.object_repr, "model": model, "object_id": instance.object_id},
    )


@receiver(post_migrate, dispatch_uid="audit-triggers-after-migrate")
def _triggers_back(sender, using="default", **kwargs):
    from django.db import connections

    if sender.label in ("disclosures", "information_requests"):
        append_only.ensure_installed(connections[using])
