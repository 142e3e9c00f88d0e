"""Import and render timings for the two seed fixtures. Prints figures; asserts nothing.

    python bench/import_and_render.py        (from the project root; or `make bench`)

Targets (from the issue): importing one workbook ≤ 1 s; rendering one disclosure page on the
server ≤ 30 ms, on the 2-core reference machine.

It runs against its own throwaway SQLite database, bench-<pid>.sqlite3 in the system temporary folder (deleted at the end),
so the developer's db.sqlite3 is never touched. Set DATABASE_URL to bench another database
(e.g. PostgreSQL); it must be a scratch database: the script migrates it and writes to it.

Unless DEBUG is set in the environment, the script runs with DEBUG off, as in production
(DEBUG on makes Django keep every SQL query in memory and slows each request a little).
"""

import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IMPORT_RUNS = 5
RENDER_RUNS = 30
IMPORT_TARGET_MS = 1000
RENDER_TARGET_MS = 30

_own_db = None
if not os.environ.get("DATABASE_URL"):
    _own_db = Path(tempfile.gettempdir()) / f"bench-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_own_db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Import and page timings only: the PDF built at publication is measured by bench/exports.py.
os.environ["PDF_ON_PUBLISH"] = "off"
if "DEBUG" not in os.environ:
    from _production import use_throwaway_production_settings

    use_throwaway_production_settings()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from disclosures.models import TableRow  # noqa: E402
from disclosures.services import import_disclosure  # noqa: E402
from tests.conftest import SEED000, SEED000_SECTIONS, SEED004, read  # noqa: E402

FIXTURES = [
    # name, workbook, narrative sections, published_on (as tests/conftest.py's fixtures)
    ("seed000", SEED000, SEED000_SECTIONS, datetime.date(2025, 2, 8)),
    ("seed004", SEED004, None, datetime.date(2025, 2, 26)),
]


def ms(seconds):
    return seconds * 1000.0


def p95(values):
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n)
    return ordered[rank - 1]


def spread(values):
    return f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f} ms"


def import_once(name, path, sections_path, published_on, run):
    """One import as tests/conftest.py `save` does it, timed in two parts."""
    started = time.perf_counter()
    result, outcomes, sections = read(path, sections_path=sections_path)  # read_workbook + parse_sections + run_checks
    read_done = time.perf_counter()
    version = import_disclosure(
        result,
        region_path="辽宁省/基准测试",
        department_name=f"基准测试单位 {name} #{run}",
        year=2025,
        kind="budget",
        approved_on=datetime.date(2025, 1, 24),
        published_on=published_on,
        sections=sections,
        source_file=Path(path).name,
        outcomes=outcomes,
    )
    saved = time.perf_counter()
    return version.disclosure, ms(read_done - started), ms(saved - read_done), ms(saved - started)


