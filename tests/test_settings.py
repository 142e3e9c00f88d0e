"""Production refuses to start half-configured; the database comes from DATABASE_URL."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def start(env):
    dropped = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
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


# A Fernet key and an HMAC key for applicants' personal data, required with DEBUG off.
PERSONAL_DATA = {"PERSONAL_DATA_KEYS": "mW5wQ0ZbVx1gA8Jr3dJ3Gm4Jt6yGq1Xh0lq8U2b7w9M=", "PERSONAL_DATA_HASH_KEY": "h" * 64}


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
