"""Read-only views of requests for the superuser only; every change goes through services.py.

Requests carry personal data and have their own staff pages (per department, /requests/staff/), so a
region administrator with /admin/ access does not see them here.
"""

from django.contrib import admin

from .models import (
    Amendment,
    Appeal,
    Extension,
    FeeNotice,
    InformationRequest,
    Reply,
    RequestEvent,
    ThirdPartyConsultation,
)


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ReadOnlyInline(SuperuserOnly, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "actor_name", "action", "public", "remarks"]


class ExtensionInline(ReadOnlyInline):
    model = Extension


class ConsultationInline(ReadOnlyInline):
    model = ThirdPartyConsultation


class FeeNoticeInline(ReadOnlyInline):
    model = FeeNotice


class AppealInline(ReadOnlyInline):
    model = Appeal


@admin.register(InformationRequest)
class InformationRequestAdmin(SuperuserOnly, admin.ModelAdmin):
    """Masked here too: a full reveal is the request handler's, on the staff page, and audited there."""

    list_display = [
        "short_code",
        "department",
        "applicant_type",
        "name",
        "masked_id_number",
        "status",
        "received_on",
        "due_on",
    ]
    list_filter = ["status", "applicant_type", "department"]
    search_fields = ["name", "tracking_code"]
    exclude = ["id_number", "phone", "email", "address"]
    readonly_fields = ["masked_id_number", "masked_phone", "masked_email", "masked_address", "anonymised_on"]
    inlines = [ExtensionInline, ConsultationInline, FeeNoticeInline, AppealInline, EventInline]

    @admin.display(description="证件号码")
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description="电子邮箱")
    def masked_email(self, obj):
        return obj.masked_email

    @admin.display(description="通讯地址")
    def masked_address(self, obj):
        return obj.masked_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Amendment, Reply)
class RecordAdmin(SuperuserOnly, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
