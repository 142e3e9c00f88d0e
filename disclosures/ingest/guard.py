"""The workbook guard: what is refused before any cell is read, on the command line and in the browser alike.

An .xlsx is a zip: a broken file, a file that is not a workbook, and a zip bomb are refused here. openpyxl
reads cached results (data_only=True), so a workbook saved by a program that writes formulas without their
results would read as blank cells, an upload of "all zeros" that looks valid: it is refused too, naming the
worksheet and the cell as Excel shows them.
"""

import posixpath
import re
import zipfile
from xml.etree.ElementTree import fromstring, iterparse

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SHEET_PATH = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class WorkbookUnreadable(Exception):
    pass


def _rewind(source):
    if hasattr(source, "seek"):
        source.seek(0)


def check_zip(source):
    """Refuse files that are not xlsx zips, or that would inflate beyond reason (zip bombs)."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names:
                raise WorkbookUnreadable("文件不是 Excel 工作簿（.xlsx）。")
            total = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
                raise WorkbookUnreadable("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
    except zipfile.BadZipFile:
        raise WorkbookUnreadable("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。") from None
    finally:
        _rewind(source)


def _sheet_titles(archive):
    """worksheet part path -> the sheet's name as Excel shows it on its tab."""
    try:
        book = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SyntaxError):
        return {}
    targets = {}
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
    return {targets.get(s.get(f"{REL_NS}id"), ""): s.get("name", "") for s in book.iter(f"{NS}sheet")}


def formula_without_value(source) -> str | None:
    """The first formula cell with no cached value, as "工作表“表3”的 B7", or None."""
    try:
        with zipfile.ZipFile(source) as archive:
            titles = _sheet_titles(archive)
            for name in sorted(n for n in archive.namelist() if SHEET_PATH.match(n)):
                with archive.open(name) as stream:
                    for _event, element in iterparse(stream):
                        if element.tag == f"{NS}c":
                            formula = element.find(f"{NS}f")
                            value = element.find(f"{NS}v")
                            # An empty <v/> is a missing result, except for a formula whose result is
                            # the empty string (t="str").
                            empty = value is None or (not (value.text or "").strip() and element.get("t") != "str")
                            if formula is not None and empty:
                                sheet = titles.get(name) or name.rsplit("/", 1)[-1]
                                return f"工作表“{sheet}”的 {element.get('r', '')}"
                            element.clear()
    except (zipfile.BadZipFile, OSError, SyntaxError):
        return None  # the reader reports an unreadable file itself
    finally:
        _rewind(source)
    return None


def refusal(source) -> str | None:
    """Why the workbook is refused before reading (in Chinese, for staff), or None when it may be read.

    A PDF is checked by its reader (no text layer, damaged, too many pages)."""
    from disclosures.ingest.pdf import is_pdf

    if is_pdf(source):
        return None
    try:
        check_zip(source)
    except WorkbookUnreadable as exc:
        return str(exc)
    cell = formula_without_value(source)
    if cell:
        return f"工作簿中的公式没有计算结果（{cell}）。请在 Excel 中打开、保存后再上传，或将公式粘贴为数值。"
    return None
