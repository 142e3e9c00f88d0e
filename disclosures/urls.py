from django.urls import path

from disclosures.views import public, staff

urlpatterns = [
    path("", public.home, name="home"),
    path("regions/<int:pk>/", public.region, name="region"),
    path("departments/<int:pk>/", public.department, name="department"),
    path("disclosures/<int:pk>/", public.disclosure, name="disclosure"),
    path("disclosures/<int:pk>/versions/<int:number>/", public.disclosure, name="disclosure_version"),
    path("staff/versions/<int:pk>/", staff.version_preview, name="staff_version"),
]
