"""A table printed without lines (columns aligned by position only) as rows of cells and merged ranges.

What a print keeps of a worksheet without borders is where each text stands, and three habits of every
spreadsheet print: figures are right-aligned in their column and printed on one line; every cell is
centred vertically in its row, so a name wrapped over several lines has its middle on the line of the
row's figures; and a label over several columns (a merged cell) is centred over them.

- **Columns** are the strips of the page that the body's texts and the header's bottom labels occupy;
  a header label over no figures (an empty column) is a column of its own.
- **Rows** are the lines that carry a figure. A line without one joins the row its cell is centred
  on, column by column; a line centred on no row is a row of its own (a heading with no figures).
- **The header** is read as blocks of text (a label wrapped over lines is one block). A block with
  blocks under it is a group. Its columns are those beside it with nothing printed at its height,
  chosen so that the group's label stands at their centre; a group that fits no run of columns is
  refused, never guessed.

Every text is placed in one cell, or the page is refused naming the position of what could not be.
"""

import re
from dataclasses import dataclass, field

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.titles import is_furniture_text
from disclosures.text import normalize

NUMBER = re.compile(r"^[-−]?\(?[\d,]*\d(?:\.\d+)?\)?%?$")
GAP = 0.1  # a gap wider than this share of the font size separates two texts on a line
MAX_WRAP = 12  # lines one cell may wrap over
TOTALS = {"合计", "总计"}


@dataclass
class Text:
    """Characters printed next to each other on one line."""

    chars: list
    line: int  # index of its printed line on the page
    x0: float = field(init=False)
    x1: float = field(init=False)
    top: float = field(init=False)
    bottom: float = field(init=False)
    text: str = field(init=False)

    def __post_init__(self):
        self.x0 = min(c["x0"] for c in self.chars)
        self.x1 = max(c["x1"] for c in self.chars)
        self.top = min(c["top"] for c in self.chars)
        self.bottom = max(c["bottom"] for c in self.chars)
        self.text = "".join(c["text"] for c in self.chars)

    @property
    def cx(self):
        return (self.x0 + self.x1) / 2

    @property
    def cy(self):
        return (self.top + self.bottom) / 2

    @property
    def is_number(self):
        return bool(NUMBER.match(self.text))


@dataclass
class Block:
    """A header label: texts wrapped over consecutive lines, centred on one another."""

    parts: list

    @property
    def x0(self):
        return min(p.x0 for p in self.parts)

    @property
    def x1(self):
        return max(p.x1 for p in self.parts)

    @property
    def top(self):
        return self.parts[0].top

    @property
    def bottom(self):
        return self.parts[-1].bottom

    @property
    def cx(self):
        return (self.x0 + self.x1) / 2

    @property
    def cy(self):
        return (self.top + self.bottom) / 2

    @property
    def line(self):
        return self.parts[0].line

    @property
    def text(self):
        return "".join(p.text for p in self.parts)


def texts_of(line, index):
    """A printed line as texts, split wherever characters do not touch.

    Letter-spaced labels ("合   计", "收 入 总 计") come apart here; they are joined again in their cell."""
    size = max(c["size"] for c in line) or 10
    found, current = [], [line[0]]
    for char in line[1:]:
        # Any visible gap: characters of one word touch; cells, even tight ones, leave their padding.
        if char["x0"] - current[-1]["x1"] > max(0.8, size * GAP):
            found.append(Text(current, index))
            current = []
        current.append(char)
    found.append(Text(current, index))
    return found


