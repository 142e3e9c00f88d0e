"""Production refuses to start half-configured; the database comes from DATABASE_URL."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def start(env):
    dropped = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY")
    environment = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("EMAIL_", "SECURE_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start({"DEBUG": "False", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = start({"DEBUG": "False", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off." in result.stderr


# A Fernet key and an HMAC key for applicants' personal data, and a mail relay, required with DEBUG off.
PERSONAL_DATA = {
    "PERSONAL_DATA_KEYS": "mW5wQ0ZbVx1gA8Jr3dJ3Gm4Jt6yGq1Xh0lq8U2b7w9M=", "PERSONAL_DATA_HASH_KEY": "h" * 64,
    "EMAIL_HOST": "smtp.example.org",
}  # fmt: skip


def test_production_starts_when_configured():
    configured = {"DEBUG": "False", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", **PERSONAL_DATA}
    assert start(configured).returncode == 0


@pytest.mark.parametrize("missing", ["PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"])
def test_production_refuses_to_start_without_the_personal_data_keys(missing):
    env = {"DEBUG": "False", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", **PERSONAL_DATA}
    del env[missing]
    result = start(env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off." in result.stderr


def test_production_refuses_a_personal_data_key_that_is_not_a_fernet_key():
    env = {"DEBUG": "False", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", **PERSONAL_DATA}
    result = start({**env, "PERSONAL_DATA_KEYS": "not-a-key"})
    assert result.returncode != 0 and "each key must be 32 url-safe base64-encoded bytes" in result.stderr


def test_database_url_selects_postgresql():
    code = "import portal.settings as s; print(s.DATABASES['default']['ENGINE'])"
    environment = dict(os.environ, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == "django.db.backends.postgresql"


PRODUCTION = {"DEBUG": "False", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", **PERSONAL_DATA}


def setting_values(env, *names):
    code = f"import portal.settings as s; print(repr([getattr(s, n, None) for n in {list(names)!r}]))"
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(("EMAIL_", "SECURE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**environment, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout)


def test_production_refuses_to_print_mail_to_the_log():
    result = start({**PRODUCTION, "EMAIL_HOST": ""})
    assert result.returncode != 0
    assert "EMAIL_HOST must be set when DEBUG is off" in result.stderr
    accepted = setting_values({**PRODUCTION, "EMAIL_HOST": "", "EMAIL_CONSOLE_IN_PRODUCTION": "True"}, "EMAIL_BACKEND")
    assert accepted == ["django.core.mail.backends.console.EmailBackend"]


def test_mail_relay_from_the_environment():
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_HOST_USER", "EMAIL_TIMEOUT")
    values = setting_values({**PRODUCTION, "EMAIL_USE_TLS": "True", "EMAIL_HOST_USER": "noreply@example.org"}, *names)
    assert values == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 587, True, "noreply@example.org", 10]
    assert setting_values({**PRODUCTION, "EMAIL_USE_SSL": "True"}, "EMAIL_PORT") == [465]
    both = start({**PRODUCTION, "EMAIL_USE_TLS": "True", "EMAIL_USE_SSL": "True"})
    assert both.returncode != 0 and "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on." in both.stderr


def test_production_redirects_to_https_with_hsts_and_reads_the_proxy_header():
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
             "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS")  # fmt: skip
    env = {**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https", "SITE_URL": "https://example.org/"}
    assert setting_values(env, *names) == [True, 31536000, True, True, ("HTTP_X_FORWARDED_PROTO", "https"), ["https://example.org"]]
    malformed = start({**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})
    assert malformed.returncode != 0 and "SECURE_PROXY_SSL_HEADER must be a header and a value" in malformed.stderr


def test_make_run_keeps_plain_http_console_mail_and_unhashed_static_files():
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "EMAIL_BACKEND", "STORAGES")
    redirect, hsts, proxy, mail, storages = setting_values({"DEBUG": "True"}, *names)
    assert (redirect, hsts, proxy) == (False, 0, None)
    assert mail == "django.core.mail.backends.console.EmailBackend"
    assert storages["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    production = setting_values(PRODUCTION, "STORAGES")[0]
    assert production["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
