from django.urls import path

from disclosures.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/setup/", views.setup, name="setup"),
    path("accounts/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/security/", views.second_factor_page, name="second_factor"),
    path("staff/security/lockouts/", views.lockouts, name="lockouts"),
    path("staff/security/lockouts/unlock/", views.unlock, name="unlock"),
]