@dataclass
class Columns:
    """Column strips of one table, left to right, and the edges between them."""

    strips: list  # [(x0, x1)]

    @property
    def edges(self):
        s = self.strips
        inner = [(a[1] + b[0]) / 2 for a, b in zip(s, s[1:])]
        pad = min((b[0] - a[1] for a, b in zip(s, s[1:])), default=4) / 2
        return [s[0][0] - pad, *inner, s[-1][1] + pad]

    def of(self, text):
        """The column a text stands in: the one it overlaps most (None if it is beside the table)."""
        edges = self.edges
        if text.x1 < edges[0] - 1 or text.x0 > edges[-1] + 1:
            return None
        best, overlap = None, -1.0
        for k in range(len(self.strips)):
            o = min(text.x1, edges[k + 1]) - max(text.x0, edges[k])
            if o > overlap:
                best, overlap = k, o
        return best

    def at(self, x):
        edges = self.edges
        for k in range(len(self.strips)):
            if edges[k] <= x <= edges[k + 1]:
                return k
        return None


def table_rows(header_lines, body_lines, page_number, carried=None):
    """(rows, merges, columns) for one table region of a page.

    `header_lines` and `body_lines` are lists of (index, chars); `carried` is the previous table's
    Columns, used when this part of a table has no header of its own (it carries on from a page before)."""
    header = [t for index, chars in header_lines for t in texts_of(chars, index)]
    body = [t for index, chars in body_lines for t in texts_of(chars, index)]
    spans = _numbered_columns(body)
    if spans:
        header = _within_spans(header, spans)
    blocks = _blocks(header, _strips(body))
    leaves = [b for b in blocks if not _has_below(b, blocks)]
    groups = [b for b in blocks if b not in leaves]
    body = _spaced_words(body, leaves)
    if leaves:
        columns = _columns(body, leaves)
    elif carried is not None:
        columns = _carry(carried, body)
    else:
        columns = _columns(body, [])
    if not columns.strips:
        return [], [], columns
    rows, merges = _header_grid(blocks, leaves, groups, columns, header, body, page_number)
    rows.extend(_body_rows(body, columns, page_number, strict=bool(blocks)))
    return rows, merges, columns


def _numbered_columns(body):
    """The columns a 栏次 row numbers (栏次 | 1 | 2 | 3 …), as (left, right) spans: each number stands at
    its column's right edge, so the columns it numbers lie between one number and the next."""
    lines = {}
    for t in body:
        lines.setdefault(t.line, []).append(t)
    for texts in lines.values():
        texts.sort(key=lambda t: t.x0)
        if len(texts) >= 3 and normalize(texts[0].text) == "栏次" and all(t.text.isdigit() for t in texts[1:]):
            numbers = texts[1:]
            if [int(t.text) for t in numbers] != list(range(int(numbers[0].text), int(numbers[0].text) + len(numbers))):
                return []
            rights = [t.x1 for t in numbers]
            # The first numbered column's left edge is unknown (栏次 may stand over several columns):
            # take it as wide as the next.
            first = max(texts[0].x1, rights[0] - (rights[1] - rights[0])) if len(rights) > 1 else texts[0].x1
            edges = [first] + rights
            return list(zip(edges, edges[1:]))
    return []


def _within_spans(texts, spans):
    """Labels on one line within one numbered column are one label ("一般公共预算  财政拨款")."""
    def span_of(t):
        return next((i for i, (a, z) in enumerate(spans) if a < t.cx <= z + 1), None)

    joined = []
    for t in sorted(texts, key=lambda t: (t.line, t.x0)):
        p = joined[-1] if joined else None
        if (
            p is not None and p.line == t.line and not p.is_number and not t.is_number
            and span_of(p) is not None and span_of(p) == span_of(t)
        ):
            joined[-1] = Text(p.chars + t.chars, t.line)
            continue
        joined.append(t)
    return joined


