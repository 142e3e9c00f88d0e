"""Every download of a published disclosure gives back what was published: each figure and each word.

For every seed the project imports (tests/fixtures/README.md), the version is imported and published,
then downloaded through its public URLs:

- the workbook (download.xlsx) is read back by the reader without naming its format, and must give
  every table and every row (kind, code, name, figures) the portal stored;
- each table's CSV and the Fiscal Data Package must carry every stored figure in its row and column,
  once: 公开06表 (three panels printed side by side) included, whose 34 figures were once lost;
- the text is the published text: （一） stays （一） and “三公” keeps its quotes in the CSV and XLSX.

Figures are compared as Decimal strings with two decimals, as the portal stores them.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from disclosures.exports.csv import table_columns
from tests.conftest import FIXTURES, read


def reader():
    """(detect, read_workbook, get_format, default_format) of the reader, wherever it lives.

    The reader is moving from disclosures/importer.py and disclosures/formats/ to the package
    disclosures/ingest/; the new place is tried first."""
    try:
        from disclosures.ingest import read_workbook
        from disclosures.ingest.detect import detect
        from disclosures.ingest.formats import default_format, get_format
    except ImportError:
        from disclosures.formats import default_format, get_format
        from disclosures.formats.detect import detect
        from disclosures.importer import read_workbook
    return detect, read_workbook, get_format, default_format


def recognise(handle, kind):
    """The format of a workbook, recognised from its tables as an upload does: not named.

    A workbook holding only tables that two formats share (the constructed 2024 budgets hold 9 and 2
    of the 18 tables, which liaoning-budget-17 has too) can fit both equally; the staff upload reads
    such a workbook with the kind's default format (services._upload_format), and so does this."""
    detect, _read_workbook, _get_format, default_format = reader()
    detection = detect(handle, kind)
    handle.seek(0)
    if detection.refused:
        detection = detect(handle, kind, default_format(kind).code, "默认表式")
        handle.seek(0)
        assert detection.outcome == "settled", detection.reason
    assert not detection.refused, detection.reason
    return detection.format


def read_back(content, kind, source):
    """(format, what the reader read) of a downloaded workbook, read without naming its format.

    The download must be recognised as the workbook it came from is: it may not look like another format."""
    _detect, read_workbook, _get_format, _default_format = reader()
    with open(source, "rb") as original:
        expected = recognise(original, kind)
    handle = io.BytesIO(content)
    fmt = recognise(handle, kind)
    assert fmt.code == expected.code, f"the source reads as {expected.code}, the download as {fmt.code}"
    return fmt, read_workbook(handle, fmt)


@dataclass(frozen=True)
class Seed:
    id: str
    file: str
    format: str
    kind: str
    year: int
    region: str
    department: str
    approved_on: datetime.date
    published_on: datetime.date


# Dates as tests/fixtures/README.md gives them (the seeds carry none).
SEEDS = [
    Seed("seed000-2025-budget", "seed000_budget_2025.xlsx", "liaoning-budget-18", "budget", 2025, "辽宁省",
         "辽宁省互联网技术支撑中心", datetime.date(2025, 1, 24), datetime.date(2025, 2, 8)),
    Seed("seed004-2025-budget", "seed004_budget_2025.xlsx", "liaoning-budget-18", "budget", 2025, "辽宁省/抚顺市",
         "抚顺市工业和信息化局", datetime.date(2025, 2, 10), datetime.date(2025, 2, 26)),
    Seed("seed004-2024-budget", "seed004_budget_2024.xlsx", "liaoning-budget-18", "budget", 2024, "辽宁省/抚顺市",
         "抚顺市工业和信息化局", datetime.date(2024, 1, 26), datetime.date(2024, 2, 20)),
    Seed("seed003-2024-hebei-budget", "seed003_budget_2024.xlsx", "hebei-county-budget", "budget", 2024,
         "河北省/石家庄市/栾城区", "224网信办", datetime.date(2024, 1, 20), datetime.date(2024, 2, 2)),
    Seed("seed002-2024-final-accounts", "seed002_final_accounts_2024.xlsx", "liaoning-final-accounts-9",
         "final_accounts", 2024, "辽宁省", "辽宁省数据局", datetime.date(2025, 8, 25), datetime.date(2025, 9, 10)),
    Seed("seed002-2024-budget", "seed002_budget_2024.xlsx", "liaoning-budget-18", "budget", 2024, "辽宁省",
         "辽宁省数据局", datetime.date(2024, 1, 20), datetime.date(2024, 2, 5)),
    Seed("shenyang-2023-17-tables", "shenyang_budget17_2023.xlsx", "liaoning-budget-17", "budget", 2023,
         "辽宁省/沈阳市", "沈阳市某局", datetime.date(2023, 2, 1), datetime.date(2023, 2, 10)),
]  # fmt: skip
FINAL_ACCOUNTS = next(seed for seed in SEEDS if seed.kind == "final_accounts")


