"""The finance bureau's administration screens: regions, departments, units, accounts and roles,
the holiday calendar and the format of each region and year.

An administrator (Membership role ADMIN) sees and edits only their region and everything below it:
every list, every choice (foreign key, many-to-many, autocomplete) and every object they open, so a
posted id from elsewhere is a form error, never a saved row (等保 2.0 访问控制). They do not touch
their own roles, grant no superuser or staff flag, group or permission, and set no one else's password:
they send a reset email instead. The holiday calendar is national (membership.CALENDAR_GROUP).
Disclosures and versions are not editable here at all: they change only through the publishing
workflow, and nothing published is ever deleted (RULES A.5).
"""

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied

from disclosures.audit_trail import record_security_event
from disclosures.ingest.formats import all_formats
from disclosures.models import (
    CalendarDay,
    CalendarYear,
    Department,
    FormatAssignment,
    LayoutVariant,
    Membership,
    Region,
    SecrecySettings,
    Unit,
)
from disclosures.models.membership import memberships_in, users_in
from disclosures.views.staff import admin_regions

admin.site.site_header = "预决算公开平台 · 管理"
admin.site.site_title = "预决算公开平台"
admin.site.index_title = "地区、部门、账号、日历与表式"
# "Delete selected" on several rows logs them with bulk_create, which no signal sees, so those deletions
# would escape the audit trail (audit_signals): deletions here are one object at a time.
admin.site.disable_action("delete_selected")

User = get_user_model()


def regions_of(request):
    """The regions the signed-in administrator manages, each with everything below it (once per request)."""
    if not hasattr(request, "_administered_regions"):
        request._administered_regions = admin_regions(request.user)
    return request._administered_regions


def in_scope(model, request):
    """The rows of `model` the administrator may see and choose; None for a model with no region."""
    regions = regions_of(request)
    if model is Region:
        return regions
    if model is Department:
        return Department.objects.filter(region__in=regions)
    if model is Unit:
        return Unit.objects.filter(department__region__in=regions)
    if model is Membership:
        return memberships_in(regions)
    if model is User:
        return users_in(regions)
    return None


