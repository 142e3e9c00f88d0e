"""Download URLs (PDF, XLSX, CSV, Fiscal Data Package) of published versions, and the bulk downloads."""

from django.urls import path

from disclosures.exports import views

app_name = "exports"

urlpatterns = [
    path("open-data/bulk/SHA256SUMS", views.bulk_checksums, name="bulk_checksums"),
    path("open-data/bulk/<slug:key>.zip", views.bulk_download, name="bulk"),
    path("disclosures/<int:pk>/versions/<int:number>/download.pdf", views.pdf_download, name="pdf"),
    path("disclosures/<int:pk>/versions/<int:number>/download.xlsx", views.workbook_download, name="xlsx"),
    path("disclosures/<int:pk>/versions/<int:number>/datapackage.zip", views.data_package_download, name="fdp"),
    path(
        "disclosures/<int:pk>/versions/<int:number>/tables/<str:table_number>.csv",
        views.table_csv_download,
        name="table_csv",
    ),
    path(
        "disclosures/<int:pk>/versions/<int:number>/tables/<str:table_number>.xlsx",
        views.table_workbook_download,
        name="table_xlsx",
    ),
]