def _spaced_words(body, leaves):
    """Words of one cell apart by a space ("其他商品和服务 支出") joined again, where no column begins:
    no label starts there, and no other line's text starts there too."""
    starts = {}
    for t in body:
        starts.setdefault(round(t.x0), set()).add(t.line)
    joined = []
    for t in sorted(body, key=lambda t: (t.line, t.x0)):
        p = joined[-1] if joined else None
        if p is not None and p.line == t.line and not p.is_number and not t.is_number:
            size = max(c["size"] for c in t.chars)
            gap = t.x0 - p.x1
            aligned = set().union(*(starts.get(round(t.x0) + d, set()) for d in (-1, 0, 1))) - {t.line}
            if gap <= size * 0.5 and len(aligned) < 2 and not any(p.x1 - 1 <= b.x0 <= t.x0 + 1 for b in leaves):
                joined[-1] = Text(p.chars + t.chars, t.line)
                continue
        joined.append(t)
    return joined


def _blocks(texts, strips=()):
    """Header texts joined into labels: letter-spaced characters on a line, wrapped lines in a cell.

    A line wraps on to the next only inside one column: a label standing over a gap between the
    body's columns is a group's, and the label centred under it is the next header row."""
    gaps = [(a[1], b[0]) for a, b in zip(strips, strips[1:])]
    by_line = {}
    for t in texts:
        by_line.setdefault(t.line, []).append(t)
    joined = []
    for line in sorted(by_line):
        parts = sorted(by_line[line], key=lambda t: t.x0)
        merged = [parts[0]]
        for t in parts[1:]:
            last = merged[-1]
            size = max(c["size"] for c in t.chars)
            gap = t.x0 - last.x1
            spaced = len(t.text) == 1 and len(last.text.replace(" ", "")) <= 1 and gap <= size * 2
            starts = any(last.x1 - 0.5 <= s[0] <= t.x0 + 0.5 for s in strips)
            over = {i for i, s in enumerate(strips) if last.x0 < s[1] and last.x1 > s[0]}
            apart = over and any(
                i not in over for i, s in enumerate(strips) if t.x0 < s[1] and t.x1 > s[0]
            )  # each over figures of its own: two columns
            if not apart and (spaced or (gap <= size * 0.35 and not starts)):
                merged[-1] = Text(last.chars + t.chars, line)  # "收   入", "一般公共 预算": one label
            else:
                merged.append(t)
        joined.extend(merged)
    blocks = []
    for t in sorted(joined, key=lambda t: (t.line, t.x0)):
        size = max(c["size"] for c in t.chars)
        home = next(
            (
                b for b in blocks
                if b.parts[-1].line < t.line
                and abs(b.parts[-1].cx - t.cx) <= size * 0.75
                and -size * 0.2 <= t.top - b.parts[-1].bottom <= size * 0.9
                and t.x1 - t.x0 <= b.parts[-1].x1 - b.parts[-1].x0 + size * 0.5
                and not any(b.parts[-1].x0 < g0 and g1 < b.parts[-1].x1 for g0, g1 in gaps)
                and not _over_columns(b.parts[-1], joined)
                and (len(t.text) < 3 or _repeats_on_line(t, joined) <= _repeats_on_line(b.parts[-1], joined))
                and _fills_its_cell(b.parts[-1], t, joined, b.top)
            ),
            None,
        )
        if home is not None:
            home.parts.append(t)
        else:
            blocks.append(Block([t]))
    return blocks


def _fills_its_cell(head, tail, texts, top):
    """Could `tail` be the rest of a label wrapped from `head`? Not when `tail` stands among a row of
    labels, with labels on both sides, under a line of far fewer labels: then `head` is a group's label
    that happens to be centred over one of its columns."""
    if len(tail.text) < 2:
        return True  # one character is never a label of its own: the end of a wrapped one (完成程/度)
    on_tail = [o for o in texts if o.line == tail.line]
    on_head = [o for o in texts if o.line == head.line]
    both_sides = any(o.x1 <= tail.x0 for o in on_tail) and any(o.x0 >= tail.x1 for o in on_tail)
    return not (both_sides and len(on_tail) >= 2 * len(on_head))


def _repeats_on_line(text, texts):
    """How often a label is printed on its line: a label printed once per panel (科目编码 under
    人员经费 and under 公用经费) is a label of its own, not the end of the one above it."""
    return sum(1 for o in texts if o.line == text.line and o.text == text.text)


def _over_columns(head, texts):
    """Do two labels of one lower header line stand under this text? Then it heads columns, not a cell."""
    under = {}
    for t in texts:
        if t.line > head.line and t.x0 < head.x1 and t.x1 > head.x0:
            under[t.line] = under.get(t.line, 0) + 1
    return any(n >= 2 for n in under.values())


def _has_below(block, blocks):
    """Is this label a group (labels under it), not a column's own label?

    Under a group stands a label it overlaps, or labels on both sides of its centre with no label at
    its own height between them; but a label centred on the header's whole height is a column's own
    label standing beside grouped columns (总计 beside 本年收入's columns)."""
    size = max(c["size"] for c in block.parts[0].chars)
    below = [o for o in blocks if o is not block and o.top > block.bottom]
    if any(o.x0 < block.x1 + size and o.x1 > block.x0 - size for o in below):
        return True
    left = max((o for o in below if o.cx < block.cx), key=lambda o: o.cx, default=None)
    right = min((o for o in below if o.cx > block.cx), key=lambda o: o.cx, default=None)
    if left is None or right is None:
        return False
    beside = [
        o for o in blocks
        if o is not block and o.top < block.bottom and o.bottom > block.top and left.cx < o.cx < right.cx
    ]
    if beside:
        return False
    top = min(b.top for b in blocks)
    bottom = max(b.bottom for b in blocks)
    return abs(block.cy - (top + bottom) / 2) > size * 0.5


def _strips(texts):
    """[x0, x1, figures only?] for each run of the page's width the texts occupy.

    Narrow texts first: a text that would join two runs each printed on several lines stands in a
    merged cell across columns (a form's 总体目标), and does not make them one."""
    strips = []  # [x0, x1, figures only, lines]
    for t in sorted(texts, key=lambda t: t.x1 - t.x0):
        hits = [s for s in strips if t.x0 < s[1] - 0.5 and t.x1 > s[0] + 0.5]
        apart = sorted(s for s in hits if len(s[3]) >= 2)
        size = max(c["size"] for c in t.chars)
        if any(b[0] - a[1] >= size * 0.5 for a, b in zip(apart, apart[1:])) or any(
            a[3] & b[3] for i, a in enumerate(hits) for b in hits[i + 1:]
        ):
            continue  # over two runs apart, or two that one line prints side by side: two columns
        # The lines a run has texts on (a lone character may be one letter of a spaced-out word).
        own = {t.line} if len(t.text) > 1 or t.is_number else set()
        merged = [min([t.x0] + [s[0] for s in hits]), max([t.x1] + [s[1] for s in hits]),
                  t.is_number and all(s[2] for s in hits), own.union(*(s[3] for s in hits))]
        strips = [s for s in strips if s not in hits] + [merged]
        # A strip grown over its neighbours takes them in.
        changed = True
        while changed:
            changed = False
            strips.sort()
            for a, b in zip(strips, strips[1:]):
                if b[0] < a[1] - 0.5:
                    a[1], a[2], a[3] = max(a[1], b[1]), a[2] and b[2], a[3] | b[3]
                    strips.remove(b)
                    changed = True
                    break
    return [s[:3] for s in sorted(strips)]


