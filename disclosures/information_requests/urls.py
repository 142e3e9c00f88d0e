from django.urls import path

from .views import public, reports, staff

app_name = "information_requests"
urlpatterns = [
    path("", public.apply, name="apply"),
    path("status/", public.lookup, name="lookup"),
    path("status/recover/", public.recover, name="recover"),
    # No tracking code in any path: the session proves access (views/public.py).
    path("my/<int:pk>/", public.status, name="status"),
    path("my/<int:pk>/receipt/", public.receipt, name="receipt"),
    path("my/<int:pk>/amend/", public.amend, name="amend"),
    path("my/<int:pk>/letter/", public.letter, name="letter"),
    path("my/<int:pk>/files/<int:file_id>/", public.disclosed_file, name="file"),
    path("staff/", staff.home, name="staff_home"),
    path("staff/departments/<int:department>/", staff.inbox, name="inbox"),
    path("staff/departments/<int:department>/report/", staff.annual_report, name="report"),
    path("staff/departments/<int:department>/report.xlsx", staff.annual_report_xlsx, name="report_xlsx"),
    path("staff/departments/<int:department>/report/submit/", reports.staff_submit, name="report_submit"),
    path("staff/annual-reports/<int:pk>/publish/", reports.staff_publish, name="report_publish"),
    path("staff/annual-reports/<int:pk>/return/", reports.staff_return, name="report_return"),
    path("staff/requests/<int:pk>/", staff.detail, name="detail"),
    path("staff/requests/<int:pk>/letter/", staff.letter, name="staff_letter"),
    path("staff/requests/<int:pk>/files/<int:file_id>/", staff.reply_file, name="staff_file"),
    path("staff/requests/<int:pk>/personal-data/", staff.reveal, name="reveal"),
    path("staff/requests/<int:pk>/attachments/<int:attachment_id>/", staff.attachment, name="staff_attachment"),
    path("staff/requests/<int:pk>/proactive/", staff.act, {"action": "proactive"}, name="proactive"),
    path("staff/requests/<int:pk>/appeals/<int:appeal_id>/result/", staff.appeal_result, name="appeal_result"),
    path("staff/requests/<int:pk>/<slug:action>/", staff.act, name="act"),
]
