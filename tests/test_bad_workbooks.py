"""Corrupt, empty, wrong-table and non-numeric workbooks give clear messages and save nothing."""

import io
import shutil
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from disclosures.models import AuditEvent, Department, Disclosure, DisclosureTable, Region, TableRow
from tests.conftest import SEED004, read


def run_import(path, **extra):
    out = io.StringIO()
    arguments = [str(path), "--region", "辽宁省/抚顺市", "--department", "抚顺市工业和信息化局", "--year", "2025",
                 "--approved-on", "2025-02-10"]  # fmt: skip
    for key, value in extra.items():
        arguments += [f"--{key.replace('_', '-')}"] + ([] if value is True else [value])
    code = 0
    try:
        call_command("import_disclosure", *arguments, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def assert_nothing_saved():
    assert Disclosure.objects.count() == 0
    assert Department.objects.count() == 0
    assert Region.objects.count() == 0
    assert TableRow.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.fixture
def seed004_copy(tmp_path):
    path = tmp_path / "workbook.xlsx"
    shutil.copy(SEED004, path)
    return path


def find_cell(workbook, sheet_title, predicate):
    for sheet in workbook.worksheets:
        if sheet["A1"].value == sheet_title:
            for row in sheet.iter_rows():
                for cell in row:
                    if predicate(cell):
                        return sheet, cell
    raise AssertionError(f"no such cell in {sheet_title}")


@pytest.mark.django_db
def test_a_corrupt_file_is_refused_and_saves_nothing(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    code, out = run_import(path)
    assert code == 1
    assert "错误：文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。" in out
    assert out.strip().endswith("共 1 个错误，未保存任何内容。")
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    code, out = run_import(path)
    assert code == 1
    assert "文件不是 Excel 工作簿（.xlsx）。" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    code, out = run_import(path)
    assert code == 1
    assert "文件解压后体积异常（疑似压缩炸弹），已拒绝。" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_an_empty_workbook_finds_no_table(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    code, out = run_import(path)
    assert code == 1
    assert "错误：工作簿中没有找到“辽宁省部门预算公开表（18 张表）”的任何一张表。" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_workbook_of_other_tables_is_reported_sheet_by_sheet(tmp_path):
    path = tmp_path / "other.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员统计"
    sheet.append(["2025年在职人员统计表"])
    sheet.append(["姓名", "岗位", "人数"])
    sheet.append(["张三", "科员", 1])
    workbook.save(path)
    code, out = run_import(path)
    assert code == 1
    assert "说明：工作表“人员统计”不是本表式的表格（未找到本表式的表名），已跳过。" in out
    assert "错误：工作簿中没有找到“辽宁省部门预算公开表（18 张表）”的任何一张表。" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_non_numeric_amount_names_the_table_and_cell(seed004_copy):
    workbook = load_workbook(seed004_copy)
    sheet, cell = find_cell(workbook, "支出预算总表", lambda c: c.value == "435.73")
    cell.value = "12,3x4"
    workbook.save(seed004_copy)
    code, out = run_import(seed004_copy)
    assert code == 1
    assert f"错误：表3 支出预算总表，工作表“{sheet.title}”单元格 {cell.coordinate}：“12,3x4”不是金额" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_column_the_format_does_not_know_is_kept_and_the_absent_one_is_not_checked(seed004_copy):
    workbook = load_workbook(seed004_copy)
    sheet, cell = find_cell(workbook, "支出预算总表", lambda c: c.value == "公用经费")
    cell.value = "其他"
    workbook.save(seed004_copy)
    code, out = run_import(seed004_copy)
    assert code == 0
    assert "说明：表3 支出预算总表：保留了表式之外的列“基本支出/其他”（照原样保存和展示）。" in out
    assert "说明：表3 支出预算总表：工作簿没有这些列：基本支出/公用经费；涉及它们的核对不进行。" in out
    assert "未核对：B14 表3 每行：基本支出小计 = 人员经费 + 公用经费（表3 缺少列“基本支出/公用经费”）" in out
    table = DisclosureTable.objects.get(number="3")
    total = table.rows.get(is_total=True)
    # The figures of the unknown column are kept, as printed, under the column's own key.
    assert total.values["extra_F"] == "100.59" and "basic_operating" not in total.values


def test_two_sheets_of_the_same_table_are_an_error(seed004_copy):
    workbook = load_workbook(seed004_copy)
    workbook.copy_worksheet(workbook.worksheets[2]).title = "表3副本"
    workbook.save(seed004_copy)
    result, _outcomes, _sections = read(seed004_copy)
    assert [f.message for f in result.errors] == ["工作表“表3副本”和“3”都是表3 支出预算总表，请只保留一张。"]


@pytest.mark.django_db
def test_an_identity_warning_does_not_block_a_backfill(seed004_copy):
    """Published documents contain inconsistencies; a back-fill imports them with a warning."""
    workbook = load_workbook(seed004_copy)
    sheet, cell = find_cell(workbook, "收支预算总表", lambda c: c.value == "四、住房保障支出")
    sheet.cell(row=cell.row, column=cell.column + 1).value = 74.81
    workbook.save(seed004_copy)
    code, out = run_import(seed004_copy, published_on="2025-02-26", accept_flags=True)
    assert code == 0
    assert "警告：B6 表1 本年支出合计 = 各类支出之和：左边 1,425.40，右边 1,426.40，相差 -1.00（不一致）" in out
    assert out.strip().splitlines()[-1] == f"published: /disclosures/{Disclosure.objects.get().pk}/"


@pytest.mark.django_db
def test_the_command_lists_tables_and_ends_with_the_draft_path():
    code, out = run_import(SEED004)
    lines = out.strip().splitlines()
    assert code == 0
    assert "表3 支出预算总表：22 行（工作表“3”，按表名）" in lines
    assert "表17 部门预算项目（政策）绩效目标表：91 行（工作表“17”，按表名）" in lines
    assert "说明：表9 项目支出预算表：保留了表式之外的列“项目内容”（照原样保存和展示）。" in lines
    version = Disclosure.objects.get().versions.get()
    assert version.status == "draft"
    assert lines[-1] == f"draft: /staff/versions/{version.pk}/"
    region = Region.objects.get(name="抚顺市")
    assert (region.level, region.parent.name, region.parent.level) == ("city", "辽宁省", "province")


@pytest.mark.django_db
def test_publication_before_approval_is_refused():
    code, out = run_import(SEED004, published_on="2025-02-01")
    assert code == 1
    assert "错误：公开日期不能早于批复日期。" in out
    assert_nothing_saved()
