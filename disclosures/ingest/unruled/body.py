"""The body of a table printed without lines: each column's lines grouped into cells centred on
the rows' figure lines."""

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.unruled.texts import cell_text, position, unplaced

MAX_WRAP = 12  # lines one cell may wrap over


def body_rows(body, columns, page_number, strict=False):
    """The body's cells: each column's texts grouped into cells centred on the rows' figure lines."""
    if not body:
        return []
    anchors = {}  # line -> centre of the row printed on it
    for t in body:
        if t.is_number:
            anchors.setdefault(t.line, []).append(t.cy)
    centre = {line: sum(ys) / len(ys) for line, ys in anchors.items()}
    pieces = {}  # (column, line) -> texts
    for t in body:
        k = columns.of(t)
        if k is None:
            raise unplaced(page_number, t)
        pieces.setdefault((k, t.line), []).append(t)
    if strict:
        for texts in pieces.values():
            texts.sort(key=lambda t: t.x0)
            for a, b in zip(texts, texts[1:]):
                if b.x0 - a.x1 > 1.5 * max(c["size"] for c in b.chars):
                    # Two texts printed apart in one column: the header's columns are not this body's.
                    raise WorkbookUnreadable(
                        f"PDF 第 {page_number} 页位置 {position(b)} 处的“{a.text[:10]}”与“{b.text[:10]}”"
                        "落在同一列，无法分清各列。"
                    )
    cells = {}  # (row key, column) -> [texts]
    for k in range(len(columns.strips)):
        column = [sorted(pieces[(c, line)], key=lambda t: t.x0) for (c, line) in sorted(pieces) if c == k]
        extent = (min(t.x0 for line in column for t in line), max(t.x1 for line in column for t in line)) if column else (0, 0)
        for key, group in _cells_of_column(column, centre, extent):
            cells.setdefault((key, k), []).extend(group)
    keys = sorted({key for key, _k in cells})
    rows = []
    for key in keys:
        row = [None] * len(columns.strips)
        for k in range(len(columns.strips)):
            if (key, k) in cells:
                row[k] = cell_text(cells[(key, k)])
        rows.append(row)
    return rows


def _full(line, strip, size):
    """Does this line of a cell reach across its column, as a line that wraps must?"""
    x0, x1 = min(t.x0 for t in line), max(t.x1 for t in line)
    slack = size * (4 if line[-1].text[-1:].isascii() else 1.6)
    return x1 >= strip[1] - slack or x1 - x0 >= strip[1] - strip[0] - slack


def _cells_of_column(column, centre, strip):
    """Partition one column's lines (top to bottom) into cells, each centred on a row's figure line.

    Returns [(row key, texts)]: the key is the row's line (as a number, for ordering), or the line of a
    text centred on no row, which becomes a row of its own."""
    n = len(column)
    size = max((max(c["size"] for c in t.chars) for line in column for t in line), default=10)
    tolerance = max(2.0, size * 0.35)
    best = [None] * (n + 1)  # best[i] = (cost, choice) for the first i lines
    best[0] = (0.0, None)
    for j in range(1, n + 1):
        for i in range(max(0, j - MAX_WRAP), j):
            if best[i] is None:
                continue
            group = column[i:j]
            lines = {line[0].line for line in group}
            top = min(t.top for line in group for t in line)
            bottom = max(t.bottom for line in group for t in line)
            mid = (top + bottom) / 2
            fixed = [line for line in lines if line in centre]
            if len(fixed) > 1:
                continue
            if not all(_full(line, strip, size) for line in group[:-1]):
                continue  # only a line that fills its column wraps on to the next
            if any(
                min(t.top for t in b) - max(t.bottom for t in a) > size * 0.8 for a, b in zip(group, group[1:])
            ):
                continue  # and the lines of one cell follow each other at the font's line spacing
            if fixed:
                row = fixed[0]
            else:
                row = min(centre, key=lambda line: abs(centre[line] - mid), default=None)
            if row is not None and abs(centre[row] - mid) <= tolerance:
                cost = best[i][0] + abs(centre[row] - mid) / 100
                choice = (i, row)
            elif not fixed and j - i == 1:
                cost = best[i][0] + 1  # a line on its own: a row without figures
                choice = (i, group[0][0].line + 0.5)
            else:
                continue
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, choice)
    if best[n] is None:
        return [(line[0].line + 0.5, line) for line in column]
    out = []
    j = n
    while j > 0:
        i, key = best[j][1]
        out.append((key, [t for line in column[i:j] for t in line]))
        j = i
    out.reverse()
    # One row, one cell: lines of a column grouped to the same row join.
    return out
