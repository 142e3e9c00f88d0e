from django.urls import path, re_path

from disclosures.api import views

app_name = "api"
# Ids are taken as text and checked in the views, so that a malformed one is a JSON 404 too.
urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("regions", views.regions, name="regions"),
    path("departments", views.departments, name="departments"),
    path("disclosures", views.disclosures, name="disclosures"),
    path("search", views.search, name="search"),
    path("disclosures/<str:pk>", views.disclosure, name="disclosure"),
    path("disclosures/<str:pk>/versions/<str:number>", views.disclosure_version, name="disclosure_version"),
    re_path(r"^.*$", views.not_found),
]
