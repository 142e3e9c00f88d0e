"""Where the tables are: one per sheet, several on one sheet one below another, or one over two sheets.

A table starts at a title row (a lone label that names one of the format's tables) whose header follows
within a few lines of title-block furniture (表N, 部门名称, 单位). Rows before the first title of a sheet
are a continuation of the table read just before it (a printed page that carried on), or nothing.
"""

from dataclasses import dataclass

from disclosures.ingest.grid import Sheet
from disclosures.ingest.header import find_header, is_data_row
from disclosures.ingest.roles import roles_for
from disclosures.ingest.titles import TABLE_NUMBER, is_furniture_text, title_row_hits
from disclosures.ingest.grid import cell_text
from disclosures.text import normalize

TITLE_BLOCK_ROWS = 6


@dataclass
class Block:
    sheet: Sheet  # the rows of this block only
    titled: bool  # False: rows before the sheet's first title (a continuation, a cover, or nothing)


def _title_starts(sheet: Sheet, fmt):
    """Row indexes where a table's title block begins."""
    starts = []
    r = 0
    while r < len(sheet.grid):
        hits = title_row_hits(fmt, sheet, r)
        if hits and _header_follows(sheet, r, [d for d, _s, _t in hits]):
            start = r
            # A "表N" line just above the title belongs to the same block.
            while start > 0 and _is_number_line(sheet, start - 1) and (not starts or start - 1 > starts[-1]):
                start -= 1
            starts.append(start)
            r += 2
            continue
        r += 1
    return starts


def _is_number_line(sheet, r):
    cells = sheet.nonempty(r)
    return bool(cells) and all(
        TABLE_NUMBER.match(normalize(cell_text(v))) or is_furniture_text(cell_text(v)) for _c, v in cells
    )


def _is_title_block_line(sheet, r):
    """表N, 部门名称, 单位, 预算年度, or a department's name alone: a short line of text, no figures."""
    cells = sheet.nonempty(r)
    return _is_number_line(sheet, r) or (
        len(cells) <= 2 and not any(isinstance(v, (int, float)) for _c, v in cells) and not is_data_row(sheet, r)
    )


def _header_follows(sheet, r, definitions):
    """Is a header of one of these tables within the title block below row r?"""
    for definition in definitions:
        if definition.rows == "form":
            return True
        known = roles_for(definition).known_labels
        first, _depth = find_header(sheet, known, r + 1)
        if first is None or first > r + TITLE_BLOCK_ROWS:
            continue
        between = range(r + 1, first)
        if all(sheet.is_blank(x) or _is_title_block_line(sheet, x) for x in between):
            return True
    return False


def blocks(sheet: Sheet, fmt):
    """The sheet cut into blocks at each table's title; a sheet with one title is one block."""
    starts = _title_starts(sheet, fmt)
    if len(starts) <= 1:
        return [Block(sheet, True)]
    found = []
    if any(not sheet.is_blank(r) for r in range(0, starts[0])):
        found.append(Block(sheet.slice(0, starts[0]), False))
    for start, end in zip(starts, [*starts[1:], len(sheet.grid)]):
        found.append(Block(sheet.slice(start, end), True))
    return found
