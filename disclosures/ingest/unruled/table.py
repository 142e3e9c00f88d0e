"""One table printed without lines, from the lines of its header and of its body: rows and merged
cells, as a worksheet would give them."""

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.unruled.body import body_rows
from disclosures.ingest.unruled.columns import (
    carry, columns_of, join_numbered, numbered_columns, spaced_totals, spaced_words, strips_of, within_spans,
)
from disclosures.ingest.unruled.header import blocks_of, has_below, header_grid
from disclosures.ingest.unruled.texts import texts_of


def table_rows(header_lines, body_lines, page_number, carried=None, above=()):
    """(rows, merges, columns) for one table region of a page.

    `header_lines` and `body_lines` are lists of (index, chars); `carried` is the previous table's
    Columns, used when this part of a table has no header of its own (it carries on from a page before).
    `above` are the body lines of the parts of this table printed above on the page, when its header is
    printed again: the columns are those of the figures under both headers."""
    header = [t for index, chars in header_lines for t in texts_of(chars, index)]
    body = spaced_totals([t for index, chars in body_lines for t in texts_of(chars, index)])
    spans = numbered_columns(body)
    if spans:
        header = within_spans(header, spans)
    earlier = [t for index, chars in above for t in texts_of(chars, index)]
    blocks = blocks_of(header, join_numbered(strips_of(body), spans, body))
    leaves = [b for b in blocks if not has_below(b, blocks)]
    groups = [b for b in blocks if b not in leaves]
    body = spaced_words(body, leaves)
    if leaves:
        columns = columns_of(body + spaced_words(earlier, leaves), leaves, spans)
    elif carried is not None:
        columns = carry(carried, body)
    else:
        columns = columns_of(body, [])
    if not columns.strips:
        return [], [], columns
    labelled = {columns.of(b) for b in blocks}
    if leaves and len(columns.strips) - len(labelled) > max(1, len(columns.strips) // 2):
        # Most columns with no label over them: the lines above are no header (a form's 名称 | value).
        raise WorkbookUnreadable(f"PDF 第 {page_number} 页的表头只覆盖了少数几列。")
    rows, merges = header_grid(blocks, leaves, groups, columns, header, body, page_number)
    rows.extend(body_rows(body, columns, page_number, strict=bool(blocks)))
    return rows, merges, columns
