"""A page printed without table lines: its title-block lines, and each table on it (a header and its
body, the header printed again, a table carried on from the page before, a form) as rows of cells."""

import re

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.titles import DATE_LINE, is_furniture_text
from disclosures.ingest.unruled.form import form_rows
from disclosures.ingest.unruled.header import blocks_of
from disclosures.ingest.unruled.table import table_rows
from disclosures.ingest.unruled.texts import TOTALS, median_size, texts_of
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


def _body_size(texts):
    """The size of a page's figures (its body text, where it prints none): a title is printed larger."""
    figures = [c for ts in texts for t in ts if t.is_number for c in t.chars]
    return median_size(figures or [c for ts in texts for t in ts for c in t.chars])


def is_title(texts, body_size):
    """A table's title: printed larger, or one text naming a table at the body's size (the second form
    printed on a sheet, every table of a sheet printed as one), its kind in brackets after it
    ("支出经济分类预算表（政府预算）")."""
    if len(texts) == 1 and re.fullmatch(r"\S{3,}表([（(][^（()）]+[)）])?", normalize(texts[0].text)):
        return True
    size = max(max(c["size"] for c in t.chars) for t in texts)
    return len(texts) <= 2 and size >= body_size * 1.15


def page_rows(lines, page_number, state, as_line):
    """A page printed without table lines: (rows, merges).

    `lines` are the page's printed lines (characters, top to bottom); title-block lines and text with no
    figures under it become rows through `as_line`, as on any page; each run of lines that ends in
    figures is a table (its header, then its body).

    `state` carries what a page leaves to the next: the columns of its last table ("columns"), for
    the part of it printed on the next page; and a header the page ends with, no figures under it
    ("tail": its lines and how many rows it gave). Where the next page begins with the rest of that
    header and its figures (the page break parted the header's rows), the header is read again whole
    there, and its rows on the page before are withdrawn ("withdrawn": how many)."""
    tail = state.pop("tail", None)
    if tail is not None:
        whole = _rest_of_header(tail[0], lines)
        if whole is not None:
            state["withdrawn"] = tail[1]
            lines = whole
    rows, merges = _page_rows(lines, page_number, state, as_line)
    return rows, merges


def header_tail(lines):
    """The lines a page of text ends with that begin a table's header (a title block, then a line of
    three labels or more, no figures): its figures begin on the next page. None where it ends otherwise."""
    texts = [texts_of(chars, i) for i, chars in enumerate(lines)]
    end = len(lines)
    start = end
    body_size = _body_size(texts)
    while start > 0 and not is_title_block_line(texts[start - 1], body_size):
        start -= 1
    run = texts[start:end]
    if not run or start == 0 or any(t.is_number for ts in run for t in ts) or not any(len(ts) >= 3 for ts in run):
        return None
    return lines[start:end]


def _rest_of_header(tail, lines):
    """The header lines that ended the page before, above this page's lines, where this page begins
    with the rest of a table: its first lines are a header (no title block above them) with figures
    under them. None where it does not.

    The tail is moved to stand above the page's first line at the pitch of a header's lines; a label
    of a merged cell printed on both pages (科目编码 over two header rows) is kept once, where it
    stands on this page."""
    if not lines or not tail:
        return None
    texts = [texts_of(chars, i) for i, chars in enumerate(lines)]
    body_size = _body_size(texts)
    first = next((k for k, ts in enumerate(texts) if any(t.is_number for t in ts)), None)
    if first is None or first == 0 or any(is_title_block_line(ts, body_size) for ts in texts[:first]):
        return None
    here = {(normalize(t.text), round(t.x0)) for ts in texts[:first] for t in ts}
    top = min(c["top"] for c in lines[0])
    bottom = max(c["bottom"] for c in tail[-1])
    pitch = min(c["top"] for c in lines[1]) - max(c["bottom"] for c in lines[0]) if len(lines) > 1 else 0
    shift = top - max(pitch, 0) - bottom
    moved = []
    for chars in tail:
        kept = [
            c for t in texts_of(chars, 0)
            if not any((normalize(t.text), round(t.x0) + d) in here for d in (-1, 0, 1))
            for c in t.chars
        ]
        if kept:
            moved.append([{**c, "top": c["top"] + shift, "bottom": c["bottom"] + shift} for c in kept])
    return moved + lines


def _page_rows(lines, page_number, state, as_line):
    """The page's rows and merges, its title-block lines and each table on it in turn."""
    carried = state.get("columns")
    texts = [texts_of(chars, i) for i, chars in enumerate(lines)]
    body_size = _body_size(texts)
    furniture = [is_title_block_line(ts, body_size) for ts in texts]
    titles = [f and is_title(ts, body_size) for f, ts in zip(furniture, texts)]
    # A row of the body: figures, or a 合计 where rows are named (an empty table prints only that).
    figures = [any(t.is_number for t in ts) for ts in texts]
    for k, ts in enumerate(texts):
        # An empty table prints a lone 合计 under its header, then its note or the next title.
        if ts and normalize("".join(t.text for t in ts)) in TOTALS and (k + 1 == len(texts) or furniture[k + 1]):
            figures[k] = True
    for k in _headings_after_tables(texts, furniture, figures):
        furniture[k] = True
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
            bare = _bare_header(region, lines, texts, page_number, as_line)
            if j == len(lines) and any(len(texts[k]) >= 3 for k in region):
                state["tail"] = ([lines[k] for k in region], len(bare))  # perhaps parted by the page break
            rows.extend(bare)
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
    state["columns"] = carried
    return rows, merges


def _headings_after_tables(texts, furniture, figures):
    """Lines after a table's last figures that are no row of it: one text standing over the table
    where no text of its rows stands (a heading centred over its figure columns, "部门项目预算安排情况及
    绩效目标", a title printed at the body's size, before the next title block). A row's name wrapped
    below its figures stands under the names; a form's label centred on its tall cell (绩效指标)
    stands left of the rows."""
    found = []
    k, n = 0, len(texts)
    while k < n:
        if furniture[k] or not figures[k]:
            k += 1
            continue
        start = k
        while k < n and not furniture[k]:
            k += 1
        last = max(m for m in range(start, k) if figures[m])
        names = [t for m in range(start, last + 1) for t in texts[m] if not t.is_number]
        left = min(t.x0 for m in range(start, last + 1) for t in texts[m])
        for m in range(last + 1, k):
            if len(texts[m]) == 1 and not texts[m][0].is_number:
                t = texts[m][0]
                if not any(t.x0 < o.x1 and o.x0 < t.x1 for o in names) and t.x0 >= left:
                    found.append(m)
    return found


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
