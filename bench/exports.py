"""Download and API timings for the two seed fixtures. Prints figures; asserts nothing.

    python bench/exports.py        (from the project root)

What it measures:
- the PDF of a whole disclosure against a one-line PDF laid out with the same stylesheet and font
  (target: full ≤ 3 × one line), in WenQuanYi Micro Hei (the portal's choice) and, for comparison,
  in Noto Sans CJK SC;
- GET /api/v1/disclosures/<pk> with the cache cleared before each request (cold) and cached (warm);
- building the whole-disclosure XLSX, every table's CSV, and the Fiscal Data Package zip.

Like bench/import_and_render.py it uses its own throwaway SQLite database and media folder in /tmp
unless DATABASE_URL is set (then it must be a scratch database), and runs with DEBUG off.
"""

import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PDF_RUNS = 3
ONE_LINE_RUNS = 10
API_RUNS = 30
FILE_RUNS = 10
PDF_RATIO_TARGET = 3

_own_db = None
if not os.environ.get("DATABASE_URL"):
    _own_db = Path(tempfile.gettempdir()) / f"bench-exports-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{_own_db}"
_media = Path(tempfile.mkdtemp(prefix="bench-exports-media-"))
os.environ["MEDIA_ROOT"] = str(_media)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if "DEBUG" not in os.environ:
    from _production import use_throwaway_production_settings

    use_throwaway_production_settings()

import django

django.setup()

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from disclosures.exports import csv as csv_export
from disclosures.exports import fdp, xlsx
from disclosures.exports.pdf import STYLESHEET, pdf_html
from disclosures.services import import_disclosure
from disclosures.signals import version_published
from tests.conftest import SEED000, SEED000_SECTIONS, SEED004, read

FIXTURES = [("seed000", SEED000, SEED000_SECTIONS), ("seed004", SEED004, None)]
FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC"]
ONE_LINE = "<p>辽宁省互联网技术支撑中心 2025 年部门预算 合计 1,425.40 万元</p>"


def ms(seconds):
    return seconds * 1000.0


def timed(function, runs):
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(ms(time.perf_counter() - started))
    return times, result


def spread(values):
    return f"min {min(values):8.1f}  median {statistics.median(values):8.1f}  max {max(values):8.1f} ms"


def pdf_bytes(html, font, *, styled=True):
    """Lay out html with the PDF stylesheet (or, unstyled, none but collapsed borders), in `font`."""
    font_config = FontConfiguration()
    base = CSS(filename=str(STYLESHEET), font_config=font_config) if styled else CSS(
        string="table { border-collapse: collapse; }", font_config=font_config
    )
    stylesheets = [base, CSS(string=f'html {{ font-family: "{font}"; }}', font_config=font_config)]
    return HTML(string=html, base_url=str(ROOT)).write_pdf(stylesheets=stylesheets, font_config=font_config)


def load(name, path, sections_path):
    result, outcomes, sections = read(path, sections_path=sections_path)
    import datetime

    return import_disclosure(
        result, region_path="辽宁省/基准测试", department_name=f"基准测试单位 {name}", year=2025, kind="budget",
        approved_on=datetime.date(2025, 1, 24), published_on=datetime.date(2025, 2, 8), sections=sections,
        outcomes=outcomes,
    )  # fmt: skip


def main():
    call_command("migrate", verbosity=0)
    # The PDF is built on publication; here it is timed on its own, so the receiver stays out of the import.
    from disclosures.exports.receivers import build_pdf_on_publication

    version_published.disconnect(build_pdf_on_publication, dispatch_uid="exports.store_pdf")
    print("预决算公开 bench: downloads and API")
    print(f"  Python {platform.python_version()}  Django {django.get_version()}  {os.cpu_count()} CPUs"
          f"  DEBUG={settings.DEBUG}  database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    versions = [(name, load(name, path, sections)) for name, path, sections in FIXTURES]
    summary = []

    print("\n== PDF: one line vs the whole disclosure, same stylesheet and font")
    for font in FONTS:
        one_line, _ = timed(lambda font=font: pdf_bytes(ONE_LINE, font), ONE_LINE_RUNS)
        print(f"  {font}: one line        {spread(one_line)}")
        for name, version in versions:
            html = pdf_html(version)
            full, content = timed(lambda html=html, font=font: pdf_bytes(html, font), PDF_RUNS)
            ratio = statistics.median(full) / statistics.median(one_line)
            print(f"  {font}: {name} full    {spread(full)}  ({len(content) // 1024} KB)  = {ratio:.0f} × one line")
            summary.append((f"PDF {name} in {font}", statistics.median(full), statistics.median(one_line), ratio))

    # Where the time goes: WeasyPrint's table layout. The same cells with no stylesheet at all, then the
    # same text with no table markup, in the portal's font (the floor the ≤ 3× target runs into).
    print("\n== PDF floor: seed004's tables with no stylesheet, and the same text without table markup")
    html = pdf_html(versions[-1][1])
    bare = re.sub(r"<style.*?</style>|<link[^>]*>", "", html, flags=re.S)
    text_only = re.sub(r"</?(table|thead|tbody|tr|colgroup|caption)[^>]*>|</?t[dh][^>]*>", " ", bare)
    for label, document in (("tables, no stylesheet", bare), ("same text, no tables", text_only)):
        times, _ = timed(lambda document=document: pdf_bytes(document, FONTS[0], styled=False), PDF_RUNS)
        print(f"  {label:24s} {spread(times)}")

    client = Client()
    print(f"\n== API: GET /api/v1/disclosures/<pk> ({API_RUNS} runs each)")
    for name, version in versions:
        url = f"/api/v1/disclosures/{version.disclosure_id}"

        def cold(url=url):
            cache.clear()
            return client.get(url)

        cold_times, response = timed(cold, API_RUNS)
        assert response.status_code == 200
        warm_times, _ = timed(lambda url=url: client.get(url), API_RUNS)
        print(f"  {name} cold  {spread(cold_times)}  ({len(response.content) // 1024} KB of JSON)")
        print(f"  {name} warm  {spread(warm_times)}")

    print(f"\n== files ({FILE_RUNS} runs each, no cache)")
    for name, version in versions:
        tables = list(version.tables.all())
        book, content = timed(lambda version=version: xlsx.workbook_bytes(version), FILE_RUNS)
        print(f"  {name} XLSX, {len(tables)} sheets   {spread(book)}  ({len(content) // 1024} KB)")
        csvs, _ = timed(lambda tables=tables: [csv_export.table_csv(t) for t in tables], FILE_RUNS)
        print(f"  {name} CSV, all {len(tables)} tables {spread(csvs)}")
        package, content = timed(lambda version=version: fdp.package_zip(version), FILE_RUNS)
        print(f"  {name} data package     {spread(package)}  ({len(content) // 1024} KB)")

    print("\n== summary")
    for label, full, one, ratio in summary:
        verdict = "OK" if ratio <= PDF_RATIO_TARGET else "OVER"
        print(f"{label}: {full:.0f} ms vs one line {one:.0f} ms = {ratio:.0f}× (target ≤ {PDF_RATIO_TARGET}×) {verdict}")


if __name__ == "__main__":
    try:
        main()
    finally:
        if _own_db is not None:
            _own_db.unlink(missing_ok=True)
        shutil.rmtree(_media, ignore_errors=True)
