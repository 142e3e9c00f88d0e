"""Production serves through gunicorn with DEBUG off, and refuses to start half-configured."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="False",
        SECRET_KEY="a-production-secret-for-this-test-only-0123456789", ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}", PDF_ON_PUBLISH="off",
        PERSONAL_DATA_KEYS="mW5wQ0ZbVx1gA8Jr3dJ3Gm4Jt6yGq1Xh0lq8U2b7w9M=", PERSONAL_DATA_HASH_KEY="h" * 64,
    )
    env.update(extra)
    return env


def test_gunicorn_serves_the_portal_with_debug_off(tmp_path):
    env = production_env(tmp_path)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "portal.wsgi"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None, server.stdout.read1().decode() if server.poll() is not None else "no answer"
        assert "预决算公开平台" in body
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="")
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in run.stderr