def publish(seed):
    """Import the seed's workbook with its format and publish it, as the import command does."""
    from disclosures.services import import_disclosure

    _detect, _read_workbook, get_format, _default_format = reader()
    result, outcomes, _sections = read(FIXTURES / seed.file, fmt=get_format(seed.format))
    return import_disclosure(
        result, region_path=seed.region, department_name=seed.department, year=seed.year, kind=seed.kind,
        approved_on=seed.approved_on, published_on=seed.published_on, source_file=seed.file, outcomes=outcomes,
        accept_flags=True,  # the seeds were public before they came here
    )  # fmt: skip


@pytest.fixture(params=SEEDS, ids=[seed.id for seed in SEEDS])
def published(request, db):
    """(seed, its published version, stored tables by number, their rows by number)."""
    version = publish(request.param)
    tables = {table.number: table for table in version.tables.all()}
    rows = {number: list(table.rows.select_related("unit")) for number, table in tables.items()}
    return request.param, version, tables, rows


def download(client, name, version, **extra):
    url = reverse(f"exports:{name}", kwargs={"pk": version.disclosure_id, "number": version.number, **extra})
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def amount(value):
    return f"{Decimal(value):.2f}"


def figures(values):
    return {key: amount(value) for key, value in values.items()}


def exported_figures(rows, row, columns):
    """The figures a download writes on a row, by column: as stored, except on a form, where each row has those
    it prints, once (a block's first row repeats them when stored; disclosures.performance)."""
    if not is_form(rows) or row.kind == "indicator":
        return figures(row.values)
    return {column.key: column.figure(row) for column in columns if column.figure(row)}


def is_form(rows):
    return bool(rows) and "_grid" in rows[0].cells


def texts_of(row):
    """The published words a stored row holds: its name and every text cell (not the figures)."""
    out = [row.name] if row.name else []
    for key, value in row.cells.items():
        if key.startswith("_"):
            continue
        if key == "pairs":
            out += [text for pair in value for text in pair if text]
        elif isinstance(value, str) and value:
            out.append(value)
    return out