def _columns(body, leaves):
    """Strips the body's texts occupy, each with the header label standing over it."""
    strips = _strips(body)
    loose = [b for b in leaves if not any(b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5 for s in strips)]
    bare = [s for s in strips if not any(b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5 for b in leaves)]
    # A label beside the figures it heads (centred in a wide column over narrow right-aligned figures):
    # the nearest pairs first, never across another label or strip.
    pairs = sorted(
        (min(abs(b.x0 - s[1]), abs(s[0] - b.x1)), i, j) for i, b in enumerate(loose) for j, s in enumerate(bare)
    )
    taken_leaves, taken_strips = set(), set()
    for _d, i, j in pairs:
        if i in taken_leaves or j in taken_strips:
            continue
        b, s = loose[i], bare[j]
        if (s[2] and b.x0 >= s[1]) or (not s[2] and b.x1 <= s[0]):
            continue  # figures stand at their column's right edge, texts at its left
        lo, hi = min(b.x1, s[1]), max(b.x0, s[0])
        between = any(lo < o.cx < hi for o in leaves if o is not b) or any(
            lo < (t[0] + t[1]) / 2 < hi for t in strips if t is not s
        )
        if between:
            continue
        taken_leaves.add(i)
        taken_strips.add(j)
        s[0], s[1] = min(s[0], b.x0), max(s[1], b.x1)
    for i, leaf in enumerate(loose):
        if i not in taken_leaves:
            strips.append([leaf.x0, leaf.x1, False])  # a column with no figures in this part
    strips.sort()
    strips = _join_under_labels(strips, leaves, body)
    # Two labels over one strip: the strip is two columns whose texts touch; part them between the labels.
    parted = []
    for s in strips:
        over = sorted(
            (b for b in leaves if b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5 and s[0] - 1 <= b.cx <= s[1] + 1),
            key=lambda b: b.cx,
        )
        if len(over) <= 1:
            parted.append((s[0], s[1]))
            continue
        cuts = [(a.x1 + b.x0) / 2 for a, b in zip(over, over[1:])]
        bounds = [s[0], *cuts, s[1]]
        parted.extend((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
    return Columns(parted)


def _join_under_labels(strips, leaves, body):
    """Strips that are one column: two under one label and no other (序号 over 栏次 and 1, 2, 3…),
    and a lone number with no label of its own right after a column of text (栏次 numbers stand at
    their column's right edge)."""
    def over(leaf, s):
        return leaf.x0 < s[1] - 0.5 and leaf.x1 > s[0] + 0.5

    def lines_of(s):
        return {t.line for t in body if t.x0 >= s[0] - 0.5 and t.x1 <= s[1] + 0.5}

    joined = []
    for s in strips:
        if joined:
            last = joined[-1]
            shared = [b for b in leaves if over(b, last) and over(b, s)]
            alone = shared and all(
                [b] == [o for o in leaves if over(o, last) or over(o, s)] for b in shared
            )
            lone_number = (
                s[2] and not last[2] and len(lines_of(s)) == 1
                and not any(over(b, s) for b in leaves)
                and any(over(b, last) for b in leaves)
            )
            if alone or lone_number:
                last[1], last[2] = max(last[1], s[1]), last[2] and s[2]
                continue
        joined.append(list(s))
    return joined


def _carry(carried, body):
    """A table part without a header takes the columns of the part before it."""
    return Columns(list(carried.strips))


def _header_grid(blocks, leaves, groups, columns, header, body, page_number):
    if not blocks:
        return [], []
    width = len(columns.strips)
    bottom = max(b.bottom for b in blocks)
    first_body = min((t.top for t in body), default=bottom + 4)
    floor = (bottom + first_body) / 2
    stacks = {k: [] for k in range(width)}
    for b in blocks:
        k = columns.at(b.cx)
        if k is None:
            k = columns.of(b.parts[0])
        if k is None:
            raise _unplaced(page_number, b.parts[0])
        stacks[k].append(b)
    reach = {}  # block -> (top, bottom) of the cell it is centred in
    for k, stack in stacks.items():
        low = floor
        for b in sorted(stack, key=lambda b: b.top, reverse=True):
            top = 2 * b.cy - low
            reach[id(b)] = (min(top, b.top), low)
            low = min(top, b.top)
    spans = {}
    for b in leaves:
        k = columns.at(b.cx)
        if k is None:
            k = columns.of(b)
        if k is None:
            raise _unplaced(page_number, b.parts[0])
        spans[id(b)] = (k, k)
    claimed = {}  # line -> columns taken by groups on that line
    for g in sorted(groups, key=lambda b: (b.line, b.cx)):
        spans[id(g)] = _group_span(g, stacks, reach, columns, claimed.setdefault(g.line, set()), page_number)
        claimed[g.line].update(range(spans[id(g)][0], spans[id(g)][1] + 1))
    # Each label in the header row where its cell begins, as in the workbook: a group one row below
    # the group it stands under, a column's own label right below its innermost group (or at the top).
    def depth(b):
        a, z = spans[id(b)]
        return sum(
            1 for g in groups
            if g is not b and spans[id(g)][0] <= a and z <= spans[id(g)][1] and g.top < b.top
        )

    levels = {id(b): depth(b) for b in blocks}
    rows = [[None] * width for _ in range(max(levels.values()) + 1)]
    merges = []
    for b in sorted(blocks, key=lambda b: b.top):
        r = levels[id(b)]
        a, z = spans[id(b)]
        if rows[r][a] is not None:
            raise WorkbookUnreadable(
                f"PDF 第 {page_number} 页表头“{rows[r][a]}”与“{b.text}”（位置 x={b.x0:.0f}, y={b.top:.0f}）落在同一格，"
                "无法分清各列。请上传工作簿，或带表格线打印的 PDF。"
            )
        rows[r][a] = _cell_text(b.parts)
        if z > a:
            merges.append((r, a, r, z))
    return rows, merges


def _group_span(g, stacks, reach, columns, claimed, page_number):
    """The run of columns a group label is centred over, among those with nothing at its height."""
    home = columns.at(g.cx)
    height = g.bottom - g.top
    size = max(c["size"] for c in g.parts[0].chars)

    def free(k):
        if k in claimed:
            return False
        for b in stacks[k]:
            if b is g or b.bottom <= g.top:
                continue
            top, low = reach[id(b)]
            if min(low, g.bottom) - max(top, g.top) > height * 0.5:
                return False
        return any(b.top > g.bottom for b in stacks[k]) or not stacks[k]

    if home is None or not free(home):
        raise _unplaced(page_number, g.parts[0])
    lo = hi = home
    while lo > 0 and free(lo - 1):
        lo -= 1
    while hi < len(columns.strips) - 1 and free(hi + 1):
        hi += 1
    edges = columns.edges
    strips = columns.strips
    # Where a column ends is known only to lie in the gap between its text and the next column's.
    gaps = [(strips[0][0] - 2 * size, strips[0][0])]
    gaps += [(a[1], b[0]) for a, b in zip(strips, strips[1:])]
    gaps.append((strips[-1][1], strips[-1][1] + 2 * size))
    best = None
    for a in range(lo, home + 1):
        for z in range(max(home, a + 1), hi + 1):
            low = (gaps[a][0] + gaps[z + 1][0]) / 2
            high = (gaps[a][1] + gaps[z + 1][1]) / 2
            error = max(0.0, low - g.cx, g.cx - high)
            width = edges[z + 1] - edges[a]
            if error > max(3.0, width * 0.15):
                continue
            # Nearest to centred first (within a character), then a run that meets its neighbours.
            score = (round(error / size), -((a == lo) + (z == hi)), error)
            if best is None or score < best[0]:
                best = (score, (a, z))
    if best is None:
        raise WorkbookUnreadable(
            f"PDF 第 {page_number} 页表头“{g.text}”（位置 x={g.x0:.0f}, y={g.top:.0f}）下的各列无法确定。"
            "请上传工作簿，或带表格线打印的 PDF。"
        )
    return best[1]


def _body_rows(body, columns, page_number, strict=False):
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
            raise _unplaced(page_number, t)
        pieces.setdefault((k, t.line), []).append(t)
    if strict:
        for texts in pieces.values():
            texts.sort(key=lambda t: t.x0)
            for a, b in zip(texts, texts[1:]):
                if b.x0 - a.x1 > 1.5 * max(c["size"] for c in b.chars):
                    # Two texts printed apart in one column: the header's columns are not this body's.
                    raise WorkbookUnreadable(
                        f"PDF 第 {page_number} 页位置 x={b.x0:.0f}, y={b.top:.0f} 处的“{a.text[:10]}”与“{b.text[:10]}”"
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
                row[k] = _cell_text(cells[(key, k)])
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


def _cell_text(texts):
    """Texts of one cell in reading order: line by line, left to right; spaces only between Latin words."""
    ordered = sorted(texts, key=lambda t: (t.line, t.x0))
    out = ""
    for t in ordered:
        piece = "".join(c["text"] for c in t.chars)
        if out and out[-1].isascii() and out[-1].isalnum() and piece[:1].isascii() and piece[:1].isalnum():
            out += " "
        out += piece
    return re.sub(r"\s+", " ", out).strip()


def _unplaced(page_number, text):
    return WorkbookUnreadable(
        f"PDF 第 {page_number} 页位置 x={text.x0:.0f}, y={text.top:.0f} 处的文字“{text.text[:20]}”无法对应到表格的某一列，"
        "未导入任何内容。"
    )


def is_title_block_line(texts, body_size):
    """A line above a table's header: its title (printed larger), 表N, 单位名称/单位, a date, a note."""
    joined = normalize("".join(t.text for t in texts))
    if any(is_furniture_text(t.text) for t in texts) or is_furniture_text(joined):
        return True
    if re.match(r"^(注|备注|说明)[:：]", joined):
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
            rows.extend(as_line(lines[k]) for k in region)
            i = j
            continue
        head = [k for k in region if k < first]
        above = head
        if carried is not None and len(_blocks([t for k in head for t in texts[k]])) < 2:
            head = []  # a part carried on from the page before, its first row's name wrapped above it
        for n, (header, body) in enumerate(_parts(head, [k for k in region if k >= first or k not in head], texts, figures)):
            try:
                part_rows, part_merges, columns = table_rows(
                    [(k, lines[k]) for k in header], [(k, lines[k]) for k in body], page_number,
                    carried if not header else None,
                )
            except WorkbookUnreadable:
                # Lines above the figures that read as no header (a form: 项目名称 | …, 主管部门 | …), or a
                # page that does not carry on the table before it: rows like the others, in the columns
                # their own texts make; the form reader finds its labels by name.
                own = sorted(set(header + body + (above if n == 0 else [])))
                part_rows, part_merges, columns = _form_rows(own, lines, texts, figures, page_number)
            offset = len(rows)
            rows.extend(part_rows)
            merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in part_merges)
            carried = columns
        i = j
    return rows, merges, carried


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
        body, end = [], k
        while end < len(region) and (figures[region[end]] or texts[region[end]][0].x0 - left > size * 3):
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
    rows, merges = [], []
    for kind, part in segments:
        if not part:
            continue
        if kind == "grid":
            try:
                part_rows, part_merges, _ = table_rows(
                    [(k, lines[k]) for k in part[0]], [(k, lines[k]) for k in part[1]], page_number
                )
            except WorkbookUnreadable:
                part_rows, part_merges, _ = table_rows([], [(k, lines[k]) for k in part[0] + part[1]], page_number)
        else:
            part_rows, part_merges, _ = table_rows([], [(k, lines[k]) for k in part], page_number, columns)
        offset = len(rows)
        rows.extend(part_rows)
        merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in part_merges)
    return rows, merges, columns


def _repeats(run, texts, labels):
    printed = normalize("".join(t.text for r in run for t in texts[r]))
    found = [label for label in labels if label and label in printed]
    return len(labels) >= 2 and len(found) >= max(2, len(labels) * 0.6) and sum(map(len, found)) >= len(printed) * 0.6


def _parts(head, body, texts, figures):
    """The body split where its header is printed again (a long table repeats it on a new page or part)."""
    labels = {normalize(b.text) for b in _blocks([t for k in head for t in texts[k]])}
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
