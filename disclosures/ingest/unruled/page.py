"""A page printed without table lines: its title-block lines, and each table (header, body; a form
line by line with its grids of indicators) as rows of cells."""

import re

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.titles import is_furniture_text
from disclosures.ingest.unruled.body import body_rows
from disclosures.ingest.unruled.columns import (
    carry, columns_of, join_numbered, numbered_columns, spaced_words, strips_of, within_spans,
)
from disclosures.ingest.unruled.header import blocks_of, has_below, header_grid
from disclosures.ingest.unruled.texts import TOTALS, texts_of
from disclosures.text import normalize

# "截止时间：2023-12-31", "编制日期：2024年1月": a date the table is as of, above its header.
DATED = re.compile(r"^[\u4e00-\u9fff]{2,6}[:：]\d{4}[-年./]\d{1,2}([-月./]\d{1,2}日?)?$")
COLUMN_UNIT = re.compile(r".+[（(][^（()）]*单位[:：][^（()）]*[)）]$")


def table_rows(header_lines, body_lines, page_number, carried=None):
    """(rows, merges, columns) for one table region of a page.

    `header_lines` and `body_lines` are lists of (index, chars); `carried` is the previous table's
    Columns, used when this part of a table has no header of its own (it carries on from a page before)."""
    header = [t for index, chars in header_lines for t in texts_of(chars, index)]
    body = [t for index, chars in body_lines for t in texts_of(chars, index)]
    spans = numbered_columns(body)
    if spans:
        header = within_spans(header, spans)
    blocks = blocks_of(header, join_numbered(strips_of(body), spans, body))
    leaves = [b for b in blocks if not has_below(b, blocks)]
    groups = [b for b in blocks if b not in leaves]
    body = spaced_words(body, leaves)
    if leaves:
        columns = columns_of(body, leaves, spans)
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


def is_title_block_line(texts, body_size):
    """A line above a table's header: its title (printed larger), 表N, 单位名称/单位, a date, a note."""
    joined = normalize("".join(t.text for t in texts))
    # A column's label may carry its unit in brackets ("价值（金额单位：万元）"): that is a header.
    furniture = [t for t in texts if is_furniture_text(t.text) and not COLUMN_UNIT.match(normalize(t.text))]
    if furniture or (len(texts) <= 2 and is_furniture_text(joined) and not COLUMN_UNIT.match(joined)):
        return True
    if re.match(r"^(注|备注|说明)[:：]", joined) or any(DATED.match(normalize(t.text)) for t in texts):
        return True
    return is_title(texts, body_size) or (len(texts) == 1 and bool(re.fullmatch(r"[（(]?\d{4}年度?[)）]?", joined)))


def is_title(texts, body_size):
    """A table's title: printed larger, or one text naming a table at the body's size (the second form
    printed on a sheet)."""
    if len(texts) == 1 and re.fullmatch(r"\S{3,}表", normalize(texts[0].text)):
        return True
    size = max(max(c["size"] for c in t.chars) for t in texts)
    return len(texts) <= 2 and size >= body_size * 1.15