def csv_rows(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


# --- The workbook ---------------------------------------------------------------------------------


def test_the_workbook_reads_back_without_its_format_to_every_stored_table_row_and_figure(published, client):
    seed, version, tables, rows = published
    _fmt, result = read_back(download(client, "xlsx", version), seed.kind, FIXTURES / seed.file)
    assert [finding.message for finding in result.errors] == []
    assert sorted(result.tables, key=int) == sorted(tables, key=int)
    for number in tables:
        expected = [(row.kind, row.code, row.name, figures(row.values)) for row in rows[number]]
        got = [(row.kind, row.code, row.name, figures(row.values)) for row in result.tables[number].rows]
        assert got == expected, f"表{number} {tables[number].title}"


def test_the_workbook_holds_every_stored_word_as_published(published, client):
    _seed, version, tables, rows = published
    book = load_workbook(io.BytesIO(download(client, "xlsx", version)))
    assert len(book.worksheets) == len(tables)
    for sheet, (number, table) in zip(book.worksheets, tables.items()):  # one sheet per table, in order
        assert sheet["A1"].value == table.title
        cells = [cell for line in sheet.iter_rows(values_only=True) for cell in line if isinstance(cell, str)]
        exact = set(cells)
        for row in rows[number]:
            for text in texts_of(row):
                if is_form(rows[number]):
                    # A form row's name can be a long paragraph cut to the stored 500 characters.
                    assert any(text in cell for cell in cells), (number, text)
                else:
                    assert text in exact, (number, text)


# --- CSV and the Fiscal Data Package --------------------------------------------------------------


def test_each_table_csv_carries_every_stored_figure_once_in_its_row_and_column_and_the_text_as_published(
    published, client
):
    _seed, version, tables, rows = published
    archive = zipfile.ZipFile(io.BytesIO(download(client, "fdp", version)))
    resources = {r["name"]: r for r in json.loads(archive.read("datapackage.json"))["resources"]}
    for number, table in tables.items():
        lines = csv_rows(download(client, "table_csv", version, table_number=number))
        header, body = lines[0], lines[1:]
        assert header[:4] == ["编码", "名称", "级次", "单位编码"]
        # The CSV's columns are the data package's fields, titled as in the CSV (its level codes aside).
        fields = resources[f"table-{number}"]["schema"]["fields"]
        fields = [f for f in fields if not re.fullmatch(r"level\d_code", f["name"])]
        assert header == [f["title"] for f in fields], f"表{number}"
        column = {f["name"]: i for i, f in enumerate(fields)}
        numeric = [i for i, f in enumerate(fields) if f["type"] == "number"]
        text_columns = {f["name"] for f in fields if f["type"] == "string"}
        assert len(body) == len(rows[number]), f"表{number}"
        columns = table_columns(table, rows[number])
        for row, line in zip(rows[number], body):
            where = f"表{number} {row.code} {row.name}"
            stored = exported_figures(rows[number], row, columns)
            for key, value in stored.items():
                assert key in column, f"{where}: no column for {key}"
                assert line[column[key]] and Decimal(line[column[key]]) == Decimal(value), f"{where}: {key}"
            # Each figure once: no amount cell beyond the stored figures.
            assert sum(1 for i in numeric if line[i] != "") == len(stored), where
            assert line[0] == row.code, where
            if not is_form(rows[number]) or (row.kind == "indicator" and row.name):
                assert line[1] == row.name, where
                # Text columns hold the text as published (a figure column holds the figure: 100% is 100.00).
                for key in (k for k, v in row.cells.items() if isinstance(v, str) and k in text_columns):
                    assert line[column[key]] == row.cells[key], f"{where}: {key}"
            else:
                for text, *_span in row.cells["_grid"]:
                    assert text in line[1], f"{where}: {text}"


def test_the_data_package_carries_every_stored_figure_under_its_key(published, client):
    _seed, version, tables, rows = published
    archive = zipfile.ZipFile(io.BytesIO(download(client, "fdp", version)))
    descriptor = json.loads(archive.read("datapackage.json"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {f"table-{number}" for number in tables}
    for number in tables:
        resource = resources[f"table-{number}"]
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        records = list(csv.DictReader(io.StringIO(archive.read(resource["path"]).decode("utf-8"), newline="")))
        assert len(records) == len(rows[number]), f"表{number}"
        columns = table_columns(tables[number], rows[number])
        for row, record in zip(rows[number], records):
            where = f"表{number} {row.code} {row.name}"
            assert record["code"] == row.code, where
            stored = exported_figures(rows[number], row, columns)
            for key, value in stored.items():
                assert types.get(key) == "number", f"{where}: {key}"
                assert record[key] and Decimal(record[key]) == Decimal(value), f"{where}: {key}"
            assert sum(1 for key, kind in types.items() if kind == "number" and record[key] != "") == len(stored)
            if not is_form(rows[number]):
                assert record["name"] == row.name, where


# --- 公开06表: three panels side by side -------------------------------------------------------------


@pytest.mark.django_db
def test_the_34_figures_of_table06_are_in_every_download(client, tmp_path):
    version = publish(FINAL_ACCOUNTS)
    table = version.tables.get(number="6")
    stored = list(table.rows.all())
    assert sum(len(row.values) for row in stored) == 34
    by_code = {row.code: row for row in stored if row.code}

    # The workbook lays the panels out as printed: line 1 is 301 | 302 | 307.
    content = download(client, "xlsx", version)
    sheet = load_workbook(io.BytesIO(content))["表6 一般公共预算财政拨款基本支出决算表"]
    first = next(line for line in sheet.iter_rows(values_only=True) if line[0] == "301")
    assert first == ("301", "工资福利支出", 1981.47, "302", "商品和服务支出", 304.61, "307", "债务利息及费用支出", None)
    totals = next(line for line in sheet.iter_rows(values_only=True) if line[1] == "人员经费合计")
    assert totals[2] == 2362.06 and totals[4:6] == ("公用经费合计", 323.75)
    _fmt, result = read_back(content, "final_accounts", FIXTURES / FINAL_ACCOUNTS.file)
    assert sum(len(row.values) for row in result.tables["6"].rows) == 34
    assert [row.cells.get("_panel") for row in result.tables["6"].rows] == [row.cells["_panel"] for row in stored]

    # One CSV row per stored row: the panel's heading, then its 决算数, each figure once.
    lines = csv_rows(download(client, "table_csv", version, table_number="6"))
    assert lines[0] == ["编码", "名称", "级次", "单位编码", "分栏", "决算数"]
    assert sum(1 for line in lines[1:] if line[5]) == 34
    assert ["30101", "基本工资", "2", "", "人员经费", "491.50"] in lines
    assert ["31002", "办公设备购置", "2", "", "公用经费", "19.14"] in lines
    assert ["30213", "维修（护）费", "2", "", "公用经费", ""] in lines
    assert ["", "人员经费合计", "", "", "人员经费", "2362.06"] in lines
    assert ["", "公用经费合计", "", "", "公用经费", "323.75"] in lines

    archive = zipfile.ZipFile(io.BytesIO(download(client, "fdp", version)))
    records = list(csv.DictReader(io.StringIO(archive.read("table-6.csv").decode("utf-8"))))
    assert sum(1 for record in records if record["amount"]) == 34
    assert {r["code"]: r["amount"] for r in records if r["code"]} == {
        code: row.values.get("amount", "") for code, row in by_code.items()
    }
    measures = json.loads(archive.read("datapackage.json"))["model"]["measures"]
    assert measures["table-6-amount"]["direction"] == "expenditure"

    # Importing the portal's own workbook reads all 90 entries of the three panels, not 0.
    workbook = tmp_path / "决算.xlsx"
    workbook.write_bytes(content)
    out = io.StringIO()
    call_command(
        "import_disclosure", str(workbook), "--region", "辽宁省", "--department", "辽宁省往返测试局", "--year", "2024",
        "--kind", "final_accounts", "--approved-on", "2025-08-25", stdout=out,
    )  # fmt: skip
    assert re.search(r"表6 一般公共预算财政拨款基本支出决算表：90 行", out.getvalue()), out.getvalue()


# --- The published text ---------------------------------------------------------------------------

# Words printed with full-width punctuation or quotes, by seed and table, as the source workbook has them.
PUBLISHED_WORDS = [
    ("seed000-2025-budget", "1", "（一）事业收入"),
    ("seed000-2025-budget", "16", "“三公”经费变动率"),
    ("seed004-2025-budget", "17", "入选“工信部工业互联网试点示范项目”单位数量"),
    ("seed003-2024-hebei-budget", "9", "一、因公出国（境）费"),
    ("seed003-2024-hebei-budget", "10", "资金支出计划（%）"),
    ("seed002-2024-final-accounts", "6", "维修（护）费"),
    ("seed002-2024-final-accounts", "9", "其中:（1）公务用车运行维护费"),
    ("seed002-2024-final-accounts", "10", "“辽事通”上线事项"),
    ("seed002-2024-final-accounts", "10", "提高“一网通办”和“辽事通”服务水平，扩大事项办理覆盖面。"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("seed_id", "number", "words"), PUBLISHED_WORDS)
def test_full_width_punctuation_and_quotes_stay_as_published(seed_id, number, words, client):
    seed = next(s for s in SEEDS if s.id == seed_id)
    source = load_workbook(FIXTURES / seed.file, read_only=True)
    printed = {cell.strip() for sheet in source for line in sheet.iter_rows(values_only=True) for cell in line
               if isinstance(cell, str)}  # fmt: skip
    source.close()
    assert words in printed, "the source workbook prints these words"
    version = publish(seed)
    table = version.tables.get(number=number)
    assert any(words in texts_of(row) for row in table.rows.all()), "stored as printed"
    csv_text = download(client, "table_csv", version, table_number=number).decode("utf-8-sig")
    assert words in csv_text
    book = load_workbook(io.BytesIO(download(client, "table_xlsx", version, table_number=number)))
    assert any(cell == words for line in book.active.iter_rows(values_only=True) for cell in line)
    archive = zipfile.ZipFile(io.BytesIO(download(client, "fdp", version)))
    assert words in archive.read(f"table-{number}.csv").decode("utf-8")
