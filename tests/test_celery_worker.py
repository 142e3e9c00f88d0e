"""Background work on real Celery workers: a publication's PDF is built by a worker, and by another one when
the first is killed in the middle; the sweep finds published versions without a PDF; beat has the daily jobs.

The worker tests run everything in subprocesses against one database the test process and the workers share
(a SQLite file here; a fresh PostgreSQL database when DATABASE_URL names one, as in CI) and the machine's
Redis as the broker, with a queue of their own. The other tests run the tasks in-process (no broker: eager).
"""

import os
import re
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).parent / "celery"
SEED004 = ROOT / "tests" / "fixtures" / "seed004_budget_2025.xlsx"
# The machine's Redis, in a database of its own: the short visibility timeout below gives back any task
# unacknowledged for 15 s in the database the worker uses, so it must hold no one else's tasks.
BROKER = os.getenv("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
VISIBILITY_TIMEOUT = 15


# —— A database shared by the test and its workers ————————————————————————————————————————


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    """A migrated database: a SQLite file, or a new PostgreSQL database (dropped at the end) in CI."""
    folder = tmp_path_factory.mktemp("celery")
    configured = os.getenv("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"celery_{uuid.uuid4().hex[:12]}"
        parts = urlsplit(configured)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        admin_url = name = None
        url = f"sqlite:///{folder / 'shared.sqlite3'}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(folder / "media"),
        "PDF_ON_PUBLISH": "task",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    env.pop("CELERY_RESULT_BACKEND", None)  # the broker's Redis, as in production
    manage(env, "migrate", "--noinput", "-v0")
    yield env
    if name:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def queue(shared_database):
    """A queue of the test's own, on which the web side (the import command) and the workers agree."""
    import redis

    name = f"test-{uuid.uuid4().hex[:12]}"
    yield {**shared_database, "CELERY_TASK_DEFAULT_QUEUE": name}
    broker = redis.Redis.from_url(BROKER)
    broker.delete(name, *broker.keys(f"_kombu.binding*.{name}"))


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=True,
    ).stdout  # fmt: skip


def publish(env, department):
    """Import seed 004 as published (`import_disclosure --published-on`); publication queues its PDF."""
    out = manage(
        env, "import_disclosure", str(SEED004), "--region", "辽宁省/抚顺市", "--department", department,
        "--year", "2025", "--kind", "budget", "--approved-on", "2025-02-10", "--published-on", "2025-02-26",
        "--accept-flags",
    )  # fmt: skip
    disclosure = int(re.search(r"published: /disclosures/(\d+)/", out).group(1))
    return query(env, "SELECT id FROM disclosures_version WHERE disclosure_id = %s AND status = 'published'", disclosure)


def query(env, sql, *params):
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            row = db.execute(sql.replace("%s", "?"), params).fetchone()
    else:
        import psycopg

        with psycopg.connect(url) as db:
            row = db.execute(sql, params).fetchone()
    return row[0] if row else None


def stored_pdf(env, version):
    name = query(env, "SELECT pdf FROM disclosures_version WHERE id = %s", version)
    path = Path(env["MEDIA_ROOT"]) / name if name else None
    return path if path and path.exists() else None


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {timeout} s for {what}")


class Worker:
    """`celery -A portal worker` in a process group of its own (the main process and its pool child)."""

    def __init__(self, env, log):
        self.log = log
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "portal", "worker", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--concurrency", "1",
             "-P", "prefork", "-l", "info", "-n", f"{uuid.uuid4().hex[:8]}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def output(self):
        return self.log.read_text(errors="replace")

    def kill(self):
        """SIGKILL to the whole group: no warm shutdown, nothing acknowledged or given back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers():
    started = []
    yield started
    for worker in started:
        worker.stop()


def assert_is_the_disclosure_pdf(path):
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(PdfReader(path).pages) > 10  # cover, contents, sections, 18 tables


def test_a_worker_builds_the_pdf_of_a_publication(queue, workers, tmp_path):
    workers.append(worker := Worker(queue, tmp_path / "worker.log"))
    version = publish(queue, "抚顺市工业和信息化局")
    # The import command only queued the build (no broker: it would have built it before exiting).
    path = wait_for(lambda: stored_pdf(queue, version), 60, "the stored PDF")
    assert_is_the_disclosure_pdf(path)
    assert f"开始生成 PDF：版本 {version}" in worker.output()


def test_a_build_cut_short_by_a_killed_worker_is_finished_by_another(queue, workers, tmp_path):
    workers.append(first := Worker(queue, tmp_path / "first.log"))
    version = publish(queue, "抚顺市财政局")
    wait_for(lambda: f"开始生成 PDF：版本 {version}" in first.output(), 30, "the build to begin")
    time.sleep(1)  # into the layout
    first.kill()
    assert stored_pdf(queue, version) is None  # killed before the PDF was stored
    workers.append(second := Worker(queue, tmp_path / "second.log"))
    # The broker gives the killed worker's unacknowledged task back after the visibility timeout.
    path = wait_for(lambda: stored_pdf(queue, version), VISIBILITY_TIMEOUT + 45, "the second worker's PDF")
    assert_is_the_disclosure_pdf(path)
    # The task the first worker was running when it was killed is one the second worker finished.
    cut_short = tasks(first.output(), "received") - tasks(first.output(), "succeeded")
    assert cut_short and cut_short <= tasks(second.output(), "succeeded")


def tasks(log, event):
    """The ids of the tasks a worker's log says it has received, or finished."""
    return set(re.findall(rf"Task [\w.]+\[([0-9a-f-]+)\] {event}", log))


# —— In-process (no broker) ——————————————————————————————————————————————————————————————


def test_the_sweep_builds_the_pdf_a_published_version_lacks(published_seed000, settings):
    from disclosures.tasks import sweep_missing_pdfs

    version = published_seed000.published_version  # published with PDF_ON_PUBLISH "off" (conftest)
    assert not version.pdf
    settings.PDF_ON_PUBLISH = "task"
    assert sweep_missing_pdfs.delay().get() == 1
    version.refresh_from_db()
    with version.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert sweep_missing_pdfs.delay().get() == 0  # nothing left to build


def test_the_sweep_builds_nothing_when_pdfs_are_off(published_seed000, settings):
    from disclosures.tasks import sweep_missing_pdfs

    settings.PDF_ON_PUBLISH = "off"
    assert sweep_missing_pdfs.delay().get() == 0
    published_seed000.published_version.refresh_from_db()
    assert not published_seed000.published_version.pdf


def test_beat_runs_the_daily_jobs_and_the_sweep(db):
    from celery.schedules import crontab

    from portal.celery import app

    app.loader.import_default_modules()  # what a worker does at start: the apps' tasks modules
    schedule = app.conf.beat_schedule
    daily = {entry["task"]: entry["schedule"] for entry in schedule.values() if isinstance(entry["schedule"], crontab)}
    assert set(daily) == {
        "disclosures.send_reminders", "information_requests.expire_requests", "disclosures.rebuild_bulk_archives",
    }  # fmt: skip
    assert all(len(entry.hour) == 1 and len(entry.minute) == 1 for entry in daily.values())  # once a day
    assert app.conf.timezone == "Asia/Shanghai"
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    sweep = next(entry for entry in schedule.values() if entry["task"] == "disclosures.sweep_missing_pdfs")
    assert sweep["schedule"] <= 600
    # Each runs (eagerly here) and reports how much it did.
    assert app.tasks["disclosures.send_reminders"].delay().get() == 0
    assert app.tasks["information_requests.expire_requests"].delay().get() == 0


def test_publishing_with_a_broker_queues_the_build_once(staff, django_capture_on_commit_callbacks, monkeypatch, settings):
    from disclosures import tasks
    from disclosures.models import Review
    from disclosures.services import publish as publish_version
    from disclosures.services import review, submit
    from tests.conftest import decide_flags, ready_for_review

    settings.PDF_ON_PUBLISH = "task"
    conf = tasks.build_version_pdf.app.conf
    monkeypatch.setitem(conf, "task_always_eager", False)
    monkeypatch.setitem(conf, "broker_url", "memory://")  # whatever else is queued stays in this process
    queued, indexed = [], []
    monkeypatch.setattr(tasks.build_version_pdf, "delay", lambda *args: queued.append(args))
    monkeypatch.setattr(tasks.index_published_version, "delay", lambda *args: indexed.append(args))
    version = ready_for_review(staff)
    submit(version, actor=staff.editor_a)
    decide_flags(version, staff.reviewer_a)
    review(version, actor=staff.reviewer_a, outcome=Review.Outcome.PASSED, remarks="不涉密")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish_version(version, actor=staff.reviewer_a)
    assert queued == []  # not before the publication commits
    for callback in callbacks:
        callback()
    assert queued == [(version.pk,)] and indexed == [(version.pk,)]
    # The sweep, which runs before the worker has stored the PDF, does not queue it a second time.
    assert tasks.pdf_build_queued(version.pk)
    assert tasks.sweep_missing_pdfs() == 0 and queued == [(version.pk,)]


def test_an_email_is_tried_again_later_while_the_relay_is_down(monkeypatch, mailoutbox):
    from celery.exceptions import Retry

    from disclosures import tasks

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("relay down")

    retried = []

    def retry(exc, countdown):
        retried.append((type(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(tasks, "send_mail", down)
    monkeypatch.setattr(tasks.send_email, "retry", retry)
    for attempt, delay in [(0, 30), (2, 120), (6, 300)]:
        tasks.send_email.push_request(is_eager=False, retries=attempt)
        try:
            with pytest.raises(Retry):
                tasks.send_email.run("主题", "正文", "noreply@localhost", ["a@example.cn"])
        finally:
            tasks.send_email.pop_request()
        assert retried[-1] == (smtplib.SMTPServerDisconnected, delay)


def test_a_refused_address_is_not_tried_again_and_not_logged(monkeypatch, caplog, mailoutbox):
    from disclosures import tasks

    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"wang@example.com": (550, b"no such user")})

    monkeypatch.setattr(tasks, "send_mail", refuse)
    monkeypatch.setattr(tasks.send_email, "retry", lambda **kwargs: pytest.fail("retried"))
    tasks.send_email.push_request(is_eager=False, retries=0)
    try:
        tasks.send_email.run("主题", "正文", "noreply@localhost", ["wang@example.com"])
    finally:
        tasks.send_email.pop_request()
    assert "could not send '主题' to 1 recipient(s): SMTPRecipientsRefused" in caplog.text
    assert "wang@example.com" not in caplog.text


def test_a_queued_email_is_sent_with_its_message_as_built(mailoutbox, settings):
    from disclosures.tasks import queue_email

    queue_email("主题", "正文", ["b@example.cn", "", "a@example.cn", "a@example.cn"])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "主题" and mailoutbox[0].body == "正文"
    assert mailoutbox[0].to == ["a@example.cn", "b@example.cn"]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL
