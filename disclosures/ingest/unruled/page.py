"""A page printed without table lines: its title-block lines, and each table on it (a header and its
body, the header printed again, a table carried on from the page before, a form) as rows of cells."""

import re

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.titles import DATE_LINE, is_furniture_text
from disclosures.ingest.unruled.form import form_rows
from disclosures.ingest.unruled.header import blocks_of
from disclosures.ingest.unruled.table import table_rows
from disclosures.ingest.unruled.texts import TOTALS, texts_of
from disclosures.text import normalize

# "截止时间：2023-12-31", "编制日期：2024年1月": a date the table is as of, above its header.
DATED = re.compile(rf"[\u4e00-\u9fff]{{2,6}}[:：]{DATE_LINE.pattern}")
COLUMN_UNIT = re.compile(r".+[（(][^（()）]*单位[:：][^（()）]*[)）]$")


def is_title_block_line(texts, body_size):
    """A line above a table's header: its title (printed larger), 表N, 单位名称/单位, a date, a note."""
    joined = normalize("".join(t.text for t in texts))
    # A column's label may carry its unit in brackets ("价值（金额单位：万元）"): that is a header.
    furniture = [t for t in texts if is_furniture_text(t.text) and not COLUMN_UNIT.match(normalize(t.text))]
    if furniture or (len(texts) <= 2 and is_furniture_text(joined) and not COLUMN_UNIT.match(joined)):
        return True
    if re.match(r"^(注|备注|说明)[:：]", joined) or any(DATED.fullmatch(normalize(t.text)) for t in texts):
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
        if ts and normalize("".join(t.text for t in ts)) in TOTALS and (k + 1 == len(texts) or furniture[k + 1]):
            figures[k] = True
    joined = _wrapped_title_lines(texts, furniture, figures)
    for ks in joined.values():
        for k in ks:
            furniture[k] = True
    absorbed = {k for ks in joined.values() for k in ks}
    rows, merges = [], []
    i = 0
    while i < len(lines):
        if furniture[i]:
            if i not in absorbed:
                rows.append(as_line(sorted(lines[i] + [c for k in joined.get(i, ()) for c in lines[k]],
                                           key=lambda c: c["x0"])))
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
        earlier = []  # body lines of the parts above, under the same header
        known = _labels(head, texts) or (carried.labels if carried is not None and not head else frozenset())
        parts = _parts(head, [k for k in region if k >= first or k not in head], texts, figures, known)
        for n, (header, body) in enumerate(parts):
            try:
                part_rows, part_merges, columns = table_rows(
                    [(k, lines[k]) for k in header], [(k, lines[k]) for k in body], page_number,
                    carried if not header else None, [(k, lines[k]) for k in earlier] if n else (),
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
                    part_rows, part_merges, columns = form_rows(own, lines, texts, figures, page_number)
            if columns is not None and header:
                columns.labels = _labels(header, texts)
            elif columns is not None and carried is not None and not columns.labels:
                columns.labels = carried.labels  # for the header printed again on the next page
            earlier.extend(body)
            offset = len(rows)
            rows.extend(part_rows)
            merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in part_merges)
            carried = columns
        i = j
    return rows, merges, carried


def _wrapped_title_lines(texts, furniture, figures):
    """Title-block lines printed as one row of the sheet with a text of it wrapped onto a line of its own
    ("单位名称：抚顺市……本" over "级", a page fitted to a wide table printing its cells narrow): {first
    line: the lines joined to it}.

    A wrapped text's next line starts where it starts, under it, at the pitch of its lines; what tells it
    from a header label under the title block is the habit of every print that a cell is centred
    vertically in its row: another title-block text of that row stands between the two lines, its
    middle at theirs."""
    joined = {}
    for k, line in enumerate(texts):
        if furniture[k] or figures[k] or len(line) != 1 or not k:
            continue
        tail = line[0]
        size = max(c["size"] for c in tail.chars)
        between = []
        j = k - 1
        while j >= 0 and furniture[j] and j not in joined:
            head = next((t for t in texts[j] if abs(t.x0 - tail.x0) <= size / 2 and tail.x1 <= t.x1 + size / 2), None)
            if head is not None and tail.top - head.top <= 2 * size:
                middle = (head.top + tail.bottom) / 2
                beside = [t for n in between for t in texts[n]] + [t for t in texts[j] if t is not head]
                if beside and all(abs(t.cy - middle) <= size / 4 and (t.x0 >= head.x1 or t.x1 <= head.x0)
                                  for t in beside):
                    joined[j] = between + [k]
                break
            between.insert(0, j)
            j -= 1
    return joined


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


def _labels(head, texts):
    """The labels of a header's lines, as printed (normalized)."""
    return frozenset(normalize(b.text) for b in blocks_of([t for k in head for t in texts[k]]))


def _parts(head, body, texts, figures, labels):
    """The body split where its header is printed again (a long table repeats it on a new page or part;
    `labels` are its header's, printed on this page or on the page where the table began)."""
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
        # It ends at its last line of labels: the lines after it are a first row's name wrapped above
        # its figures.
        while size and not any(normalize(t.text) in label for t in texts[run[size - 1]] for label in labels):
            size -= 1
        if size and current:
            parts.append((header, current))
            header, current = run[:size], list(run[size:])
            k = m
            continue
        current.extend(run or [body[k]])
        k = m if run else k + 1
    parts.append((header, current))
    return parts
