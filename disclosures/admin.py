"""The finance bureau's administration screens: regions, departments, units, accounts and roles,
the holiday calendar and the format of each region and year.

An administrator (Membership role ADMIN) sees and edits only their region and everything below
it. Disclosures and versions are not editable here at all: they change only through the
publishing workflow, and nothing published is ever deleted (RULES A.5).
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q

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
from disclosures.views.staff import admin_regions

admin.site.site_header = "预决算公开平台 · 管理"
admin.site.site_title = "预决算公开平台"
admin.site.index_title = "地区、部门、账号、日历与表式"


class RegionScoped(admin.ModelAdmin):
    """Limit rows and choices to the regions the user administers."""

    region_lookup = "region"

    def regions(self, request):
        return admin_regions(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.region_lookup}__in": self.regions(request)}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name in ("region", "parent"):
                kwargs["queryset"] = self.regions(request)
            elif db_field.name == "department":
                kwargs["queryset"] = Department.objects.filter(region__in=self.regions(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(RegionScoped):
    region_lookup = "pk"
    list_display = ["name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset if request.user.is_superuser else queryset.filter(pk__in=self.regions(request))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 1


@admin.register(Department)
class DepartmentAdmin(RegionScoped):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [UnitInline]

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
    form = MembershipForm
    list_display = ["user", "role", "department", "region"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "department__name"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        regions = self.regions(request)
        return queryset.filter(Q(department__region__in=regions) | Q(region__in=regions))


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


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Administrators manage the accounts of their region; only a superuser grants superuser rights."""

    search_fields = ["username", "first_name", "last_name", "email"]
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("last_login", "date_joined")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        regions = admin_regions(request.user)
        return queryset.filter(
            Q(memberships__department__region__in=regions) | Q(memberships__region__in=regions) | Q(memberships=None)
        ).filter(is_superuser=False).distinct()


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
