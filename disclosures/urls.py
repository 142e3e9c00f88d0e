from django.urls import path

from disclosures import feeds
from disclosures.api import open_data
from disclosures.views import accountability, audit, budget_vs_actual, department, follow, history, public, staff

urlpatterns = [
    path("", public.home, name="home"),
    path("open-data/", open_data.page, name="open_data"),
    path("regions/<int:pk>/", public.region, name="region"),
    path("years/<int:year>/", public.year, name="year"),
    path("regions/<int:pk>/<int:year>/accountability/", accountability.accountability_page, name="accountability"),
    path("regions/<int:pk>/<int:year>/sangong/", accountability.sangong, name="sangong"),
    path("departments/<int:pk>/", department.department, name="department"),
    path("departments/<int:pk>/compare/", department.comparison, name="department_compare"),
    path("feed/", feeds.AllFeed(), name="feed"),
    path("regions/<int:pk>/feed/", feeds.RegionFeed(), name="region_feed"),
    path("departments/<int:pk>/feed/", feeds.DepartmentFeed(), name="department_feed"),
    path("subscribe/", follow.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", follow.confirm, name="subscription_confirm"),
    path("subscribe/unsubscribe/<str:token>/", follow.unsubscribe, name="subscription_unsubscribe"),
    path("disclosures/<int:pk>/", public.disclosure, name="disclosure"),
    path("disclosures/<int:pk>/versions/<int:number>/", public.disclosure, name="disclosure_version"),
    path("disclosures/<int:pk>/budget-vs-actual/", budget_vs_actual.budget_vs_actual, name="budget_vs_actual"),
    path("disclosures/<int:pk>/versions/<int:number>/changes/", history.version_changes, name="disclosure_changes"),
    path("staff/", staff.home, name="staff_home"),
    path("staff/departments/<int:pk>/upload/", staff.upload, name="staff_upload"),
    path("staff/versions/<int:pk>/", staff.version_workspace, name="staff_version"),
    path("staff/versions/<int:pk>/preview/", staff.version_preview, name="staff_preview"),
    path("staff/versions/<int:pk>/changes/", staff.version_changes, name="staff_changes"),
    path("staff/versions/<int:pk>/sections/<slug:key>/", staff.section_edit, name="staff_section"),
    path("staff/versions/<int:pk>/sections-from-word/", staff.sections_from_word, name="staff_sections_from_word"),
    path("staff/versions/<int:pk>/<slug:name>/", staff.version_action, name="staff_action"),
    path("staff/disclosures/<int:pk>/correct/", staff.correct, name="staff_correct"),
    path("staff/disclosures/<int:pk>/audit/", staff.disclosure_audit, name="staff_disclosure_audit"),
    path("staff/approvals/", staff.approvals, name="staff_approvals"),
    path("staff/compliance/", staff.compliance_view, name="staff_compliance"),
    path("staff/audit/", audit.audit, name="staff_audit"),
]
