"""The header block: where a table's column header is, and the columns it prints, as a tree.

The header starts at the first row below the title that carries a label the format knows for the
table, and runs down to the first row of figures, codes or a 合计 (or to a 栏次 row). Each column's
path is read through merged cells; the tree kept with the version is the workbook's own, so the page,
the PDF and every download show the table as the department approved it.
"""

import re
from dataclasses import dataclass

from disclosures.ingest.grid import Sheet, cell_text
from disclosures.text import normalize

CODE = re.compile(r"^\d{3,7}$")
TOTAL_LABELS = {"合计", "总计"}
# The row under a header that numbers the columns (决算 and Hebei tables print "栏次 | 1 | 2 …").
COLUMN_NUMBER_LABEL = "栏次"
MAX_HEADER_ROWS = 6


@dataclass
class HeaderColumn:
    col: int
    labels: list  # as printed (white space folded), outermost first
    anchors: list  # the merged cell each label stands in: (row, col)
    cell: str  # the cell its own label stands in (the top of a merged one), "D5"

    @property
    def path(self):
        from disclosures.ingest.roles import label_key

        return [label_key(label) for label in self.labels]


def is_data_row(sheet: Sheet, r: int, known=frozenset()):
    """A row of figures, a classification code, or a 合计 label where row labels stand."""
    cells = sheet.nonempty(r)
    others = {normalize(cell_text(v)) for _c, v in cells} & (known - TOTAL_LABELS)
    if _only_figures([normalize(cell_text(v)) for _c, v in cells]):
        return True
    for c, value in cells:
        text = normalize(cell_text(value))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if c < 2 and (CODE.match(text) or (text in TOTAL_LABELS and not others)):
            return True
        if re.fullmatch(r"-?[\d,]+\.\d+", text):
            return True
        # Whole amounts printed as text (元): grouped in thousands, or longer than any year or 栏次.
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+|-?\d{5,}", text):
            return True
    return False


def _only_figures(texts):
    """A row of whole figures printed as text ("12 | 12 | 12", perhaps with a remark): a row of the
    body, unless the figures number the columns (1 | 2 | 3) or are years."""
    figures = [t for t in texts if re.fullmatch(r"-?[\d,]+(\.\d+)?%?", t)]
    if not figures or (len(figures) < 2 and len(figures) < len(texts)):
        return False
    whole = [int(t) for t in figures if t.isdigit()]
    numbering = len(whole) == len(figures) and whole == list(range(whole[0], whole[0] + len(whole)))
    years = all(re.fullmatch(r"(19|20)\d{2}", t) for t in figures)
    return not numbering and not years


def find_header(sheet: Sheet, known: set, start: int):
    """Return (first_header_row, header_row_count) or (None, 0)."""
    for r in range(start, min(start + 8, len(sheet.grid))):
        texts = {normalize(cell_text(sheet.value(r, c, fill_merged=True))) for c in range(sheet.width)}
        if len(texts & known) >= min(2, len(known)) and not is_data_row(sheet, r, known):
            depth = 1
            while depth < MAX_HEADER_ROWS and r + depth < len(sheet.grid) and not is_data_row(sheet, r + depth, known):
                below = sheet.texts(r + depth)
                if COLUMN_NUMBER_LABEL in below:
                    break
                if not any(below) and not any((r + depth, c) in sheet.merged_from for c in range(sheet.width)):
                    break
                if _across_the_table(sheet, r + depth):
                    break  # "（空表）", "注：…": one cell over the whole table is a line under the header
                depth += 1
            # Rows above that group the columns without a known word (2024年预算数 | 2025年预算数, 金额).
            while r > start and _groups_columns(sheet, r - 1) and depth < MAX_HEADER_ROWS:
                r, depth = r - 1, depth + 1
            return r, depth
    return None, 0


def _groups_columns(sheet: Sheet, r):
    from disclosures.ingest.roles import YEAR_LABEL
    from disclosures.ingest.titles import is_furniture_text

    cells = sheet.nonempty(r)
    if not cells or is_data_row(sheet, r):
        return False
    texts = [cell_text(v) for _c, v in cells]
    if any(is_furniture_text(t) for t in texts):
        return False
    if any(YEAR_LABEL.match(normalize(t)) for t in texts):
        return True
    return any(sheet.spans.get((r, c), (1, 1))[1] > 1 for c, _v in cells) and len(cells) >= 2


def _across_the_table(sheet, r):
    cells = sheet.nonempty(r)
    if len(cells) != 1:
        return False
    c, value = cells[0]
    text = normalize(cell_text(value))
    spans_all = c <= 1 and sheet.spans.get((r, c), (1, 1))[1] >= max(2, int(sheet.width * 0.8))
    return spans_all or bool(
        re.match(r"^(\(空表\)|空表|无|注:|备注:)", text)
    )


def read_header(sheet: Sheet, first: int, depth: int) -> list[HeaderColumn]:
    """Every column with a header label, with its path through the header rows."""
    columns = []
    for c in range(sheet.width):
        labels, anchors = [], []
        for r in range(first, first + depth):
            anchor = sheet.merged_from.get((r, c), (r, c))
            text = " ".join(cell_text(sheet.value(*anchor)).split())
            if not text or (anchors and anchors[-1] == anchor) or (labels and normalize(labels[-1]) == normalize(text)):
                continue
            labels.append(text)
            anchors.append(anchor)
        if labels:
            columns.append(HeaderColumn(c, labels, anchors, sheet.ref(*anchors[-1])))
    return columns


def header_tree(columns: list[HeaderColumn], leaf_of):
    """The header as a column tree (dicts), in the sheet's order.

    `leaf_of(column)` gives the leaf node's dict (label, key, …); group nodes are the merged cells
    that stand over several columns."""
    tree = []
    open_groups = []  # [(anchor, node)] from the outermost down
    for column in columns:
        level = 0
        while (
            level < len(open_groups)
            and level < len(column.anchors) - 1
            and open_groups[level][0] == column.anchors[level]
        ):
            level += 1
        del open_groups[level:]
        siblings = open_groups[-1][1]["children"] if open_groups else tree
        for anchor, label in zip(column.anchors[level:-1], column.labels[level:-1]):
            node = {"label": label, "key": "", "children": []}
            siblings.append(node)
            open_groups.append((anchor, node))
            siblings = node["children"]
        siblings.append(leaf_of(column))
    return tree


def column_numbers(sheet: Sheet, r: int, keys: dict):
    """The 栏次 row: each leaf's printed number, "<" for a leaf under a cell merged from its left."""
    numbers = {}
    for c, key in keys.items():
        anchor = sheet.merged_from.get((r, c))
        if anchor is not None and anchor[0] == r:
            numbers[key] = "<"
        else:
            numbers[key] = cell_text(sheet.value(r, c))
    return numbers
