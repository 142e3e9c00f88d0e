"""The upload guard runs first, on every path: a file that inflates beyond reason is refused before anything
parses it, within a second, with a message in Chinese, and nothing is saved."""

import io
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from disclosures.ingest.guard import WorkbookUnreadable, formula_without_value
from disclosures.ingest.pdf import narrative_blocks, read_pdf
from disclosures.ingest.word import parse_docx
from disclosures.ingest.workbook import load_sheets
from disclosures.models import AuditEvent, Disclosure, Version
from tests.conftest import SEED004, upload_seed004
from tests.hostile_files import lying_xlsx, whitespace_bomb_docx, whitespace_bomb_pdf, whitespace_bomb_xlsx
from tests.test_bad_workbooks import assert_nothing_saved, run_import

BOMB = "文件解压后体积异常（疑似压缩炸弹），已拒绝。"
PDF_BOMB = "PDF 文件中的压缩内容解压后体积异常（疑似压缩炸弹），已拒绝。"
LYING = "文件已损坏：压缩包中记录的大小或校验值与实际内容不符，已拒绝。"
SECONDS = 2
MEMORY = 64 * 1024 * 1024  # the bombs inflate to 1 GiB; refusing one must not come near it


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Each hostile file about 1 MB on disk, 1 GiB of whitespace inside, built once for the module."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "xlsx": whitespace_bomb_xlsx(folder / "bomb.xlsx"),
        "docx": whitespace_bomb_docx(folder / "bomb.docx"),
        "pdf": whitespace_bomb_pdf(folder / "bomb.pdf"),
        "lying": lying_xlsx(folder / "lying.xlsx"),
    }


@pytest.mark.parametrize("kind", ["xlsx", "docx", "pdf"])
def test_each_bomb_is_a_small_upload_that_inflates_to_a_gibibyte(bombs, kind):
    """What the tests below refuse: about a megabyte on disk, well under the 20 MB upload limit."""
    assert bombs[kind].stat().st_size < 2 * 1024 * 1024
    data = bombs[kind].read_bytes()
    if kind == "pdf":
        start = data.index(b"stream\n") + len(b"stream\n")
        inflated = len(zlib.decompressobj().decompress(data[start:start + 64 * 1024], 0))
        assert inflated > 32 * 1024 * 1024  # 64 kB of the stream alone
    else:
        assert sum(info.file_size for info in zipfile.ZipFile(bombs[kind]).infolist()) > 1024**3


def timed(function, *args, **kwargs):
    """(result, seconds, peak bytes allocated by Python) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = function(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, seconds, peak


@pytest.mark.django_db
def test_the_import_command_refuses_the_workbook_bomb_at_once(bombs):
    (code, out), seconds, peak = timed(run_import, bombs["xlsx"])
    assert code == 1
    assert f"错误：{BOMB}" in out
    assert out.strip().endswith("共 1 个错误，未保存任何内容。")
    assert seconds < SECONDS and peak < MEMORY
    assert_nothing_saved()


@pytest.mark.django_db
def test_the_import_command_refuses_a_workbook_whose_zip_directory_understates_a_part(bombs):
    """The directory says the worksheet is 2 kB; it inflates to 64 MB. Declared sizes alone would pass it."""
    (code, out), seconds, peak = timed(run_import, bombs["lying"])
    assert code == 1
    assert f"错误：{LYING}" in out
    assert seconds < SECONDS and peak < MEMORY
    assert_nothing_saved()


@pytest.mark.django_db
def test_the_import_command_refuses_a_word_bomb_given_as_the_sections(bombs):
    with pytest.raises(CommandError) as refused:
        run_import(SEED004, sections=str(bombs["docx"]))
    assert str(refused.value) == f"无法读取 Word 文档 {bombs['docx']}：{BOMB}"
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_the_import_command_refuses_the_pdf_bomb(bombs):
    (code, out), seconds, peak = timed(run_import, bombs["pdf"])
    assert code == 1
    assert f"错误：{PDF_BOMB}" in out
    assert seconds < SECONDS and peak < MEMORY
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_pdf_bomb_that_calls_itself_an_image_is_held_to_the_size_cap(bombs, tmp_path):
    """An image may compress a thousandfold (a blank page), so images escape the ratio, never the cap."""
    path = tmp_path / "image.pdf"
    path.write_bytes(bombs["pdf"].read_bytes().replace(
        b"/Filter /FlateDecode >>\nstream\n", b"/Filter /FlateDecode /Subtype /Image >>\nstream \n", 1
    ))
    (code, out), seconds, peak = timed(run_import, path)
    assert code == 1 and f"错误：{PDF_BOMB}" in out
    assert seconds < SECONDS and peak < MEMORY
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_part_larger_than_the_setting_is_refused_though_the_whole_is_small(settings, tmp_path):
    """MAX_ZIP_MEMBER_BYTES caps each part: seed 004's largest worksheet is 31 kB."""
    settings.MAX_ZIP_MEMBER_BYTES = 16 * 1024
    code, out = run_import(SEED004)
    assert code == 1 and f"错误：{BOMB}" in out
    assert_nothing_saved()
    settings.MAX_ZIP_MEMBER_BYTES = 64 * 1024
    code, out = run_import(SEED004)
    assert code == 0 and out.strip().splitlines()[-1].startswith("draft: ")


