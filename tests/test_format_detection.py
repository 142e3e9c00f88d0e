"""The import recognises each workbook's format, checks it against the region's assignment, and refuses ambiguity.

Also: the 17-table variant of 沈阳市 2023 is a definition only (no code), and it imports.
"""

import io
import shutil
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from disclosures.ingest.formats import FORMATS_DIR, get_format
from disclosures.ingest.detect import detect
from disclosures.models import Disclosure, FormatAssignment, Region

FIXTURES = Path(__file__).parent / "fixtures"
SEED000 = FIXTURES / "seed000_budget_2025.xlsx"
SEED002 = FIXTURES / "seed002_final_accounts_2024.xlsx"
SEED003 = FIXTURES / "seed003_budget_2024.xlsx"
SEED004 = FIXTURES / "seed004_budget_2025.xlsx"
SHENYANG = FIXTURES / "shenyang_budget17_2023.xlsx"


def run_import(path, region="辽宁省/沈阳市", kind="budget", **extra):
    out = io.StringIO()
    arguments = [str(path), "--region", region, "--department", "沈阳市某局", "--year", "2023", "--kind", kind,
                 "--approved-on", "2023-02-01"]  # fmt: skip
    for key, value in extra.items():
        arguments += [f"--{key}", value]
    code = 0
    try:
        call_command("import_disclosure", *arguments, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def assign(path, code, year=2023, kind="budget"):
    return FormatAssignment.objects.create(region=Region.get_or_create_path(path), year=year, kind=kind, format=code)


@pytest.fixture
def first_twelve_tables(tmp_path):
    """Seed 004 with 表13–18 removed: it fits the 18-table format and the 17-table variant equally badly."""
    workbook = load_workbook(SEED004)
    for name in ("表13", "14", "表15", "表16整体绩效", "17", "Sheet18"):
        workbook.remove(workbook[name])
    path = tmp_path / "first_twelve.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("path", "kind", "expected", "reason"),
    [
        (
            SEED000,
            "budget",
            "liaoning-budget-18",
            "识别出 15 张表、121 列，缺少 表13、表14、表15",
        ),
        (SEED004, "budget", "liaoning-budget-18", "识别出 18 张表、168 列，必备表齐全"),
        (
            SHENYANG,
            "budget",
            "liaoning-budget-17",
            "识别出 17 张表、164 列，必备表齐全；其他表式识别的表或列更少（liaoning-budget-18 识别出 17 张表、164 列，缺少 表18）",
        ),
        (SEED003, "budget", "hebei-county-budget", "识别出 12 张表、83 列，必备表齐全"),
        (
            SEED002,
            "final_accounts",
            "liaoning-final-accounts-9",
            "识别出 11 张表、62 列，必备表齐全",
        ),
    ],
    ids=["seed000", "seed004", "shenyang", "seed003", "seed002"],
)
def test_each_fixture_is_recognised_as_its_format_and_the_reason_is_given(path, kind, expected, reason):
    with open(path, "rb") as handle:
        detection = detect(handle, kind)
    assert detection.format.code == expected
    assert detection.reason.startswith("按表名和表头识别：" + reason)


def test_a_workbook_both_formats_read_alike_is_read_with_the_default_and_says_why(first_twelve_tables):
    # Both formats find the same twelve tables and the same figures, and neither is complete.
    with open(first_twelve_tables, "rb") as handle:
        detection = detect(handle, "budget")
    assert detection.format.code == "liaoning-budget-18"
    assert detection.reason.startswith("工作簿同样符合 liaoning-budget-17、liaoning-budget-18（liaoning-budget-17 识别出 12 张表、117 列")
    assert detection.reason.endswith("读出的数字完全相同；按默认表式选用 liaoning-budget-18")


@pytest.mark.django_db
def test_the_regions_assignment_settles_a_workbook_both_formats_read_alike(first_twelve_tables):
    assign("辽宁省/沈阳市", "liaoning-budget-17")
    code, out = run_import(first_twelve_tables)
    assert code == 0
    assert "表式来源：liaoning-budget-17，工作簿同样符合 liaoning-budget-17、liaoning-budget-18" in out
    assert "按辽宁省/沈阳市 2023 年 指定的表式选用 liaoning-budget-17" in out
    assert Disclosure.objects.get().format == "liaoning-budget-17"


