"""Production refuses to start half-configured; the database comes from DATABASE_URL."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def start(env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
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


def test_production_starts_when_configured():
    assert start({"DEBUG": "False", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}).returncode == 0


def test_database_url_selects_postgresql():
    code = "import portal.settings as s; print(s.DATABASES['default']['ENGINE'])"
    environment = dict(os.environ, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == "django.db.backends.postgresql"