class QueryCounter:
    """Counts SQL statements (an execute wrapper: works with DEBUG off, survives reset_queries)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def get(client, url):
    """GET url; return (response, elapsed ms, SQL statements run)."""
    counter = QueryCounter()
    # The request closes the connection when it ends (CONN_MAX_AGE=0) and opens a new one, so
    # the wrapper goes on every connection wrapper object: there is one per thread, this one.
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = ms(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
    return response, elapsed, counter.count


def bench_import(name, path, sections_path, published_on):
    reads, saves, totals, disclosures = [], [], [], []
    for run in range(1, IMPORT_RUNS + 1):
        disclosure, read_ms, save_ms, total_ms = import_once(name, path, sections_path, published_on, run)
        reads.append(read_ms)
        saves.append(save_ms)
        totals.append(total_ms)
        disclosures.append(disclosure)
    rows = TableRow.objects.filter(table__version=disclosures[0].published_version).count()
    print(f"\n== import {name}: {Path(path).name}{' + ' + Path(sections_path).name if sections_path else ''}"
          f" ({IMPORT_RUNS} runs, {rows} table rows each)")
    print(f"  whole import   {spread(totals)}")
    print(f"  read + checks  {spread(reads)}")
    print(f"  save           {spread(saves)}")
    return disclosures[0], statistics.median(totals)


def bench_render(name, disclosure):
    client = Client()
    url = reverse("disclosure", args=[disclosure.pk])

    # 1. The very first request for this page: rendered-table cache empty. (For the first
    #    fixture this also pays for loading the templates and URLconf in this process.)
    cache.clear()
    response, first_ms, _queries = get(client, url)
    size_kb = len(response.content) / 1024

    # 2. Cold cache, measured: the cache is cleared before each request (a page nobody has opened
    #    since the last restart or publication).
    cold = []
    for _ in range(RENDER_RUNS):
        cache.clear()
        _response, elapsed, cold_queries = get(client, url)
        cold.append(elapsed)

    # 3. Warm: one warm-up, then RENDER_RUNS requests served with the rendered tables cached.
    cache.clear()
    get(client, url)
    warm, warm_queries = [], 0
    for _ in range(RENDER_RUNS):
        _response, elapsed, warm_queries = get(client, url)
        warm.append(elapsed)

    print(f"\n== render {name}: GET {url}  ({size_kb:.1f} kB of HTML)")
    print(f"  first request (cold cache)  {first_ms:7.1f} ms")
    print(f"  cold cache, {RENDER_RUNS} runs         median {statistics.median(cold):7.1f}  p95 {p95(cold):7.1f} ms,"
          f" {cold_queries} SQL queries per request")
    print(f"  warm cache, {RENDER_RUNS} runs         median {statistics.median(warm):7.1f}  p95 {p95(warm):7.1f} ms,"
          f" {warm_queries} SQL queries per request")
    return statistics.median(warm), statistics.median(cold)


def bench_detection():
    """Reading without naming the format: every format of the kind reads the workbook, the best wins.

    Printed against a trivial case in the same run: a workbook of one small table (表7 alone)."""
    import io

    from openpyxl import load_workbook

    from disclosures.ingest.detect import choose

    trivial = io.BytesIO()
    book = load_workbook(SEED004)
    for sheet in [s for s in book.worksheets if s.title != "7三公"]:
        book.remove(sheet)
    book.save(trivial)

    def timed(source):
        times = []
        for _ in range(IMPORT_RUNS):
            source.seek(0)
            started = time.perf_counter()
            choice = choose(source, kind="budget", region_path="辽宁省/基准测试", year=2025)
            times.append(ms(time.perf_counter() - started))
            assert choice.format is not None
        return statistics.median(times)

    with open(SEED004, "rb") as handle:
        full = timed(handle)
    small = timed(trivial)
    print(f"\n== reading without a named format ({IMPORT_RUNS} runs each, median)")
    print(f"  18-table workbook (seed004)  {full:7.1f} ms")
    print(f"  one-table workbook           {small:7.1f} ms")
    print(f"  ratio                        {full / small:7.1f}×")
    return full


def verdict(value, target):
    return "OK" if value <= target else "OVER"


def main():
    call_command("migrate", verbosity=0)
    db = settings.DATABASES["default"]
    print("预决算公开 bench: import and render")
    print(f"  {datetime.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  Django {django.get_version()}"
          f"  {os.cpu_count()} CPUs  DEBUG={settings.DEBUG}")
    print(f"  database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    print(f"  cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")

    summary = []
    for name, path, sections_path, published_on in FIXTURES:
        disclosure, import_median = bench_import(name, path, sections_path, published_on)
        warm_median, cold_median = bench_render(name, disclosure)
        summary.append((name, import_median, warm_median, cold_median))

    detection_median = bench_detection()

    print("\n== summary")
    print(f"read without --format, 18 tables: median {detection_median:.0f} ms (target ≤ {IMPORT_TARGET_MS} ms) "
          f"{verdict(detection_median, IMPORT_TARGET_MS)}")
    for name, import_median, warm_median, cold_median in summary:
        print(f"import {name}: median {import_median:.0f} ms (target ≤ {IMPORT_TARGET_MS} ms) "
              f"{verdict(import_median, IMPORT_TARGET_MS)}")
    for name, import_median, warm_median, cold_median in summary:
        print(f"render {name}: median {warm_median:.1f} ms (target ≤ {RENDER_TARGET_MS} ms) "
              f"{verdict(warm_median, RENDER_TARGET_MS)}")
        print(f"render {name} (cold cache): median {cold_median:.1f} ms (target ≤ {RENDER_TARGET_MS} ms) "
              f"{verdict(cold_median, RENDER_TARGET_MS)}")


if __name__ == "__main__":
    try:
        main()
    finally:
        if _own_db is not None:
            connection.close()
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{_own_db}{suffix}").unlink(missing_ok=True)
