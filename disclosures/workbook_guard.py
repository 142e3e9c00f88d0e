"""Checks on an uploaded workbook that the importer's reading cannot see.

openpyxl reads cached results (data_only=True). A workbook saved by a program that writes formulas
without their results (some generators do) would read as blank cells: an upload of "all zeros" that
looks valid. So refuse a workbook whose formula cells carry no cached value, naming the first cell.
"""

import re
import zipfile
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET_PATH = re.compile(r"^xl/worksheets/sheet\d+\.xml$")


def formula_without_value(source) -> str | None:
    """The first formula cell with no cached value, as "sheetN.xml!B7", or None."""
    try:
        with zipfile.ZipFile(source) as archive:
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
                                return f"{name.rsplit('/', 1)[-1]}!{element.get('r', '')}"
                            element.clear()
    except (zipfile.BadZipFile, OSError, SyntaxError):
        return None  # the importer reports an unreadable file itself
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return None
