"""Generate a province-sized dataset on PostgreSQL: 10,000 departments × 5 years of published budgets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/generate_province.py
        [--departments 10000] [--years 5] [--seed 1]

The database must be a scratch one: the script migrates it and EMPTIES every disclosure table first.
Each disclosure is a Liaoning 18-table budget (liaoning-budget-18) made like the seeds: 表1 收支总表,
表3/5/10 功能分类 lines with real 2025 classification codes and names, 表6/11/12 经济分类 lines,
表9 projects with generated but realistic names, 表17 one 绩效目标 block per project, 表16, the
empty 表8/13–15/18, four narrative sections — about 270 table rows and 18 tables per disclosure.
Amounts add up (表1 totals = 表3 合计 = Σ 类; 基本 + 项目 = 合计). Everything is published, and the
search index holds what the indexer (search/indexer.py) writes, with its own text functions
(search/text.py, search/cells.py): the facets with the department's, and one text-cell entry per table
and text and disclosure (表1/表4 收支项目, 表16 and 表17 绩效目标 and 指标).

Rows are streamed with COPY (foreign-key triggers off while loading); the GIN indexes over the search tokens are dropped during the load
and built afterwards, as one would for a bulk load. Prints the time of each step.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from disclosures.ingest.formats import get_format  # noqa: E402
from disclosures.search.cells import SEPARATOR, heading, row_texts  # noqa: E402
from disclosures.search.indexer import LINE_TABLE_ROWS  # noqa: E402
from disclosures.search.text import facet_lexemes, normalize, tsvector_literal  # noqa: E402

CITIES = ["沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市",
          "盘锦市", "铁岭市", "朝阳市", "葫芦岛市"]  # fmt: skip
COUNTY_SUFFIXES = ["和平区", "沈河区", "铁西区", "新城区", "东区", "西区", "开发区", "东县", "西县", "南县", "北县",
                   "新民市", "旗县"]  # fmt: skip

# Agencies: (name, main 功能分类 类). Real bureau names at province/city/county level.
AGENCIES = [
    ("教育局", "205"), ("财政局", "201"), ("发展和改革委员会", "201"), ("公安局", "204"), ("司法局", "204"),
    ("民政局", "208"), ("人力资源和社会保障局", "208"), ("卫生健康委员会", "210"), ("生态环境局", "211"),
    ("住房和城乡建设局", "212"), ("农业农村局", "213"), ("水利局", "213"), ("林业和草原局", "213"),
    ("交通运输局", "214"), ("工业和信息化局", "215"), ("科学技术局", "206"), ("文化旅游和广播电视局", "207"),
    ("体育局", "207"), ("应急管理局", "224"), ("市场监督管理局", "201"), ("统计局", "201"), ("审计局", "201"),
    ("退役军人事务局", "208"), ("医疗保障局", "210"), ("自然资源局", "220"), ("商务局", "216"),
    ("数据局", "201"), ("信访局", "201"), ("档案馆", "201"), ("互联网信息中心", "215"),
]  # fmt: skip
AGENCY_FORMS = ["", "机关服务中心", "事务服务中心", "综合行政执法队", "信息中心", "发展研究中心"]

# 功能分类 (2025 政府收支分类科目): 类 → {款: [项…]}
FUNCTIONS = {
    "201": ("一般公共服务支出", {"20103": ("政府办公厅（室）及相关机构事务", [("2010301", "行政运行"), ("2010302", "一般行政管理事务"), ("2010350", "事业运行")]),
                                 "20106": ("财政事务", [("2010601", "行政运行"), ("2010699", "其他财政事务支出")])}),
    "204": ("公共安全支出", {"20402": ("公安", [("2040201", "行政运行"), ("2040220", "执法办案")])}),
    "205": ("教育支出", {"20502": ("普通教育", [("2050201", "学前教育"), ("2050202", "小学教育"), ("2050203", "初中教育"), ("2050204", "高中教育")])}),
    "206": ("科学技术支出", {"20601": ("科学技术管理事务", [("2060101", "行政运行"), ("2060199", "其他科学技术管理事务支出")])}),
    "207": ("文化旅游体育与传媒支出", {"20701": ("文化和旅游", [("2070101", "行政运行"), ("2070109", "群众文化")])}),
    "208": ("社会保障和就业支出", {"20805": ("行政事业单位养老支出", [("2080501", "行政单位离退休"), ("2080505", "机关事业单位基本养老保险缴费支出"), ("2080506", "机关事业单位职业年金缴费支出")])}),
    "210": ("卫生健康支出", {"21011": ("行政事业单位医疗", [("2101101", "行政单位医疗"), ("2101102", "事业单位医疗")])}),
    "211": ("节能环保支出", {"21101": ("环境保护管理事务", [("2110101", "行政运行"), ("2110104", "生态环境保护宣传")])}),
    "212": ("城乡社区支出", {"21201": ("城乡社区管理事务", [("2120101", "行政运行"), ("2120104", "城管执法")])}),
    "213": ("农林水支出", {"21301": ("农业农村", [("2130101", "行政运行"), ("2130104", "事业运行"), ("2130108", "病虫害控制")])}),
    "214": ("交通运输支出", {"21401": ("公路水路运输", [("2140101", "行政运行"), ("2140106", "公路养护")])}),
    "215": ("资源勘探工业信息等支出", {"21505": ("工业和信息产业", [("2150501", "行政运行"), ("2150502", "一般行政管理事务")]),
                                       "21599": ("其他资源勘探工业信息等支出", [("2159999", "其他资源勘探工业信息等支出")])}),
    "216": ("商业服务业等支出", {"21602": ("商业流通事务", [("2160201", "行政运行")])}),
    "220": ("自然资源海洋气象等支出", {"22001": ("自然资源事务", [("2200101", "行政运行"), ("2200106", "自然资源利用与保护")])}),
    "221": ("住房保障支出", {"22102": ("住房改革支出", [("2210201", "住房公积金")])}),
    "224": ("灾害防治及应急管理支出", {"22401": ("应急管理事务", [("2240101", "行政运行"), ("2240106", "安全监管")])}),
}  # fmt: skip
ECONOMIC_DEPARTMENT = {
    "301": ("工资福利支出", [("30101", "基本工资"), ("30102", "津贴补贴"), ("30103", "奖金"), ("30108", "机关事业单位基本养老保险缴费"),
                             ("30109", "职业年金缴费"), ("30110", "职工基本医疗保险缴费"), ("30112", "其他社会保障缴费"), ("30113", "住房公积金")]),
    "302": ("商品和服务支出", [("30201", "办公费"), ("30205", "水费"), ("30206", "电费"), ("30207", "邮电费"), ("30211", "差旅费"),
                               ("30217", "公务接待费"), ("30226", "劳务费"), ("30228", "工会经费"), ("30231", "公务用车运行维护费"), ("30299", "其他商品和服务支出")]),
    "303": ("对个人和家庭的补助", [("30301", "离休费"), ("30302", "退休费"), ("30305", "生活补助")]),
}  # fmt: skip
ECONOMIC_GOVERNMENT = {
    "501": ("机关工资福利支出", [("50101", "工资奖金津补贴"), ("50102", "社会保障缴费"), ("50103", "住房公积金")]),
    "502": ("机关商品和服务支出", [("50201", "办公经费"), ("50205", "委托业务费"), ("50208", "公务用车运行维护费"), ("50299", "其他商品和服务支出")]),
    "509": ("对个人和家庭的补助", [("50901", "社会福利和救助"), ("50905", "离退休费")]),
}  # fmt: skip
PROJECT_TOPICS = ["信息化系统", "数据中心机房", "网络安全监测", "农村公路", "义务教育学校", "基层医疗卫生机构", "城乡环境",
                  "文化惠民演出", "食品安全抽检", "河道", "应急物资储备", "政务服务大厅", "退役军人服务站", "老旧小区",
                  "中小企业公共服务平台", "就业创业培训", "森林防火", "农田水利设施", "档案数字化", "统计调查",
                  "互联网骨干直联点监测系统", "视频会议系统", "大气污染防治", "耕地保护", "安全生产执法", "社区养老服务"]  # fmt: skip
PROJECT_ACTIONS = ["运行维护", "建设", "改造", "升级", "专项检查", "购置", "监测", "培训", "宣传", "补助"]
PROJECT_SUFFIXES = ["经费", "项目", "资金", "补助资金", "工作经费"]
INDICATORS = [("产出指标", "数量指标", "完成数量", "=", "100", "%"), ("产出指标", "质量指标", "验收合格率", ">=", "95", "%"),
              ("产出指标", "时效指标", "按时完成率", "=", "100", "%"), ("效益指标", "社会效益指标", "服务对象覆盖率", ">=", "90", "%"),
              ("满意度指标", "服务对象满意度指标", "群众满意度", ">=", "90", "%")]  # fmt: skip

FORMAT = get_format("liaoning-budget-18")
DEFINITIONS = {t.number: t for t in FORMAT.tables}
COLUMNS = {n: [c.as_dict() for c in t.columns] if t.rows != "form" else [] for n, t in DEFINITIONS.items()}
COLUMNS_JSON = {n: json.dumps(columns, ensure_ascii=False) for n, columns in COLUMNS.items()}
# Every group has its own partial GIN index over the tokens (search migrations 0002 and 0003).
SEARCH_GROUPS = ("department", "disclosure", "project", "line", "text_cell")
EMPTY_NOTE = DEFINITIONS["8"].empty_note
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NOW = "2025-03-01 00:00:00+00"


def esc(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).translate(_ESCAPE)


def jdump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Copier:
    """Buffers rows for COPY … FROM STDIN (text format) and flushes them in large chunks."""

    def __init__(self, cursor, table, columns):
        self.cursor, self.sql = cursor, f'COPY {table} ({", ".join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN'
        self.lines, self.count = [], 0

    def add(self, *values):
        self.lines.append("\t".join(map(esc, values)))
        if len(self.lines) >= 50_000:
            self.flush()

    def flush(self):
        if self.lines:
            with self.cursor.copy(self.sql) as copy:
                copy.write(("\n".join(self.lines) + "\n").encode())
            self.count += len(self.lines)
            self.lines = []


def money(rng, low, high):
    return Decimal(rng.randint(int(low * 100), int(high * 100))) / 100


def s(value):
    return f"{value:.2f}"


class Ids:
    def __init__(self):
        self.counters = {}

    def next(self, name):
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]


def build_regions(cursor, ids):
    copier = Copier(cursor, "disclosures_region", ["id", "name", "level", "parent_id"])
    regions = []  # (id, name, level, path, ids from the province down)
    province = ids.next("region")
    copier.add(province, "辽宁省", "province", None)
    regions.append((province, "辽宁省", "province", "辽宁省", (province,)))
    for city in CITIES:
        city_id = ids.next("region")
        copier.add(city_id, city, "city", province)
        regions.append((city_id, city, "city", f"辽宁省/{city}", (province, city_id)))
        for suffix in COUNTY_SUFFIXES[:7]:
            county = city[:-1] + suffix
            county_id = ids.next("region")
            copier.add(county_id, county, "county", city_id)
            regions.append((county_id, county, "county", f"辽宁省/{city}/{county}", (province, city_id, county_id)))
    copier.flush()
    return regions


def department_names(region_name, count):
    names = []
    for form in AGENCY_FORMS:
        for agency, klass in AGENCIES:
            names.append((f"{region_name}{agency}{form}", klass, agency))
    return names[:count]


def lines_for(rng, main_class):
    """功能分类 lines of one disclosure: the agency's own class plus 208, 210, 221, as real budgets have."""
    classes = sorted({main_class, "208", "210", "221"})
    out = []  # (code, name, level, total, basic, personnel, operating, project)
    for klass in classes:
        class_name, sections = FUNCTIONS[klass]
        class_rows = []
        for section_code, (section_name, items) in sections.items():
            chosen = [item for item in items if rng.random() < 0.8] or items[:1]
            item_rows = []
            for code, name in chosen:
                if klass == main_class and code.endswith(("02", "99", "06", "04", "08", "20", "09")):
                    project = money(rng, 5, 400)
                    personnel = operating = Decimal("0.00")
                else:
                    personnel, operating, project = money(rng, 10, 600), money(rng, 0, 80), Decimal("0.00")
                basic = personnel + operating
                item_rows.append((code, name, 3, basic + project, basic, personnel, operating, project))
            sums = [sum(r[i] for r in item_rows) for i in range(3, 8)]
            class_rows.append([(section_code, section_name, 2, *sums)] + item_rows)
        sums = [sum(rows[0][i] for rows in class_rows) for i in range(3, 8)]
        out.append((klass, class_name, 1, *sums))
        for rows in class_rows:
            out.extend(rows)
    return out


