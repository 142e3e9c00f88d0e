"""Search and department-page timings on a generated province (bench/generate_province.py). Asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/search_and_department.py
        [--requests 200]

Target: p95 ≤ 200 ms for a search and for a department page, on PostgreSQL, at
10,000 departments × 5 years. Each figure is the whole Django request through `django.test.Client`
(middleware, queries, template; no network), with DEBUG off (the static files collected into a
temporary folder first, as the pages link their hashed names; removed at the end).

- search: a mix of what citizens type — parts of project names, classification codes (项 7 digits,
  款 5 digits), classification names, department names, narrative words — alone and combined with
  the filters (region with everything below it, level, year);
- search with a place: a code or a name with a region or department name ("2080505 抚顺"), timed on its
  own line and left out of "search, all", so that the figures stay comparable with earlier runs;
- search for words of the tables' text cells (绩效指标, 收支项目), likewise on a line of its own;
- department page, cold: the figures cache cleared before each request (a department nobody has
  opened since the server started); warm: the same pages again.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
from _production import collect_static_files, use_throwaway_production_settings  # noqa: E402

if "DEBUG" not in os.environ:
    use_throwaway_production_settings()

import django  # noqa: E402

django.setup()
collect_static_files()  # into a temporary STATIC_ROOT, removed at exit

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from disclosures.models import Department, Region  # noqa: E402
from disclosures.search.models import SearchEntry  # noqa: E402

TARGET_MS = 200

QUERIES = [
    "直联点", "骨干直联点监测", "信息化系统运行维护", "农村公路", "老旧小区改造", "森林防火", "社区养老",
    "食品安全抽检", "档案数字化", "视频会议系统", "中小企业公共服务平台", "河道", "大气污染防治补助",
    "2080505", "2010301", "2150501", "21011", "20502", "30217", "50208",
    "机关事业单位基本养老保险缴费", "行政单位医疗", "住房公积金", "公务用车运行维护费", "群众文化", "病虫害控制",
    "沈阳市教育局", "大连市卫生健康委员会", "抚顺市工业和信息化局", "铁西区民政局", "数据局信息中心",
    "机关运行经费", "面向中小企业预留份额", "三公", "行政运行", "教育", "支出",
]  # fmt: skip


# A code or name and a place (search/places.py): the code's lines in that region's or department's disclosures.
PLACE_QUERIES = ["2080505 抚顺", "2010301 沈阳市", "30217 大连", "行政运行 教育局", "住房公积金 铁西区", "三公 鞍山市财政局"]
# Words found only in the tables' text cells (表1/表4 收支项目, 表16 and 表17 绩效目标 and 指标).
TEXT_CELL_QUERIES = ["群众满意度", "验收合格率", "保障机构正常运转", "一般公共预算拨款收入", "服务对象覆盖率", "时效指标"]


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def summary(name, samples):
    samples = sorted(samples)
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
    verdict = "OK" if p95 <= TARGET_MS else "OVER"
    print(
        f"{name}: n={len(samples)} median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, "
        f"max {samples[-1]:.1f} ms (target p95 ≤ {TARGET_MS} ms) {verdict}"
    )
    return p95


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM disclosures_department")
        departments = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM disclosures_disclosure WHERE published_version_id IS NOT NULL")
        disclosures = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM disclosures_tablerow")
        rows = cursor.fetchone()[0]
    print(f"{connection.vendor}: {departments:,} departments, {disclosures:,} published disclosures, "
          f"{rows:,} table rows, {SearchEntry.objects.count():,} search entries")  # fmt: skip

    regions = list(Region.objects.values_list("pk", "level"))
    years = [2021, 2022, 2023, 2024, 2025]
    search_url = reverse("search:search")
    timed(client, f"{search_url}?q=预算")  # warm-up: templates, URLconf, connection

    plain, filtered = [], []
    for i in range(args.requests):
        query = QUERIES[i % len(QUERIES)]
        plain.append(timed(client, f"{search_url}?q={query}"))
        region, _level = rng.choice(regions)
        params = rng.choice([f"&region={region}", f"&year={rng.choice(years)}", f"&region={region}&year={rng.choice(years)}",
                             "&level=county&kind=budget", f"&region={region}&level=city"])  # fmt: skip
        filtered.append(timed(client, f"{search_url}?q={query}{params}"))
    p95_search = summary("search, query only", plain)
    summary("search, query + filters", filtered)
    p95_all = summary("search, all", plain + filtered)
    placed = [timed(client, f"{search_url}?q={PLACE_QUERIES[i % len(PLACE_QUERIES)]}") for i in range(args.requests // 2)]
    summary("search, code or name + place (not in 'all')", placed)
    cells = [timed(client, f"{search_url}?q={TEXT_CELL_QUERIES[i % len(TEXT_CELL_QUERIES)]}") for i in range(args.requests // 2)]
    summary("search, words of the text cells (not in 'all')", cells)

    pks = list(Department.objects.values_list("pk", flat=True))
    chosen = rng.sample(pks, min(args.requests, len(pks)))
    cold, warm = [], []
    for pk in chosen:
        cache.clear()
        cold.append(timed(client, reverse("department", args=[pk])))
    for pk in chosen:
        warm.append(timed(client, reverse("department", args=[pk])))
    p95_cold = summary("department page, cold cache", cold)
    summary("department page, warm cache", warm)
    print(f"summary: search p95 {p95_all:.1f} ms (query only {p95_search:.1f} ms), department page p95 {p95_cold:.1f} ms (cold)")


if __name__ == "__main__":
    main()
