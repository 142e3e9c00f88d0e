"""The import path: how a workbook (or its printed PDF) becomes checked rows.

guard (open_upload: refuse broken or hostile files before any reader opens them) → workbook / pdf (sheets
or pages as grids of cells) → layout (where each table is) → titles (which table) → header (its columns as
printed) → roles (which column is which) → rows (each line's labels and figures) → identities (the
arithmetic that must hold). Format definitions (formats/) give the tables, roles and identities as data;
detect chooses the format that reads a file best.
"""

from disclosures.ingest.amounts import parse_amount, parse_figure
from disclosures.ingest.guard import Upload, WorkbookUnreadable, check_zip, open_upload
from disclosures.ingest.result import ColumnReading, Finding, ImportResult, ParsedRow, ParsedTable
from disclosures.ingest.workbook import load_sheets, read_sheets, read_workbook

__all__ = [
    "ColumnReading", "Finding", "ImportResult", "ParsedRow", "ParsedTable", "Upload", "WorkbookUnreadable",
    "check_zip", "load_sheets", "open_upload", "parse_amount", "parse_figure", "read_sheets", "read_workbook",
]
