"""Production: gunicorn with DEBUG off and the documented variables (deploy/portal.env.example), behind a proxy.

The proxy is simulated: requests carry what nginx adds (X-Forwarded-Proto, the public Host) or leave it out.
One server runs as documented (static files collected into a temporary STATIC_ROOT, a private redis-server as
cache and broker); another without the proxy setting and with nothing it depends on reachable.
"""

import brotli
import gzip
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from portal.compression import TextGZipMiddleware
from tests.private_redis import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
EXAMPLE = ROOT / "deploy" / "portal.env.example"
HOST = "portal.example.gov.cn"
# Empty in the example (never copied from it), generated here.
SECRETS = ("SECRET_KEY", "PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY", "EMAIL_HOST_PASSWORD", "S3_SECRET_ACCESS_KEY")
SETTING_NAME = re.compile(r'(?:getenv|envbool|envint|envlist)\(\s*"([A-Z][A-Z0-9_]*)"')


def example_variables() -> dict[str, str]:
    """The variables deploy/portal.env.example sets, unquoted as systemd's EnvironmentFile and sh do."""
    variables = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            variables[name.strip()] = value
    return variables


# Set by the browser tests' live server in the same test process; never part of a deployment.
NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def documented_environment(**extra) -> dict[str, str]:
    """This process's environment without any portal variable, then the example's, with fresh secrets."""
    documented = example_variables()
    mentioned = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    env = {k: v for k, v in os.environ.items() if k not in mentioned | NOT_INHERITED}
    env.update(documented)
    env.update(
        PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="portal.settings",
        SECRET_KEY=secrets.token_urlsafe(50), PERSONAL_DATA_KEYS=Fernet.generate_key().decode(),
        PERSONAL_DATA_HASH_KEY=secrets.token_hex(32),
    )  # fmt: skip
    env.update(extra)
    return env


def production_env(tmp_path, **extra):
    """DEBUG off on SQLite, every service in-process: what the settings require and nothing more."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED | {"DATABASE_URL"}}
    env.update(
        PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="False",
        SECRET_KEY="a-production-secret-for-this-test-only-0123456789", ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}", PDF_ON_PUBLISH="off",
        PERSONAL_DATA_KEYS="mW5wQ0ZbVx1gA8Jr3dJ3Gm4Jt6yGq1Xh0lq8U2b7w9M=", PERSONAL_DATA_HASH_KEY="h" * 64,
        EMAIL_HOST="127.0.0.1",
    )  # fmt: skip
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )


def fetch(port, path, *, method="GET", headers=None, body=None):
    """One request as nginx would pass it on; no redirect followed, no body decoded."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7"}