@pytest.fixture
def twin_format(monkeypatch):
    """A second budget format that reads seed 004 exactly as the default does (a region's copy of it)."""
    from disclosures.ingest import formats

    original = dict(formats.all_formats())
    twin = formats.load_format(FORMATS_DIR / "liaoning-budget-18.toml")
    twin.code, twin.is_default = "twin-budget-18", False
    monkeypatch.setattr(formats, "all_formats", lambda: {**original, twin.code: twin})
    monkeypatch.setattr("disclosures.ingest.detect.all_formats", lambda: {**original, twin.code: twin})
    return twin


def test_a_tie_with_the_same_figures_is_read_with_the_default_and_says_so(twin_format):
    with open(SEED004, "rb") as handle:
        detection = detect(handle, "budget")
    assert detection.format.code == "liaoning-budget-18"
    assert detection.outcome == "settled"
    assert "工作簿同样符合 liaoning-budget-18、twin-budget-18" in detection.reason
    assert detection.reason.endswith("读出的数字完全相同；按默认表式选用 liaoning-budget-18")


def test_a_tie_is_settled_by_the_regions_last_accepted_format_before_the_default(twin_format):
    with open(SEED004, "rb") as handle:
        detection = detect(handle, "budget", recent="twin-budget-18")
    assert detection.format.code == "twin-budget-18"
    assert detection.reason.endswith("按本地区上一次公开所用的表式选用 twin-budget-18")


def test_a_tie_whose_readings_differ_is_refused_with_both_readings_side_by_side(twin_format):
    # The twin reads 表3's 人员经费 and 公用经费 the other way round: same score, other figures.
    table3 = twin_format.table("3")
    basic = next(c for c in table3.columns if c.key == "basic")
    personnel, operating = basic.children[1], basic.children[2]
    personnel.labels, operating.labels = operating.labels, personnel.labels
    with open(SEED004, "rb") as handle:
        detection = detect(handle, "budget")
    assert detection.refused
    assert "各表式读出的数字不同（见对照）" in detection.reason
    assert [row["table"] for row in detection.comparison] == ["表3"]
    readings = detection.comparison[0]["readings"]
    assert set(readings) == {"liaoning-budget-18", "twin-budget-18"}
    assert "basic_personnel 1,106.69" in readings["liaoning-budget-18"] or "1,106.69" in readings["liaoning-budget-18"]


@pytest.mark.django_db
def test_the_command_shows_both_readings_and_saves_nothing(twin_format):
    table3 = twin_format.table("3")
    basic = next(c for c in table3.columns if c.key == "basic")
    basic.children[1].labels, basic.children[2].labels = basic.children[2].labels, basic.children[1].labels
    code, out = run_import(SEED004)
    assert code == 1
    assert "错误：无法确定表式：工作簿同样符合 liaoning-budget-18、twin-budget-18" in out
    assert "对照：表3：liaoning-budget-18 支出预算总表：" in out
    assert out.strip().endswith("未保存任何内容。")
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_the_regions_assignment_settles_a_tie_whose_readings_differ(twin_format):
    table3 = twin_format.table("3")
    basic = next(c for c in table3.columns if c.key == "basic")
    basic.children[1].labels, basic.children[2].labels = basic.children[2].labels, basic.children[1].labels
    assign("辽宁省/沈阳市", "twin-budget-18")
    code, out = run_import(SEED004)
    assert code == 0
    assert "按辽宁省/沈阳市 2023 年 指定的表式选用 twin-budget-18" in out
    assert Disclosure.objects.get().format == "twin-budget-18"


@pytest.mark.django_db
def test_detection_confirms_the_assignment_inherited_from_the_city():
    assign("辽宁省/沈阳市", "liaoning-budget-17")
    code, out = run_import(SHENYANG, region="辽宁省/沈阳市/和平区")
    assert code == 0
    assert "表式来源：liaoning-budget-17，与辽宁省/沈阳市 2023 年 指定的表式一致：识别出 17 张表、164 列，必备表齐全" in out
    assert "缺少：缺少 表" not in out
    assert Disclosure.objects.get().format == "liaoning-budget-17"


@pytest.mark.django_db
def test_a_workbook_that_contradicts_the_assignment_is_refused():
    assign("辽宁省/沈阳市", "liaoning-budget-17")
    code, out = run_import(SEED004)
    assert code == 1
    assert (
        "错误：工作簿符合“辽宁省部门预算公开表（18 张表）”（liaoning-budget-18，识别出 18 张表、168 列，必备表齐全），"
        "与辽宁省/沈阳市 2023 年 指定的表式“liaoning-budget-17”不一致。请核对表式指定，或用 --format 明确指定。"
    ) in out
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_an_assignment_for_another_year_is_no_expectation():
    assign("辽宁省/沈阳市", "liaoning-budget-17", year=2024)
    code, out = run_import(SEED004)
    assert code == 0
    assert "表式来源：liaoning-budget-18，按表名和表头识别：识别出 18 张表" in out