def page_rows(lines, page_number, carried, as_line):
    """A page printed without table lines: (rows, merges, columns of its last table).

    `lines` are the page's printed lines (characters, top to bottom); title-block lines and text with no
    figures under it become rows through `as_line`, as on any page; each run of lines that ends in
    figures is a table (its header, then its body)."""
    texts = [texts_of(chars, i) for i, chars in enumerate(lines)]
    sizes = sorted(c["size"] for ts in texts for t in ts if t.is_number for c in t.chars)
    body_size = sizes[len(sizes) // 2] if sizes else 10
    furniture = [is_title_block_line(ts, body_size) for ts in texts]
    titles = [f and is_title(ts, body_size) for f, ts in zip(furniture, texts)]
    # A row of the body: figures, or a 合计 where rows are named (an empty table prints only that).
    figures = [any(t.is_number for t in ts) for ts in texts]
    for k, ts in enumerate(texts):
        # An empty table prints a lone 合计 under its header, then its note or the next title.
        if len(ts) == 1 and normalize(ts[0].text) in TOTALS and (k + 1 == len(texts) or furniture[k + 1]):
            figures[k] = True
    rows, merges = [], []
    i = 0
    while i < len(lines):
        if furniture[i]:
            rows.append(as_line(lines[i]))
            i += 1
            continue
        j = i
        while j < len(lines) and not furniture[j]:
            j += 1
        region = list(range(i, j))
        first = next((k for k in region if figures[k]), None)
        if first is None:
            rows.extend(_bare_header(region, lines, texts, page_number, as_line))
            i = j
            continue
        head = [k for k in region if k < first]
        above = head
        if carried is not None and len(blocks_of([t for k in head for t in texts[k]])) < 2:
            head = []  # a part carried on from the page before, its first row's name wrapped above it
        for n, (header, body) in enumerate(_parts(head, [k for k in region if k >= first or k not in head], texts, figures)):
            try:
                part_rows, part_merges, columns = table_rows(
                    [(k, lines[k]) for k in header], [(k, lines[k]) for k in body], page_number,
                    carried if not header else None,
                )
            except WorkbookUnreadable:
                own = sorted(set(header + body + (above if n == 0 else [])))
                if n == 0 and carried is not None and not any(titles[:i]):
                    # Lines above the page's first figures that are no header: the table of the page
                    # before carries on, its row wrapped over them (质量指标 | 全部或基本达成…).
                    try:
                        part_rows, part_merges, columns = table_rows([], [(k, lines[k]) for k in own], page_number, carried)
                    except WorkbookUnreadable:
                        part_rows = None
                else:
                    part_rows = None
                if part_rows is None:
                    # A form (项目名称 | …, 主管部门 | …), or a page that does not carry on the table before
                    # it: rows like the others, in the columns their own texts make; the form reader
                    # finds its labels by name.
                    part_rows, part_merges, columns = _form_rows(own, lines, texts, figures, page_number)
            offset = len(rows)
            rows.extend(part_rows)
            merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in part_merges)
            carried = columns
        i = j
    return rows, merges, carried


def _bare_header(region, lines, texts, page_number, as_line):
    """Lines with no figures under them: text, or the header of a table printed empty (政府采购 with
    nothing to buy), read as a header so that its labels stand in their columns and none is a row."""
    wide = [k for k in region if len(texts[k]) >= 3]
    if wide:
        head = [k for k in region if k <= wide[-1]]
        try:
            rows, _merges, _columns = table_rows([(k, lines[k]) for k in head], [], page_number)
        except WorkbookUnreadable:
            pass
        else:
            return rows + [as_line(lines[k]) for k in region if k > wide[-1]]
    return [as_line(lines[k]) for k in region]


def _form_rows(region, lines, texts, figures, page_number):
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
        inset = min((t.x0 for h in header for t in texts[h]), default=left)
        body, end = [], k
        while end < len(region) and (figures[region[end]] or texts[region[end]][0].x0 - left > size * 3) and not (
            texts[region[end]][0].x0 < min([inset] + [texts[b][0].x0 for b in body]) - size * 2
            and (figures[region[end]] or len(texts[region[end]]) > 1)
        ):
            body.append(region[end])
            end += 1
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


def _repeats(run, texts, labels):
    """Do these lines print the header again? Most of its labels, making most of what they print (a
    label printed once per panel counts each time)."""
    printed = normalize("".join(t.text for r in run for t in texts[r]))
    found = [label for label in labels if label and label in printed]
    covered, rest = 0, printed
    for label in sorted(found, key=len, reverse=True):
        covered += len(label) * rest.count(label)
        rest = rest.replace(label, "|")
    return len(labels) >= 2 and len(found) >= max(2, len(labels) * 0.6) and covered >= len(printed) * 0.6


def _parts(head, body, texts, figures):
    """The body split where its header is printed again (a long table repeats it on a new page or part)."""
    labels = {normalize(b.text) for b in blocks_of([t for k in head for t in texts[k]])}
    parts, header, current = [], head, []
    k = 0
    while k < len(body):
        run = []
        m = k
        while m < len(body) and not figures[body[m]]:
            run.append(body[m])
            m += 1
        # The header printed again heads the run of lines without figures (a wrapped name may follow it).
        size = next((n for n in range(len(run), 0, -1) if _repeats(run[:n], texts, labels)), 0)
        if size and current:
            parts.append((header, current))
            header, current = run[:size], list(run[size:])
            k = m
            continue
        current.extend(run or [body[k]])
        k = m if run else k + 1
    parts.append((header, current))
    return parts
