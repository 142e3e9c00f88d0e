"""The PDF of a published version on real Celery workers: 1 worker process, then 2. Prints figures; asserts nothing.

    python bench/pdf.py [--runs 5] [--backfill 6]        (from the project root)

Target: publication to stored PDF, p95 ≤ 10 s for an 18-table budget with 2 workers on the 2-core machine.

What it measures, for each seed (seed000: 4 sections + 15 tables; seed004: 18 tables):
- in this process, no broker: the PDF laid out in one WeasyPrint run (render_whole_pdf) and in parts one
  after another plus the merge (render_pdf, what `make run` does), against a one-line PDF in the same font;
- with a broker: the time from queuing the build (what publication queues: disclosures.build_version_pdf) to
  the PDF stored in the database, with `celery -A portal worker --concurrency 1`, then 2: the build task
  queues a chord of the parts, the workers lay them out side by side, the merge stores the file;
- back-fill throughput: `--backfill` versions of each seed queued at once, versions per minute until all stored.

It starts everything it uses and stops it at the end: a private redis-server on a free port (broker and result
backend), the workers as subprocesses, a throwaway SQLite database and media folder in /tmp.
"""

import argparse
import base64
import datetime
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ONE_LINE_RUNS = 5
TARGET_P95_S = 10.0
WORK = Path(tempfile.mkdtemp(prefix="bench-pdf-"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_PORT = free_port()
ENV = {
    "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
    "MEDIA_ROOT": str(WORK / "media"),
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "CELERY_TASK_DEFAULT_QUEUE": f"bench-pdf-{os.getpid()}",
    "PDF_ON_PUBLISH": "off",  # builds are queued by the bench, not by the imports
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": os.environ.get("DEBUG", "False"),
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
    "ALLOWED_HOSTS": "testserver",
    "EMAIL_CONSOLE_IN_PRODUCTION": "True",
    # Throwaway keys for a throwaway database: with DEBUG off the portal refuses to start without them.
    "PERSONAL_DATA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "PERSONAL_DATA_HASH_KEY": secrets.token_hex(32),
}
os.environ.update(ENV)
os.environ.pop("REDIS_URL", None)  # the cache stays in memory: the workers share nothing but the database and media

redis = subprocess.Popen(
    ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)

import django  # noqa: E402

try:
    django.setup()
except BaseException:
    redis.terminate()
    shutil.rmtree(WORK, ignore_errors=True)
    raise

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from disclosures.exports import pdf as pdf_export  # noqa: E402
from disclosures.models import Version  # noqa: E402
from disclosures.tasks import build_version_pdf  # noqa: E402
from tests.conftest import SEED000, SEED000_SECTIONS, SEED004, save  # noqa: E402

FIXTURES = [("seed000", SEED000, SEED000_SECTIONS), ("seed004", SEED004, None)]
ONE_LINE = "<p>辽宁省互联网技术支撑中心 2025 年部门预算 合计 1,425.40 万元</p>"  # as bench/exports.py


def one_line_pdf():
    """A one-line PDF with the PDF stylesheet and font: the fixed cost of any WeasyPrint run."""
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(pdf_export.STYLESHEET), font_config=font_config)
    return HTML(string=ONE_LINE, base_url=str(ROOT)).write_pdf(stylesheets=[stylesheet], font_config=font_config)


def p95(values):
    ordered = sorted(values)
    return ordered[max(1, -(-95 * len(ordered) // 100)) - 1]


def load(name, path, sections_path, copy):
    """A new department's disclosure of the seed, published as tests/conftest.py's fixtures are; its version."""
    disclosure = save(
        path, department=f"基准测试单位 {name} #{copy}", region="辽宁省/基准测试",
        published_on=datetime.date(2025, 2, 8), sections_path=sections_path,
    ).disclosure  # fmt: skip
    return Version.objects.select_related("disclosure__department").get(pk=disclosure.published_version.pk)


def forget_pdf(version):
    version.refresh_from_db()
    if version.pdf:
        version.pdf.storage.delete(version.pdf.name)
    Version.objects.filter(pk=version.pk).update(pdf="")


def wait_stored(pks, timeout=600):
    started = time.perf_counter()
    while Version.objects.filter(pk__in=pks, pdf="").exists():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"PDF not stored within {timeout} s: {pks}")
        time.sleep(0.02)


def build_once(version):
    """Seconds from queuing the build (as publication does) to the PDF named in the database."""
    forget_pdf(version)
    started = time.perf_counter()
    build_version_pdf.delay(version.pk)
    wait_stored([version.pk])
    return time.perf_counter() - started


class Workers:
    """`celery -A portal worker` with `concurrency` processes, started and stopped by the bench."""

    def __init__(self, concurrency):
        self.log = open(WORK / f"worker-{concurrency}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency", str(concurrency),
             "--pool", "prefork", "-Q", ENV["CELERY_TASK_DEFAULT_QUEUE"], "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "WARNING", "-n", f"bench-{concurrency}@%h"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed builds per seed and worker count")
    parser.add_argument("--backfill", type=int, default=6, help="versions of each seed in the back-fill")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print("预决算公开 bench: PDF in parts on Celery workers")
    print(f"  {datetime.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  Django {django.get_version()}"
          f"  {os.cpu_count()} CPUs  DEBUG={settings.DEBUG}  broker redis-server :{REDIS_PORT}  SQLite in {WORK}")
    seeds = [(name, load(name, path, sections, 0)) for name, path, sections in FIXTURES]

    print(f"\n== in this process, no broker ({args.runs} runs each, seconds)")
    one_line = []
    for _ in range(ONE_LINE_RUNS):
        started = time.perf_counter()
        one_line_pdf()
        one_line.append(time.perf_counter() - started)
    one = statistics.median(one_line)
    print(f"  one-line PDF                      median {one:6.2f}")
    for name, version in seeds:
        for label, function in (("one WeasyPrint run", pdf_export.render_whole_pdf),
                                ("parts in turn + merge", pdf_export.render_pdf)):  # fmt: skip
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                function(version)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(f"  {name} {label:23s}   median {median:6.2f}  p95 {p95(times):6.2f}  = {median / one:.0f} × one line")

    copies = {
        name: [version] + [load(name, path, sections, copy) for copy in range(1, args.backfill)]
        for (name, version), (_n, path, sections) in zip(seeds, FIXTURES)
    }
    summary = []
    for concurrency in (1, 2):
        workers = Workers(concurrency)
        try:
            build_once(seeds[-1][1])  # the worker is up, and its processes have loaded the fonts once
            build_once(seeds[0][1])
            print(f"\n== {concurrency} worker process{'es' if concurrency > 1 else ''}: queued build → stored PDF"
                  f" ({args.runs} runs each, seconds)")
            for name, version in seeds:
                times = [build_once(version) for _ in range(args.runs)]
                median, high = statistics.median(times), p95(times)
                print(f"  {name}  p50 {median:6.2f}  p95 {high:6.2f}  max {max(times):6.2f}  = {median / one:.0f} × one line")
                summary.append((name, concurrency, median, high))
            backfill = [version for versions in copies.values() for version in versions]
            for version in backfill:
                forget_pdf(version)
            started = time.perf_counter()
            for version in backfill:
                build_version_pdf.delay(version.pk)
            wait_stored([version.pk for version in backfill], timeout=60 * len(backfill))
            elapsed = time.perf_counter() - started
            rate = len(backfill) / elapsed * 60
            print(f"  back-fill: {len(backfill)} versions in {elapsed:.1f} s = {rate:.1f} versions/minute")
            summary.append(("back-fill", concurrency, rate, None))
        finally:
            workers.stop()

    print("\n== summary")
    for name, concurrency, value, high in summary:
        if high is None:
            print(f"back-fill, {concurrency} worker(s): {value:.1f} versions/minute")
        else:
            verdict = "OK" if high <= TARGET_P95_S else "OVER"
            print(f"{name}, {concurrency} worker(s): p50 {value:.2f} s, p95 {high:.2f} s (target ≤ {TARGET_P95_S:.0f} s"
                  f" with 2 workers){' ' + verdict if concurrency == 2 else ''}")


if __name__ == "__main__":
    try:
        main()
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(WORK, ignore_errors=True)
