"""A form printed without lines (绩效目标表, 绩效自评表): lines of labels and values, with grids of
indicators inside read as tables with their headers."""

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.unruled.table import table_rows


def form_rows(region, lines, texts, figures, page_number):
    """A form (绩效目标表, 绩效自评表): label and value lines, with grids of indicators inside.

    A grid is a line of four or more labels (and the lines of labels right above it) over two or more
    lines of figures, down to the next line without figures that starts at the form's left edge; it is
    read as a table with its header. The rest is read line by line in the columns all of it shares."""
    left = min(texts[k][0].x0 for k in region if texts[k])
    size = max((c["size"] for k in region for t in texts[k] for c in t.chars), default=10)
    segments, plain, k = [], [], 0
    while k < len(region):
        start = k
        while k < len(region) and not figures[region[k]] and len(texts[region[k]]) >= 2:
            k += 1
        header = region[start:k]
        # A grid set in from the form's edge ends at a line of the form that starts at the edge, left of
        # its own header and rows (指标自评得分小计 | 90 | …); a lone label there (绩效指标) stands beside it.
        # Its first row is that line only where it starts nearer the edge than the header: the texts
        # of a grid's first column may start left of their centred label (履职效能 under 一级指标).
        inset = min((t.x0 for h in header for t in texts[h]), default=left)
        body, end = [], k
        while end < len(region) and (figures[region[end]] or texts[region[end]][0].x0 - left > size * 3) and not (
            texts[region[end]][0].x0 < min([inset] + [texts[b][0].x0 for b in body if figures[b]]) - size * 2
            and (figures[region[end]] or len(texts[region[end]]) > 1)
            and (body or texts[region[end]][0].x0 - left < inset - texts[region[end]][0].x0)
        ):
            body.append(region[end])
            end += 1
        # Where a line of the form ends it, a line of two texts or more after its last row of figures is
        # the form's too (年初总体目标 | 全年完成情况), and what follows it; a name wrapped below its row's
        # figures is one text. A grid that runs to the end of the page carries on: its last lines are
        # its rows' wrapped texts.
        last = max((n for n, b in enumerate(body) if figures[b]), default=len(body))
        after = next((n for n in range(last + 1, len(body)) if len(texts[body[n]]) >= 2), None)
        if end == len(region):
            after = None
        if after is not None:
            end -= len(body) - after
            body = body[:after]
        if header and max(len(texts[h]) for h in header) >= 4 and sum(figures[b] for b in body) >= 2:
            k = end
            segments.append(("plain", plain))
            segments.append(("grid", (header, body)))
            plain = []
            continue
        plain.extend(header)
        if k < len(region):
            plain.append(region[k])
            k += 1
    segments.append(("plain", plain))
    shared = [line for kind, part in segments if kind == "plain" for line in part]
    _, _, columns = table_rows([], [(k, lines[k]) for k in shared], page_number)
    rows, merges, last = [], [], columns
    for kind, part in segments:
        if not part:
            continue
        if kind == "grid":
            part_rows, part_merges, last = _grid_rows(part[0], part[1], lines, texts, page_number, columns)
        else:
            part_rows, part_merges, _ = table_rows([], [(k, lines[k]) for k in part], page_number, columns)
            if any(figures[k] for k in part):
                last = columns  # (a label left of a grid, 绩效指标, printed after its rows does not end it)
        offset = len(rows)
        rows.extend(part_rows)
        merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in part_merges)
    # A grid that ends the page carries on to the next in its own columns.
    return rows, merges, last


def _grid_rows(header, body, lines, texts, page_number, columns):
    """A form's grid of indicators under its header. The header is the lines of labels right above the
    figures; lines above it that are not part of it (年度目标 | 年初总体目标 | 全年完成情况) are the
    form's own lines, read in its columns."""
    for start in range(len(header)):
        if max(len(texts[k]) for k in header[start:]) < 4:
            break
        try:
            grid_rows, grid_merges, grid_columns = table_rows(
                [(k, lines[k]) for k in header[start:]], [(k, lines[k]) for k in body], page_number
            )
        except WorkbookUnreadable:
            continue
        rows, merges = [], []
        if start:
            rows, merges, _ = table_rows([], [(k, lines[k]) for k in header[:start]], page_number, columns)
        offset = len(rows)
        rows.extend(grid_rows)
        merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in grid_merges)
        return rows, merges, grid_columns
    return table_rows([], [(k, lines[k]) for k in header + body], page_number)