def project_names(rng, agency, count):
    names = set()
    while len(names) < count:
        names.add(f"{rng.choice(PROJECT_TOPICS)}{rng.choice(PROJECT_ACTIONS)}{rng.choice(PROJECT_SUFFIXES)}")
    return sorted(names)


def generate(departments_wanted, years, seed):
    rng = random.Random(seed)
    ids = Ids()
    timings = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        started = time.perf_counter()
        # The CASCADE reaches the audit trail, whose triggers refuse TRUNCATE (an append-only table, see
        # disclosures/migrations/0006_audit_chain.py). This database is a scratch one being replaced whole,
        # so its user triggers are off from here to the end of the load (needs a superuser, as a scratch
        # database has); the foreign keys are off too, as the rows are consistent by construction and
        # written table by table in chunks.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "TRUNCATE search_searchentry, disclosures_tablerow, disclosures_disclosuretable, disclosures_section, "
            "disclosures_version, disclosures_disclosure, disclosures_unit, disclosures_department, disclosures_region "
            "RESTART IDENTITY CASCADE"
        )
        for group in SEARCH_GROUPS:
            cursor.execute(f"DROP INDEX IF EXISTS search_tokens_{group}")
        regions = build_regions(cursor, ids)
        per_region = {"province": len(AGENCIES) * len(AGENCY_FORMS), "city": 150}
        county_count = sum(1 for r in regions if r[2] == "county")
        fixed = per_region["province"] + per_region["city"] * len(CITIES)
        per_county = max(1, -(-(departments_wanted - fixed) // county_count))

        dep_copy = Copier(cursor, "disclosures_department", ["id", "name", "code", "region_id"])
        unit_copy = Copier(cursor, "disclosures_unit", ["id", "code", "name", "department_id"])
        disc_copy = Copier(cursor, "disclosures_disclosure", ["id", "year", "kind", "format", "approved_on", "published_on", "created_at", "department_id", "published_version_id"])
        ver_copy = Copier(cursor, "disclosures_version", ["id", "number", "status", "published_on", "change_note", "source_file", "import_report", "created_at", "disclosure_id", "pdf", "workbook"])
        sec_copy = Copier(cursor, "disclosures_section", ["id", "key", "title", "position", "body", "version_id"])
        tab_copy = Copier(cursor, "disclosures_disclosuretable", ["id", "key", "number", "title", "position", "unit_label", "columns", "note", "is_empty", "source_sheet", "version_id"])
        row_copy = Copier(cursor, "disclosures_tablerow", ["id", "position", "kind", "code", "name", "level", "is_total", "cells", "values", "table_id", "unit_id"])
        entry_copy = Copier(cursor, "search_searchentry", ["id", "group", "region_level", "year", "kind", "title", "code", "context", "text", "normalized", "tokens", "amount", "anchor", "position", "department_id", "disclosure_id", "region_id", "version_id"])

        def entry(group, region, department_id, disclosure_id, version_id, year, kind, title, text, *, code="", context="", amount=None, anchor="", position=0):
            # The same facet lexemes as the indexer writes: a department counts in every year it published.
            published = [(year, kind)] if disclosure_id else [(y, "budget") for y in range(2026 - years, 2026)]
            facets = facet_lexemes(region_ids=region[4], level=region[2], published=published, department_id=department_id)
            tokens = f"{tsvector_literal(text)} {facets}"
            entry_copy.add(ids.next("entry"), group, region[2], year, kind, title, code, context, text, normalize(text),
                           tokens, None if amount is None else s(amount), anchor, position,
                           department_id, disclosure_id, region[0], version_id)  # fmt: skip

        made = 0
        for region in regions:
            count = per_region.get(region[2], per_county)
            for name, main_class, agency in department_names(region[1], count):
                if made >= departments_wanted:
                    break
                made += 1
                department_id = ids.next("department")
                dep_copy.add(department_id, name, f"{department_id:06d}", region[0])
                unit_id = ids.next("unit")
                unit_code = f"{department_id % 1000000:06d}"
                unit_name = f"{name}本级"
                unit_copy.add(unit_id, unit_code, unit_name, department_id)
                entry("department", region, department_id, None, None, None, "", name, name, context=region[3])
                entry("department", region, department_id, None, None, None, "", unit_name, f"{unit_code} {unit_name}",
                      code=unit_code, context=f"{name}所属单位", position=1)  # fmt: skip
                projects = project_names(rng, agency, rng.randint(4, 10))
                for year in range(2026 - years, 2026):
                    write_disclosure(rng, ids, year, name, region, department_id, unit_id, unit_name, main_class,
                                     projects, disc_copy, ver_copy, sec_copy, tab_copy, row_copy, entry)  # fmt: skip
        for copier in (dep_copy, unit_copy, disc_copy, ver_copy, sec_copy, tab_copy, row_copy, entry_copy):
            copier.flush()
        timings["load (COPY)"] = time.perf_counter() - started

        cursor.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        for table in ("disclosures_region", "disclosures_department", "disclosures_unit", "disclosures_disclosure",
                      "disclosures_version", "disclosures_section", "disclosures_disclosuretable",
                      "disclosures_tablerow", "search_searchentry"):  # fmt: skip
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for group in SEARCH_GROUPS:
            cursor.execute(
                f"CREATE INDEX search_tokens_{group} ON search_searchentry "
                f"USING gin ((tokens::tsvector)) WHERE \"group\" = '{group}'"
            )
        timings["search index (GIN)"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    counts = {name: copier.count for name, copier in (("departments", dep_copy), ("disclosures", disc_copy),
              ("tables", tab_copy), ("table rows", row_copy), ("sections", sec_copy), ("search entries", entry_copy))}  # fmt: skip
    return counts, timings


def write_disclosure(rng, ids, year, name, region, department_id, unit_id, unit_name, main_class, all_projects,
                     disc_copy, ver_copy, sec_copy, tab_copy, row_copy, entry):  # fmt: skip
    disclosure_id, version_id = ids.next("disclosure"), ids.next("version")
    approved = datetime.date(year, 1, 20) + datetime.timedelta(days=rng.randint(0, 20))
    published = approved + datetime.timedelta(days=rng.randint(3, 19))
    disc_copy.add(disclosure_id, year, "budget", FORMAT.code, approved, published, NOW, department_id, version_id)
    ver_copy.add(version_id, 1, "published", published, "", "generated.xlsx", "{}", NOW, disclosure_id, "", "")
    label = f"{year} 年部门预算"
    entry("disclosure", region, department_id, disclosure_id, version_id, year, "budget", f"{name} {label}",
          f"{name} {label}", context=region[3])  # fmt: skip

    lines = lines_for(rng, main_class)
    total = sum(l[3] for l in lines if l[2] == 1)
    basic = sum(l[4] for l in lines if l[2] == 1)
    personnel = sum(l[5] for l in lines if l[2] == 1)
    operating = sum(l[6] for l in lines if l[2] == 1)
    project_total = sum(l[7] for l in lines if l[2] == 1)
    projects = rng.sample(all_projects, k=min(len(all_projects), rng.randint(3, 8)))
    shares = [rng.random() + 0.1 for _ in projects]
    amounts = [(project_total * Decimal(share / sum(shares))).quantize(Decimal("0.01")) for share in shares]
    if amounts:
        amounts[-1] = project_total - sum(amounts[:-1])

    tables = {}  # table id → what the indexer reads of the table, and where it is in a 表17 (block, part)
    seen_cells = set()

    def table(number):
        definition = DEFINITIONS[number]
        table_id = ids.next("table")
        empty = number in ("8", "13", "14", "15", "18")
        tab_copy.add(table_id, definition.key, number, definition.title, definition.position, "万元",
                     COLUMNS_JSON[number], EMPTY_NOTE if number == "8" else "", empty, f"表{number}", version_id)  # fmt: skip
        tables[table_id] = SimpleNamespace(number=number, title=definition.title, position=definition.position,
                                           columns=COLUMNS[number], form=definition.rows == "form",
                                           coded_lines=definition.rows in LINE_TABLE_ROWS, block="", part="")  # fmt: skip
        return table_id

    def row(table_id, position, kind, code, rname, level, is_total, cells, values, unit=None):
        row_copy.add(ids.next("row"), position, kind, code, rname, level, is_total, jdump(cells), jdump(values), table_id, unit)
        text_cells(tables[table_id], SimpleNamespace(position=position, kind=kind, code=code, name=rname,
                                                     is_total=is_total, cells=cells))  # fmt: skip

    def text_cells(t, r):
        # As search/indexer.py entries_for_version: one entry per table and text and disclosure, with the
        # 表17 project a row belongs to as its title and the form's part (绩效指标 …) as its column.
        if r.kind == "block":
            t.block, t.part = r.name, ""
        t.part = heading(r) or t.part
        texts, columns = row_texts(t, r, form=t.form, coded_lines=t.coded_lines, under=t.part)
        text = SEPARATOR.join(texts)
        if not texts or (t.number, text) in seen_cells:
            return
        seen_cells.add((t.number, text))
        context = SEPARATOR.join([f"表{t.number} {t.title}", *dict.fromkeys(c for c in columns if c)])[:300]
        entry("text_cell", region, department_id, disclosure_id, version_id, year, "budget",
              (t.block or r.name or texts[0])[:500], text, context=context, anchor=f"table-{t.number}-row-{r.position + 1}",
              position=100_000 + t.position * 10_000 + r.position)  # fmt: skip

    # 表1 收支预算总表
    t = table("1")
    income = [("一、一般公共预算拨款收入", total)] + [(item, None) for item in ("二、政府性基金预算拨款收入", "三、国有资本经营预算拨款收入", "四、财政专户管理资金收入", "五、单位资金收入", "（一）事业收入", "（二）事业单位经营收入", "（三）上级补助收入", "（四）附属单位上缴收入", "（五）其他收入")]  # fmt: skip
    classes = [l for l in lines if l[2] == 1]
    numerals = "一二三四五六七八九十"
    for i, (item, amount) in enumerate(income):
        cells, values = {"income_item": item}, {}
        if amount is not None:
            values["income_amount"] = s(amount)
        if i < len(classes):
            cells["expenditure_item"] = f"{numerals[i]}、{classes[i][1]}"
            values["expenditure_amount"] = s(classes[i][3])
        row(t, i, "line", "", item, 0, False, cells, values)
    row(t, 10, "line", "", "本年收入合计", 0, True, {"income_item": "本年收入合计", "expenditure_item": "本年支出合计"}, {"income_amount": s(total), "expenditure_amount": s(total)})
    row(t, 11, "line", "", "上年结转结余", 0, False, {"income_item": "上年结转结余", "expenditure_item": "年终结转结余"}, {})
    row(t, 12, "line", "", "收 入 总 计", 0, True, {"income_item": "收 入 总 计", "expenditure_item": "支 出 总 计"}, {"income_amount": s(total), "expenditure_amount": s(total)})
    # 表2 收入预算总表
    t = table("2")
    for i, (uname, kind) in enumerate((("合计", "total"), (unit_name, "unit"))):
        row(t, i, kind, "", uname, 0 if i == 0 else 1, i == 0, {"unit_name": uname},
            {"grand_total": s(total), "current_total": s(total), "current_general_budget": s(total)}, unit_id if i else None)  # fmt: skip
    # 表3 / 表5 / 表10 功能分类; 表4 财政拨款收支总表
    for number in ("3", "5", "10"):
        t = table(number)
        if number == "10":
            def values_of(l):
                return {"grand_total": s(l[3]), "current_total": s(l[3]), "current_general_budget": s(l[3])}
        else:
            def values_of(l):
                v = {"total": s(l[3])}
                if l[4]:
                    v.update(basic_subtotal=s(l[4]), basic_personnel=s(l[5]))
                    if l[6]:
                        v["basic_operating"] = s(l[6])
                if l[7]:
                    v["project"] = s(l[7])
                return v
        row(t, 0, "total", "", "合计", 0, True, {"name": "合计"}, values_of(("", "合计", 0, total, basic, personnel, operating, project_total)))
        for i, l in enumerate(lines, start=1):
            row(t, i, "code", l[0], l[1], l[2], False, {"code": l[0], "name": l[1]}, values_of(l))
    t = table("4")
    row(t, 0, "line", "", "一、本年收入", 0, False, {"income_item": "一、本年收入", "expenditure_item": "一、本年支出"}, {"income_amount": s(total), "expenditure_amount": s(total)})
    for i, klass in enumerate(classes, start=1):
        row(t, i, "line", "", "", 0, False, {"expenditure_item": f"({numerals[i - 1]}){klass[1]}"}, {"expenditure_amount": s(klass[3])})
    row(t, len(classes) + 1, "line", "", "收 入 总 计", 0, True, {"income_item": "收 入 总 计", "expenditure_item": "支 出 总 计"}, {"income_amount": s(total), "expenditure_amount": s(total)})
    # Search entries for the lines: one per code and name and disclosure, as the indexer does.
    seen = set()
    for i, l in enumerate(lines, start=1):
        seen.add((l[0], l[1]))
        entry("line", region, department_id, disclosure_id, version_id, year, "budget", l[1], f"{l[0]} {l[1]}",
              code=l[0], context="表3 支出预算总表", amount=l[3], anchor=f"table-3-row-{i + 1}", position=130_000 + i)  # fmt: skip
    # 表6 / 表12 部门预算经济分类; 表11 政府预算经济分类 (basic spending split over the 款)
    for number, catalogue in (("6", ECONOMIC_DEPARTMENT), ("12", ECONOMIC_DEPARTMENT), ("11", ECONOMIC_GOVERNMENT)):
        t = table(number)
        position = 0
        row(t, position, "total", "", "合计", 0, True, {"name": "合计"}, {"total": s(basic)} if number == "6" else {"grand_total": s(basic)})
        for klass, (class_name, items) in catalogue.items():
            chosen = [item for item in items if rng.random() < 0.75] or items[:1]
            position += 1
            row(t, position, "code", klass, class_name, 1, False, {"code": klass, "name": class_name}, {})
            if (klass, class_name) not in seen:  # the 类 is a line too, without an amount of its own
                seen.add((klass, class_name))
                entry("line", region, department_id, disclosure_id, version_id, year, "budget", class_name,
                      f"{klass} {class_name}", code=klass, context=f"表{number} {DEFINITIONS[number].title}",
                      anchor=f"table-{number}-row-{position + 1}", position=140_000 + position)  # fmt: skip
            for code, item_name in chosen:
                position += 1
                amount = money(rng, 1, 200)
                key = "total" if number == "6" else "grand_total"
                row(t, position, "code", code, item_name, 2, False, {"code": code, "name": item_name}, {key: s(amount)})
                if (code, item_name) not in seen:
                    seen.add((code, item_name))
                    entry("line", region, department_id, disclosure_id, version_id, year, "budget", item_name,
                          f"{code} {item_name}", code=code, context=f"表{number} {DEFINITIONS[number].title}",
                          amount=amount, anchor=f"table-{number}-row-{position + 1}", position=140_000 + position)  # fmt: skip
    # 表7 三公
    t = table("7")
    running, reception = money(rng, 0, 15), money(rng, 0, 5)
    abroad = money(rng, 0, 3) if rng.random() < 0.1 else Decimal("0.00")
    row(t, 0, "line", "", "", 0, False, {}, {"total": s(running + reception + abroad), "abroad": s(abroad), "vehicles_subtotal": s(running),
                                              "vehicles_running": s(running), "reception": s(reception)})  # fmt: skip
    t = table("8")
    row(t, 0, "total", "", "合计", 0, True, {"code": "", "name": "合计"}, {})
    # 表9 项目支出
    t = table("9")
    row(t, 0, "total", "", "合计", 0, True, {"unit_name": "合计"}, {"grand_total": s(project_total)})
    row(t, 1, "unit", "", unit_name, 1, False, {"unit_name": unit_name}, {"grand_total": s(project_total)}, unit_id)
    for i, (pname, amount) in enumerate(zip(projects, amounts), start=2):
        row(t, i, "project", "", pname, 2, False, {"project_name": pname},
            {"grand_total": s(amount), "current_total": s(amount), "current_general_budget": s(amount)})  # fmt: skip
        entry("project", region, department_id, disclosure_id, version_id, year, "budget", pname, pname,
              context="表9 项目支出预算表", amount=amount, anchor=f"table-9-row-{i + 1}", position=190_000 + i)  # fmt: skip
    for number in ("13", "14", "15", "18"):
        t = table(number)
        row(t, 0, "total", "", "合计", 0, True, {"unit_name": "合计"}, {})
    # 表16 整体绩效目标 (a short form) and 表17 one block per project
    t = table("16")
    row(t, 0, "field", "", "部门（单位）名称", 0, False, {"label": "部门（单位）名称", "value": f"{unit_name}", "_grid": [["部门（单位）名称", 1, 0, 1], [unit_name, 7, 1, 1]]}, {})
    row(t, 1, "field", "", "年度绩效目标", 0, False, {"label": "年度绩效目标", "value": "保障机构正常运转，完成年度工作任务。", "_grid": [["年度绩效目标", 1, 0, 1], ["保障机构正常运转，完成年度工作任务。", 7, 1, 1]]}, {})
    t = table("17")
    position = 0
    for pname, amount in zip(projects, amounts):
        row(t, position, "block", "", pname, 0, False, {"_grid": [["项目(政策)名称", 1, 0, 1], [pname, 7, 1, 1]]}, {"amount": s(amount)})
        entry("project", region, department_id, disclosure_id, version_id, year, "budget", pname, pname,
              context="表17 部门预算项目（政策）绩效目标表", amount=amount, anchor=f"table-17-row-{position + 1}",
              position=270_000 + position)  # fmt: skip
        position += 1
        row(t, position, "field", "", "预算资金情况", 0, False, {"label": "预算资金情况", "value": s(amount), "_grid": [["预算资金情况", 1, 0, 1], [s(amount), 7, 1, 1]]}, {"amount": s(amount)})
        position += 1
        for level1, level2, level3, op, target, measure in INDICATORS:
            grid = [[level1, 1, 1, 1], [level2, 1, 2, 1], [level3, 1, 3, 1], [op, 1, 4, 1], [target, 1, 5, 1], [measure, 1, 6, 1], [f"{year}-12", 1, 7, 1]]
            row(t, position, "indicator", "", level3, 0, False, {"level1": level1, "level2": level2, "level3": level3, "_grid": grid}, {})
            position += 1

    # Narrative: four sections, one search entry per paragraph.
    paragraphs = {
        ("duties", "部门职责"): [f"{name}负责贯彻执行国家和省有关方针政策，承担本行业管理和公共服务职责。"],
        ("organisation", "机构设置"): [f"{name} {year} 年度部门预算编制范围为本级预算单位，下设无二级预算单位。"],
        ("explanation", "情况说明"): [
            f"收入预算 {s(total)} 万元，其中一般公共预算拨款收入 {s(total)} 万元。",
            f"支出预算 {s(total)} 万元，其中基本支出 {s(basic)} 万元，项目支出 {s(project_total)} 万元。",
            f"“三公”经费预算 {s(running + reception + abroad)} 万元，其中公务用车运行费 {s(running)} 万元，公务接待费 {s(reception)} 万元。",
            f"机关运行经费 {s(operating)} 万元，主要用于办公费、水电费、邮电费等支出。",
            "政府采购预算主要用于办公设备购置和信息系统运行维护，其中面向中小企业预留份额不低于百分之四十。",
            f"纳入绩效目标管理的项目共 {len(projects)} 个，涉及资金 {s(project_total)} 万元。",
        ],
        ("glossary", "名词解释"): ["基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。",
                                   "项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"],
    }  # fmt: skip
    for number, ((key, title), texts) in enumerate(paragraphs.items(), start=1):
        sec_copy.add(ids.next("section"), key, title, number - 1, "\n\n".join(texts), version_id)
        for index, text in enumerate(texts):
            entry("disclosure", region, department_id, disclosure_id, version_id, year, "budget",
                  f"{name} {label} · {title}", text, context=title, anchor=f"section-{key}-{number}",
                  position=number * 1000 + index)  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("需要 PostgreSQL：设置 DATABASE_URL=postgres://…/<scratch database>")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    counts, timings = generate(args.departments, args.years, args.seed)
    total = time.perf_counter() - started
    for name, count in counts.items():
        print(f"{name:>16}: {count:>12,}")
    for name, seconds in timings.items():
        print(f"{name:>20}: {seconds:8.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"{'database size':>20}: {cursor.fetchone()[0]}")
    print(f"generator run time: {total:.1f} s")


if __name__ == "__main__":
    main()