class ScopedChoices:
    """Every choice list offers only the administrator's region: a posted id from elsewhere is invalid."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            queryset = in_scope(db_field.related_model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            queryset = in_scope(db_field.related_model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RegionScoped(ScopedChoices, admin.ModelAdmin):
    """Limit rows and choices to the regions the user administers."""

    region_lookup = "region"

    def regions(self, request):
        return regions_of(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.region_lookup}__in": self.regions(request)}).distinct()


class ScopedInline(ScopedChoices, admin.TabularInline):
    pass


@admin.register(Region)
class RegionAdmin(RegionScoped):
    region_lookup = "pk"
    list_display = ["name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a region moves it out of (or into) someone's charge: a superuser's decision.
        if obj is not None and not request.user.is_superuser:
            return ("parent",)
        return ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "parent" in form.base_fields:
            form.base_fields["parent"].required = True  # a new province is not a region administrator's to add
        return form

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class UnitInline(ScopedInline):
    model = Unit
    extra = 1


@admin.register(Department)
class DepartmentAdmin(RegionScoped):
    list_display = ["name", "code", "region"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]  # the regions of the rows shown, not every one
    search_fields = ["name", "code"]
    inlines = [UnitInline]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Unit)
class UnitAdmin(RegionScoped):
    region_lookup = "department__region"
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name", "department__name"]
    list_select_related = ["department"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "department", "region"]

    def clean(self):
        data = super().clean()
        if data.get("role") == Membership.Role.ADMIN:
            if not data.get("region") or data.get("department"):
                raise forms.ValidationError("财政部门管理员须选择地区，不选部门。")
        elif not data.get("department") or data.get("region"):
            raise forms.ValidationError("部门岗位须选择部门，不选地区。")
        return data


@admin.register(Membership)
class MembershipAdmin(RegionScoped):
    """Roles are given by the administrator of the region to the accounts of that region, never to themselves.

    Separation of duties (等保 2.0 访问控制, 三权分立): an administrator who could make themselves a
    request handler or a reviewer would read applicants' personal data or publish on their own.
    """

    form = MembershipForm
    list_display = ["user", "role", "department", "region"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "department__name"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=memberships_in(self.regions(request)).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            field.queryset = field.queryset.exclude(pk=request.user.pk)
        return field

    def may_manage(self, request, membership):
        """Another account's role, that account being entirely of the administrator's region."""
        if request.user.is_superuser:
            return True
        if membership.user_id == request.user.pk:
            return False
        return users_in(self.regions(request)).filter(pk=membership.user_id).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_manage(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_manage(request, obj))


# The holiday calendar moves deadlines in every province: no region applies, so model permissions
# decide, held only by the national calendar role and superusers (membership.CALENDAR_GROUP).
@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


class FormatAssignmentForm(forms.ModelForm):
    format = forms.ChoiceField(label="表式")

    class Meta:
        model = FormatAssignment
        fields = ["region", "year", "kind", "format"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [(code, f"{d.name}（{code}）") for code, d in sorted(all_formats().items())]


@admin.register(FormatAssignment)
class FormatAssignmentAdmin(RegionScoped):
    form = FormatAssignmentForm
    list_display = ["region", "year", "kind", "format"]
    list_filter = ["year", "kind"]


class AccountResetForm(PasswordResetForm):
    """Django's password reset email, to one chosen account (not to every account sharing its address)."""

    def __init__(self, account):
        super().__init__({"email": account.email})
        self.account = account

    def get_users(self, email):
        yield self.account


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(ScopedChoices, UserAdmin):
    """Administrators manage the accounts of their region; only a superuser grants rights or sets a password.

    A region's administrator sees accounts whose every role is in their region (or that have none yet).
    They never see the superuser, staff, group or permission fields, cannot open another account's
    password form, and cannot change the email address of an account already in use, which would
    let them receive its reset email (等保 2.0 身份鉴别; 三权分立). They send the reset email instead.
    """

    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["send_password_reset"]
    limited_fieldsets = (
        (None, {"fields": ("username",)}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj.pk == request.user.pk:
            # Their own password: the link to change it.
            return ((None, {"fields": ("username", "password")}),) + self.limited_fieldsets[1:]
        return self.limited_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        readonly = ["last_login", "date_joined"]
        if obj is not None and obj.pk != request.user.pk and obj.last_login is not None:
            readonly.append("email")
        return readonly

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=users_in(regions_of(request)).values("pk"))

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The membership form's autocomplete: never the administrator themselves.
        if request.GET.get("model_name") == "membership" and not request.user.is_superuser:
            queryset = queryset.exclude(pk=request.user.pk)
        return queryset, may_have_duplicates

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser and str(request.user.pk) != unquote(id):
            raise PermissionDenied("只有超级管理员可以直接设置他人的密码；请使用“发送重置密码邮件”。")
        return super().user_change_password(request, id, form_url)

    @admin.action(description="发送重置密码邮件", permissions=["change"])
    def send_password_reset(self, request, queryset):
        sent, skipped = [], []
        site = urlsplit(settings.SITE_URL)
        for account in queryset:
            form = AccountResetForm(account)
            if not account.is_active or not account.email or not form.is_valid():
                skipped.append(account.get_username())
                continue
            # The link points at SITE_URL, not at whatever Host header the request came with.
            form.save(request=request, extra_email_context={"protocol": site.scheme, "domain": site.netloc})
            record_security_event(
                "password_reset_sent", request=request, remarks=f"向 {account.get_username()} 发送重置密码邮件",
                account=account.get_username(),
            )
            sent.append(account.get_username())
        if sent:
            messages.success(request, f"已向 {'、'.join(sent)} 发送重置密码邮件。")
        if skipped:
            messages.warning(request, f"{'、'.join(skipped)} 已停用或没有有效的邮箱，未发送。")


class LayoutVariantForm(forms.ModelForm):
    """A region's wording of a format's columns, one line each: "表2：单位资金合计 = 本年收入/单位资金/小计"."""

    format = forms.ChoiceField(label="表式")
    wordings_text = forms.CharField(
        label="列名对应",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="每行一条：表号：工作簿中的列名 = 表式中的列（如“本年收入/单位资金/小计”，见上传检查报告的“读作表式中的列”）。",
    )

    class Meta:
        model = LayoutVariant
        fields = ["region", "year", "kind", "format", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [(code, f"{d.name}（{code}）") for code, d in sorted(all_formats().items())]
        if self.instance.pk:
            self.fields["wordings_text"].initial = "\n".join(
                f"表{number}：{word} = {key}"
                for number, roles in self.instance.wordings.items()
                for key, words in roles.items()
                for word in words
            )

    def clean(self):
        from disclosures.ingest.roles import roles_for

        data = super().clean()
        fmt = all_formats().get(data.get("format"))
        if fmt is None:
            return data
        wordings, problems = {}, []
        for line in (data.get("wordings_text") or "").splitlines():
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*表?\s*(\d{1,2})\s*[:：]\s*(.+?)\s*=\s*(.*?)\s*", line)
            if not match:
                problems.append(f"无法理解：“{line.strip()}”（应为“表号：列名 = 表式中的列”）")
                continue
            number, word, wanted = match.groups()
            try:
                definition = fmt.table(number)
            except KeyError:
                problems.append(f"表式中没有表{number}")
                continue
            roles = roles_for(definition).roles
            role = next((r for r in roles if wanted in (r.key, r.display)), None)
            if role is None:
                choices = "、".join(r.display for r in roles if not r.is_text)
                problems.append(f"表{number} 没有列“{wanted}”（可选：{choices}）")
                continue
            wordings.setdefault(number, {}).setdefault(role.key, []).append(word.split("/")[-1])
        if problems:
            raise forms.ValidationError(problems)
        self.instance.wordings = wordings
        return data


@admin.register(LayoutVariant)
class LayoutVariantAdmin(RegionScoped):
    form = LayoutVariantForm
    list_display = ["name", "region", "year", "kind", "format"]
    list_filter = ["year", "kind"]

    def get_changeform_initial_data(self, request):
        return {key: request.GET[key] for key in ("region", "year", "kind", "format", "name", "wordings_text") if key in request.GET}


@admin.register(SecrecySettings)
class SecrecySettingsAdmin(RegionScoped):
    """A region's 保密审查 terms and exceptions; they apply to its departments and the regions under it."""

    list_display = ["region", "term_count", "exception_count"]

    @admin.display(description="敏感词")
    def term_count(self, settings):
        return len(SecrecySettings.lines(settings.terms))

    @admin.display(description="例外")
    def exception_count(self, settings):
        return len(SecrecySettings.lines(settings.exceptions))

    def save_model(self, request, obj, form, change):
        """New terms or exceptions apply at once to the open versions of the region's departments."""
        super().save_model(request, obj, form, change)
        from disclosures.models import Version
        from disclosures.secrecy.review import scan_version

        open_versions = Version.objects.filter(status__in=Version.OPEN_STATUSES).select_related(
            "disclosure__department__region"
        )
        for version in open_versions:
            if obj.region in version.disclosure.department.region.ancestors():
                scan_version(version)