@pytest.mark.django_db
def test_a_workbook_of_thousands_of_empty_parts_is_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(6000):
            archive.writestr(f"xl/media/part{number}.xml", b"")
    code, out = run_import(path)
    assert code == 1 and f"错误：{BOMB}" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_the_backfill_reports_the_bomb_as_failed(bombs, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "bomb.xlsx").write_bytes(bombs["xlsx"].read_bytes())
    index = tmp_path / "index.csv"
    index.write_text(
        "file,region,department,year,kind,approved_on,published_on\n"
        "bomb.xlsx,辽宁省/抚顺市,抚顺市工业和信息化局,2025,budget,2025-02-10,2025-02-20\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    start = time.perf_counter()
    call_command("backfill", str(folder), "--index", str(index), "--no-progress", stdout=out)
    assert time.perf_counter() - start < SECONDS
    assert f"失败：bomb.xlsx {BOMB}" in out.getvalue()
    assert not Disclosure.objects.exists()


def _upload_file(path, name, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, path.read_bytes(), content_type=content_type)


@pytest.mark.parametrize("kind, message", [("xlsx", BOMB), ("lying", LYING), ("pdf", PDF_BOMB)])
def test_the_staff_upload_refuses_a_bomb_at_once(client, staff, bombs, kind, message):
    client.force_login(staff.editor_a)
    name = "批复表.pdf" if kind == "pdf" else "批复表.xlsx"
    upload = _upload_file(bombs[kind], name)
    start = time.perf_counter()
    response = client.post(
        reverse("staff_upload", args=[staff.department_a.pk]),
        {"year": 2025, "kind": "budget", "approved_on": "2025-02-01", "workbook": upload},
    )
    assert time.perf_counter() - start < SECONDS
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Disclosure.objects.exists() and not Version.objects.exists()


@pytest.mark.parametrize("kind, name", [("docx", "说明.docx"), ("pdf", "说明.pdf")])
def test_the_word_sections_import_refuses_a_bomb_at_once(client, staff, bombs, kind, name):
    version = upload_seed004(staff)
    sections_before = {s.key: s.body for s in version.sections.all()}
    client.force_login(staff.editor_a)
    start = time.perf_counter()
    response = client.post(
        reverse("staff_sections_from_word", args=[version.pk]), {"document": _upload_file(bombs[kind], name)}
    )
    assert time.perf_counter() - start < SECONDS
    page = response.content.decode()
    assert (BOMB if kind == "docx" else PDF_BOMB) in page
    assert "预览：" not in page
    assert {s.key: s.body for s in version.sections.all()} == sections_before
    assert not AuditEvent.objects.filter(action="import_sections").exists()
    # Nothing waits to be confirmed either.
    again = client.post(reverse("staff_sections_from_word", args=[version.pk]), {"confirm": "1"}, follow=True)
    assert "预览已过期，请重新上传 Word 文档。" in again.content.decode()


@pytest.mark.parametrize(
    "reader, kind",
    [
        (load_sheets, "xlsx"),
        (formula_without_value, "xlsx"),
        (parse_docx, "docx"),
        (load_sheets, "pdf"),
        (read_pdf, "pdf"),
        (narrative_blocks, "pdf"),
    ],
)
def test_every_reader_guards_the_file_before_it_parses_it(bombs, reader, kind):
    """Called directly, with a file no caller guarded: each reader starts with the guard."""
    extra = (None,) if reader is parse_docx else ()  # the format is not needed to refuse
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with open(bombs[kind], "rb") as handle, pytest.raises(WorkbookUnreadable) as refused:
            reader(handle, *extra)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert str(refused.value) == (PDF_BOMB if kind == "pdf" else BOMB)
    assert seconds < SECONDS and peak < MEMORY
