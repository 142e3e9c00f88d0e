"""Public addresses of the published 政府信息公开工作年度报告 (条例第五十条), under /reports/."""

from django.urls import path

from .views import reports

app_name = "annual_reports"
VERSION = "<int:department_id>/<int:year>/versions/<int:number>"
urlpatterns = [
    path("<int:department_id>/<int:year>/", reports.department_report, name="department"),
    path(f"{VERSION}/", reports.department_report, name="department_version"),
    path(f"{VERSION}/report.pdf", reports.department_pdf, name="department_pdf"),
    path(f"{VERSION}/report.xlsx", reports.department_xlsx, name="department_xlsx"),
    path("regions/<int:region_id>/<int:year>/", reports.region_report, name="region"),
    path("regions/<int:region_id>/<int:year>/report.pdf", reports.region_pdf, name="region_pdf"),
    path("regions/<int:region_id>/<int:year>/report.xlsx", reports.region_xlsx, name="region_xlsx"),
]