@pytest.mark.django_db
def test_final_accounts_imported_as_a_budget_are_refused_with_a_hint():
    code, out = run_import(SEED002)
    assert code == 1
    assert (
        "错误：工作簿是“部门决算公开表（公开01–09表及绩效自评表）”（识别出 11 张表、62 列，必备表齐全），不是所选类别的表式，请检查 --kind。"
        in out
    )
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_an_explicit_format_is_used_as_given(tmp_path):
    code, out = run_import(SHENYANG, format="liaoning-budget-18")
    assert code == 0
    assert "表式来源：liaoning-budget-18，按 --format 指定" in out
    assert "缺少：缺少 表18 部门管理专项资金预算表。" in out


# --- The 17-table variant (沈阳市 2023): a definition and a fixture, no code ---------------------------------------


def test_the_17_table_variant_is_the_18_table_format_without_table_18_and_its_identity():
    variant, full = get_format("liaoning-budget-17"), get_format("liaoning-budget-18")
    assert [t.number for t in variant.tables] == [str(n) for n in range(1, 18)]
    assert [(t.title, t.match, t.rows) for t in variant.tables] == [
        (t.title, t.match, t.rows) for t in full.tables[:17]
    ]
    assert [i["id"] for i in variant.identities] == [i["id"] for i in full.identities if i["id"] != "B45"]
    assert variant.kind == "budget" and not variant.is_default
    # The variant is plain data: the file parses as TOML and names no code.
    data = tomllib.loads((FORMATS_DIR / "liaoning-budget-17.toml").read_text(encoding="utf-8"))
    assert set(data) == {
        "code",
        "name",
        "kind",
        "unit",
        "macros",
        "sections",
        "tables",
        "identities",
        "comparison",
    }


@pytest.mark.django_db
def test_the_shenyang_workbook_imports_with_the_variant_with_nothing_missing_and_no_warning(
    tmp_path,
):
    path = tmp_path / "沈阳.xlsx"
    shutil.copy(SHENYANG, path)
    code, out = run_import(path, format="liaoning-budget-17")
    assert code == 0
    assert "缺少：缺少 表" not in out and "警告：" not in out
    assert "表17 部门预算项目（政策）绩效目标表：" in out and "表18 " not in out
    disclosure = Disclosure.objects.get()
    assert disclosure.format == "liaoning-budget-17"
    assert disclosure.versions.get().tables.count() == 17


# --- The staff upload page chooses the format as the command does -----------------------------------


def post_workbook(client, staff, path, *, year, kind="budget"):
    from django.urls import reverse

    client.force_login(staff.editor_a)
    with open(path, "rb") as handle:
        return client.post(
            reverse("staff_upload", args=[staff.department_a.pk]),
            {"year": year, "kind": kind, "approved_on": f"{year}-02-01", "workbook": handle},
            follow=True,
        )


def test_an_uploaded_hebei_workbook_is_read_with_the_hebei_format_and_the_report_says_why(client, staff):
    response = post_workbook(client, staff, SEED003, year=2024)
    page = response.content.decode()
    disclosure = Disclosure.objects.get(department=staff.department_a, year=2024)
    assert disclosure.format == "hebei-county-budget"
    # Its 12 tables (9 张表, then 项目及绩效目标, 政府采购, 固定资产), not 18 Liaoning tables with most missing.
    assert sorted(response.context["version"].tables.values_list("number", flat=True), key=int) == [str(n) for n in range(1, 13)]
    assert "表式：" in page and "（hebei-county-budget）：按表名和表头识别" in page


def test_an_uploaded_workbook_that_contradicts_the_assignment_is_refused_with_advice_for_the_browser(client, staff):
    assign("辽宁省/抚顺市", "liaoning-budget-18", year=2024)
    response = post_workbook(client, staff, SEED003, year=2024)
    page = response.content.decode()
    assert "与辽宁省/抚顺市 2024 年 指定的表式“liaoning-budget-18”不一致" in page
    assert "请财政部门管理员核对该地区和年度的表式指定" in page and "--format" not in page
    assert not Disclosure.objects.exists()


def test_an_uploaded_workbook_that_two_formats_read_alike_is_read_with_the_default(client, staff, first_twelve_tables):
    response = post_workbook(client, staff, first_twelve_tables, year=2025)
    assert Disclosure.objects.get(department=staff.department_a).format == "liaoning-budget-18"
    assert "按默认表式选用 liaoning-budget-18" in response.content.decode()