@contextmanager
def gunicorn(env):
    """gunicorn as portal-web.service starts it (deploy/gunicorn.conf.py), two workers on a free port."""
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "portal.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read().decode() if server.poll() is not None else "no answer")
                time.sleep(0.1)
        yield port
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    env = documented_environment(STATIC_ROOT=str(root), REDIS_URL="", CELERY_BROKER_URL="")
    run = manage(env, "collectstatic", "--noinput", "-v0")
    assert run.returncode == 0, run.stderr
    return root


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, static_root, redis_server):
    """The portal as deployed: the example's variables, SQLite instead of PostgreSQL, a private Redis."""
    folder = tmp_path_factory.mktemp("production")
    env = documented_environment(
        DATABASE_URL=f"sqlite:///{folder / 'portal.sqlite3'}", STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(folder / "media"), REDIS_URL=redis_server.url(0), CELERY_BROKER_URL=redis_server.url(1),
        CELERY_TASK_DEFAULT_QUEUE=f"test-{secrets.token_hex(4)}", PDF_ON_PUBLISH="off",
    )  # fmt: skip
    migrate = manage(env, "migrate", "--noinput", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    with gunicorn(env) as port:
        yield port


@pytest.fixture(scope="module")
def unproxied_server(tmp_path_factory, static_root):
    """As the portal was before it knew of the proxy (no SECURE_PROXY_SSL_HEADER, no CSRF_TRUSTED_ORIGINS, no
    redirect), and with the database, the cache and the broker all out of reach."""
    env = documented_environment(
        SECURE_PROXY_SSL_HEADER="", CSRF_TRUSTED_ORIGINS="", SECURE_SSL_REDIRECT="False", STATIC_ROOT=str(static_root),
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('broken') / 'no-such-folder' / 'portal.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/1",
    )  # fmt: skip
    with gunicorn(env) as port:
        yield port


def test_the_example_file_ships_no_secret_and_names_every_setting():
    documented = example_variables()
    assert all(documented.get(name, "") == "" for name in SECRETS)
    text = EXAMPLE.read_text(encoding="utf-8")
    read_by_settings = set(SETTING_NAME.findall((ROOT / "portal" / "settings.py").read_text(encoding="utf-8")))
    missing = sorted(name for name in read_by_settings if not re.search(rf"^#?\s*{name}=", text, re.MULTILINE))
    assert missing == []


def test_check_deploy_is_clean_with_the_documented_variables():
    run = manage(documented_environment(), "check", "--deploy", "--fail-level", "WARNING")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_pages_over_https_behind_the_proxy_with_hsts(server):
    status, headers, _ = fetch(server, "/", headers={"X-Real-IP": "203.0.113.7"})
    assert status == 301 and headers["Location"] == f"https://{HOST}/"

    status, headers, body = fetch(server, "/", headers=PROXIED)
    assert status == 200
    assert "预决算公开平台" in body.decode()
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_html_is_gzipped_with_random_padding(server):
    sizes = set()
    for _ in range(5):
        status, headers, body = fetch(server, "/", headers={**PROXIED, "Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in headers["Vary"]
        assert "预决算公开平台" in gzip.decompress(body).decode()
        sizes.add(len(body))
    # BREACH: the same page compresses to a different length each time (Django pads it with 0–99 bytes).
    assert len(sizes) > 1


def test_static_files_have_hashed_names_and_come_precompressed(server, static_root):
    _, _, page = fetch(server, "/", headers=PROXIED)
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page.decode()).group(1)
    original = (static_root / stylesheet.removeprefix("/static/")).read_bytes()

    status, headers, body = fetch(server, stylesheet, headers={**PROXIED, "Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == original
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]

    status, headers, body = fetch(server, stylesheet, headers={**PROXIED, "Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == original


def test_a_form_posted_through_the_proxy_passes_the_csrf_check(server):
    status, headers, body = fetch(server, "/accounts/login/", headers=PROXIED)
    assert status == 200
    cookie = SimpleCookie(headers["Set-Cookie"])["csrftoken"]
    assert cookie["secure"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong-password-1"})
    status, _, body = fetch(
        server, "/accounts/login/", method="POST", body=form,
        headers={**PROXIED, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/accounts/login/",
                 "Cookie": f"csrftoken={cookie.value}", "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    # The form comes back with its error (wrong password), not the CSRF refusal.
    assert status == 200
    assert 'name="password"' in body.decode() and "表单已过期" not in body.decode()


def test_without_the_proxy_setting_the_same_post_is_refused_in_chinese(unproxied_server):
    token = secrets.token_hex(16)  # an unmasked 32-character token, as good as a real one here
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong-password-1"})
    status, _, body = fetch(
        unproxied_server, "/accounts/login/", method="POST", body=form,
        headers={**PROXIED, "Origin": f"https://{HOST}", "Cookie": f"csrftoken={token}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 403
    assert "表单已过期，请重新提交" in body.decode()


def test_missing_page_is_answered_in_chinese(server):
    status, _, body = fetch(server, "/no-such-page/", headers=PROXIED)
    assert status == 404
    assert "页面不存在" in body.decode() and "Not Found" not in body.decode()


def test_healthz_ok_with_postgres_or_sqlite_redis_and_the_broker(server):
    # Plain HTTP from a probe on the machine: not redirected.
    status, headers, body = fetch(server, "/healthz")
    assert status == 200, body
    assert b'"database": "ok"' in body and b'"cache": "ok"' in body and b'"broker": "ok"' in body
    assert "Set-Cookie" not in headers


def test_healthz_503_names_what_is_down(unproxied_server):
    status, _, body = fetch(unproxied_server, "/healthz")
    assert status == 503
    text = body.decode()
    assert '"database": "failed: OperationalError"' in text
    assert '"cache": "failed: ' in text and '"broker": "failed: ' in text


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="")
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in run.stderr


def test_production_refuses_to_print_mail_to_the_log(tmp_path):
    env = production_env(tmp_path, EMAIL_HOST="")
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "EMAIL_HOST must be set when DEBUG is off" in run.stderr
    accepted = production_env(tmp_path, EMAIL_HOST="", EMAIL_CONSOLE_IN_PRODUCTION="True")
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    run = subprocess.run([sys.executable, "-c", code], env=accepted, cwd=ROOT, capture_output=True, text=True)
    assert run.stdout.strip() == "django.core.mail.backends.console.EmailBackend", run.stderr


# —— In-process: the error pages and what is compressed ——


def test_server_error_page_needs_no_context_and_no_database():
    """No django_db mark: a query here would fail the test."""
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务暂时不可用（500）" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_in_chinese():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/staff/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "无权访问（403）" in response.content.decode() and reverse("login") in response.content.decode()


@pytest.mark.django_db
def test_csrf_refusal_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert response.status_code == 403
    assert "表单已过期，请重新提交" in response.content.decode()


def test_gzip_for_text_never_for_downloads(tmp_path):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    page = TextGZipMiddleware(lambda r: HttpResponse("预决算" * 500, content_type="text/html; charset=utf-8"))(request)
    api = TextGZipMiddleware(lambda r: HttpResponse(b'{"rows": []}' * 100, content_type="application/json"))(request)
    assert page["Content-Encoding"] == "gzip" and api["Content-Encoding"] == "gzip"

    pdf = tmp_path / "budget.pdf"
    pdf.write_bytes(b"%PDF-1.7 " + b"0" * 10000)
    download = TextGZipMiddleware(lambda r: FileResponse(pdf.open("rb"), content_type="application/pdf"))(request)
    assert not download.has_header("Content-Encoding")
    assert download["Content-Length"] == str(pdf.stat().st_size)
    download.file_to_stream.close()
