"""The header of a table printed without lines: its labels as blocks, groups spanning the columns
they are centred over, as the rows and merged cells a worksheet's header has."""

from disclosures.ingest.guard import WorkbookUnreadable
from disclosures.ingest.unruled.texts import Block, Text, cell_text, position, unplaced
from disclosures.text import normalize


def blocks_of(texts, strips=()):
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
            # Without figures to go by (a table printed empty) words may stand closer; two labels each
            # wrapped on to the line below, centred on their own, are two cells.
            close = gap <= size * (0.35 if strips else 1.0) and not starts and not _stacked_apart(last, t, texts, size)
            if not apart and (spaced or close):
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
                and not _past_figures(b.parts[-1], strips, size)
                and not _over_columns(b.parts[-1], joined)
                and (
                    len(t.text) < 3 or _repeats_on_line(t, joined) <= _repeats_on_line(b.parts[-1], joined)
                    or _each_wraps(b.parts[-1], t, joined)
                )
                and _fills_its_cell(b, t, joined)
            ),
            None,
        )
        if home is not None:
            home.parts.append(t)
        else:
            blocks.append(Block([t]))
    return blocks


def _past_figures(head, strips, size):
    """Does this text reach well past the right edge of figures that begin left of it? Figures stand
    at their column's right edge, so it stands over two columns or more: a group's label, which does
    not wrap on."""
    return any(s[2] and s[0] < head.x0 - size and head.x0 + size < s[1] < head.x1 - 2 * size for s in strips)


def _each_wraps(head, tail, texts):
    """A label printed several times on its line, each under a text of its own width: each the end of
    a label wrapped in its cell (年初结 / 转和结 beside 年末结 / 转和结)."""
    copies = [o for o in texts if o.line == tail.line and o.text == tail.text]
    return all(any(o.line == head.line and _same_width(o, c) for o in texts) for c in copies)


def _same_width(head, tail):
    """Two full lines of one width, one under the other: a label wrapping in its cell (年初结 / 转和结 /
    余, printed again in 年末结转和结余 beside it)."""
    return abs(head.x0 - tail.x0) <= 1 and abs(head.x1 - tail.x1) <= 1


def _stacked_apart(left, right, texts, size):
    """Two texts side by side, each with its own wrapped line centred under it (采购物品名 / 称 beside
    政府采购目 / 录序号), where the two together have none."""
    below = [t for t in texts if left.top + size * 0.5 <= t.top <= left.bottom + size * 0.9]
    def centred(x0, x1):
        cx = (x0 + x1) / 2
        return any(abs(t.cx - cx) <= 1 and t.x0 >= x0 - 1 and t.x1 <= x1 + 1 for t in below)

    under = [t for t in below if t.x1 > left.x0 and t.x0 < right.x1]
    together = bool(under) and abs((min(t.x0 for t in under) + max(t.x1 for t in under)) / 2 - (left.x0 + right.x1) / 2) <= 1
    return centred(left.x0, left.x1) and centred(right.x0, right.x1) and not together


def _fills_its_cell(block, tail, texts):
    """Could `tail` be the rest of a label wrapped from `block`? Not when `tail` stands among a row of
    labels, with labels on both sides, under a line of far fewer labels: then the block is a group's
    label that happens to be centred over one of its columns. But a label already wrapped goes on at
    the pitch of its lines (“三公 / ”经费 / 合计 in a narrow column): a group's label is one header row."""
    head = block.parts[-1]
    if len(block.parts) >= 2 and abs((tail.top - head.top) - (head.top - block.parts[-2].top)) <= 1:
        return True
    if len(tail.text) < 2:
        return True  # one character is never a label of its own: the end of a wrapped one (完成程/度)
    if _heads_its_neighbours(head, tail, texts):
        return False
    if _same_width(head, tail):
        return True  # two full lines of one width: a cell's text wrapping, not a group over a column
    on_tail = [o for o in texts if o.line == tail.line]
    on_head = [o for o in texts if o.line == head.line]
    both_sides = any(o.x1 <= tail.x0 for o in on_tail) and any(o.x0 >= tail.x1 for o in on_tail)
    return not (both_sides and len(on_tail) >= 2 * len(on_head))


def _heads_its_neighbours(head, tail, texts):
    """Is `head` the label of a group over `tail` and the labels beside it? The nearest labels on both
    sides of `tail` have nothing printed above them up to `head`'s line, and `head` stands between
    them: a label of a lower header row is under a group, and `head` is the only one there can be
    (基本支出 over 小计 | 人员经费 | 公用经费 on a page printed so small that its header rows stand one
    line apart, 基本支出 as wide as 人员经费)."""
    on_tail = [o for o in texts if o.line == tail.line]
    left = [o for o in on_tail if o.x1 <= tail.x0]
    right = [o for o in on_tail if o.x0 >= tail.x1]
    if not (left and right):
        return False
    near = (max(left, key=lambda o: o.x1), min(right, key=lambda o: o.x0))

    def bare(label):
        return not any(head.line <= t.line < tail.line and t.x0 < label.x1 and t.x1 > label.x0 for t in texts)

    return all(bare(o) for o in near) and near[0].cx < head.cx < near[1].cx


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


def has_below(block, blocks):
    """Is this label a group (labels under it), not a column's own label?

    Under a group stands a label it overlaps, or labels on both sides of its centre with no label at
    its own height between them; but a label centred on the header's whole height is a column's own
    label standing beside grouped columns (总计 beside 本年收入's columns)."""
    size = max(c["size"] for c in block.parts[0].chars)
    below = [o for o in blocks if o is not block and o.top > block.bottom]
    if any(o.x0 < block.x1 and o.x1 > block.x0 for o in below):
        return True
    top = min(b.top for b in blocks)
    bottom = max(b.bottom for b in blocks)
    centred = abs(block.cy - (top + bottom) / 2) <= size * 0.5
    if any(o.x0 < block.x1 + size and o.x1 > block.x0 - size for o in below):
        # Within a character of a label below: a group's, unless the label is centred on the whole
        # header, a column's own label beside one that stands lower (序号 | 科目编码 under its group).
        return not centred
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
    return not centred


def header_grid(blocks, leaves, groups, columns, header, body, page_number):
    if not blocks:
        return [], []
    width = len(columns.strips)
    bottom = max(b.bottom for b in blocks)
    first_body = min((t.top for t in body), default=bottom + 4)
    size = max(c["size"] for b in blocks for c in b.parts[0].chars)
    # The header ends below its lowest label (halfway to the body, but no further than a line: the
    # first row of the body may be a tall one whose texts stand well below).
    floor = min((bottom + first_body) / 2, bottom + size)
    stacks = {k: [] for k in range(width)}
    for b in blocks:
        k = columns.at(b.cx)
        if k is None:
            k = columns.of(b.parts[0])
        if k is None:
            raise unplaced(page_number, b.parts[0])
        stacks[k].append(b)
    reach = {}  # block -> (top, bottom) of the cell it is centred in
    grouping = {id(g) for g in groups}
    for k, stack in stacks.items():
        low = floor
        for b in sorted(stack, key=lambda b: b.top, reverse=True):
            if id(b) in grouping:
                # A group's label is one header row high: it is centred across its columns, not down them.
                reach[id(b)] = (b.top, b.bottom)
                low = b.top
                continue
            top = 2 * b.cy - low
            reach[id(b)] = (min(top, b.top), low)
            low = min(top, b.top)
    spans = {}
    for b in leaves:
        k = columns.at(b.cx)
        if k is None:
            k = columns.of(b)
        if k is None:
            raise unplaced(page_number, b.parts[0])
        spans[id(b)] = (k, k)
    # Each column as wide as its texts and its own label.
    extents = [list(strip) for strip in columns.strips]
    for b in leaves:
        k = spans[id(b)][0]
        extents[k] = [min(extents[k][0], b.x0), max(extents[k][1], b.x1)]
    by_line = {}
    for g in groups:
        by_line.setdefault(g.line, []).append(g)
    # A group's own 合计/小计 is its first column.
    totals = {spans[id(b)][0] for b in leaves if normalize(b.text) in ("合计", "小计")}
    names = {spans[id(b)][0]: normalize(b.text) for b in leaves}
    top_line = min(b.line for b in blocks)
    for line, line_groups in by_line.items():
        try:
            spans.update(
                _spans_on_line(
                    sorted(line_groups, key=lambda b: b.cx), stacks, reach, columns, extents, totals, names, page_number
                )
            )
        except WorkbookUnreadable:
            alone = len(line_groups) == 1 and line == top_line and [b for b in blocks if b.line == line] == line_groups
            if not alone:
                raise
            # One label over the whole header, not centred on any run of its columns ("金额" at the
            # left): a caption of every column, as a row of its own merged across the table.
            spans[id(line_groups[0])] = (0, width - 1)
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
                f"PDF 第 {page_number} 页表头“{rows[r][a]}”与“{b.text}”（位置 {position(b)}）落在同一格，"
                "无法分清各列。请上传工作簿，或带表格线打印的 PDF。"
            )
        rows[r][a] = cell_text(b.parts)
        if z > a:
            merges.append((r, a, r, z))
    return rows, merges


def _spans_on_line(line_groups, stacks, reach, columns, extents, totals, names, page_number):
    """The runs of columns the group labels of one header line are centred over: {id(group): (a, z)}.

    Each group stands over columns with nothing at its height. Columns between two groups of the line
    belong to one of them (no label of their own stands there): where the two part is chosen for both
    labels to be as nearly centred as they can be together, not for the first alone; where that leaves
    a doubt, the second begins at its 合计 or 小计; where the columns from the first group's 合计 are
    printed again from a 合计 of the second (合计 | 一般公共预算 | … under each of two groups), the second
    begins there, however the labels are aligned in their cells."""
    homes, runs = [], []
    for g in line_groups:
        home = columns.at(g.cx)
        if home is None or not _free(home, g, stacks, reach):
            raise unplaced(page_number, g.parts[0])
        lo = hi = home
        while lo > 0 and _free(lo - 1, g, stacks, reach):
            lo -= 1
        while hi < len(columns.strips) - 1 and _free(hi + 1, g, stacks, reach):
            hi += 1
        homes.append(home)
        runs.append((lo, hi))
    # Left to right, the cheapest spans so far for each place the run shared with the next group may be
    # cut: {last column of the group before (None: it shares no run with this one): (cost, spans)}.
    best = {None: (0.0, [])}
    for i, g in enumerate(line_groups):
        lo, hi = runs[i]
        shares_next = i + 1 < len(line_groups) and homes[i + 1] > homes[i] and hi >= homes[i + 1] - 1
        shares_next = shares_next and runs[i + 1][0] <= homes[i] + 1
        cut = _repeated_from(homes[i], homes[i + 1], totals, names) if shares_next else None
        following = {}
        for before, (cost, chosen) in best.items():
            starts = [before + 1] if before is not None else range(lo, homes[i] + 1)
            ends = range(homes[i], homes[i + 1]) if shares_next else range(homes[i], hi + 1)
            for a in starts:
                if i and chosen and a <= chosen[-1][1]:
                    continue
                for z in ends:
                    if z <= a:
                        continue  # a group stands over two columns or more
                    if cut is not None and z + 1 != cut:
                        continue
                    score = _centring(g, a, z, lo, hi, columns, extents)
                    if score is None:
                        continue
                    if shares_next and any(homes[i] < t <= homes[i + 1] for t in totals) and z + 1 not in totals:
                        score += 15  # more than a character off centre
                    key = z if shares_next else None
                    total = cost + score
                    if key not in following or total < following[key][0]:
                        following[key] = (total, chosen + [(a, z)])
        if not following:
            raise WorkbookUnreadable(
                f"PDF 第 {page_number} 页表头“{g.text}”（位置 {position(g)}）下的各列无法确定。"
                "请上传工作簿，或带表格线打印的 PDF。"
            )
        best = following
    _cost, chosen = min(best.values(), key=lambda item: item[0])
    return {id(g): span for g, span in zip(line_groups, chosen)}


def _repeated_from(home, next_home, totals, names):
    """The column where the labels from the 合计 or 小计 at or left of `home` are printed again, in the
    same order, from a 合计 or 小计 up to `next_home`: the second group's first column (None if none)."""
    first = max((t for t in totals if t <= home), default=None)
    if first is None:
        return None
    for cut in sorted(t for t in totals if home < t <= next_home):
        width = cut - first
        own = [names.get(k) for k in range(first, cut)]
        again = [names.get(k) for k in range(cut, cut + width)]
        if width >= 2 and None not in own and own == again:
            return cut
    return None


def _free(k, g, stacks, reach):
    """Is column k free under group g: nothing at its height, and a label below it (or none at all)?"""
    height = g.bottom - g.top
    for b in stacks[k]:
        if b is g or b.bottom <= g.top:
            continue
        top, low = reach[id(b)]
        if min(low, g.bottom) - max(top, g.top) > height * 0.5:
            return False
    return any(b.top > g.bottom for b in stacks[k]) or not stacks[k]


def _centring(g, a, z, lo, hi, columns, strips):
    """How far a group label is from the centre of columns a..z (None: too far to stand over them).

    `strips` are the columns' extents (texts and labels). Where a column ends is known only to lie in
    the gap between its extent and the next column's. Nearest to centred counts first (within a
    character), then a run that meets its neighbours."""
    size = max(c["size"] for c in g.parts[0].chars)
    edges = columns.edges
    gaps = [(strips[0][0] - 2 * size, strips[0][0])]
    gaps += [(p[1], q[0]) for p, q in zip(strips, strips[1:])]
    gaps.append((strips[-1][1], strips[-1][1] + 2 * size))
    low = (gaps[a][0] + gaps[z + 1][0]) / 2
    high = (gaps[a][1] + gaps[z + 1][1]) / 2
    error = max(0.0, low - g.cx, g.cx - high)
    if error > max(3.0, (edges[z + 1] - edges[a]) * 0.15):
        return None
    return round(error / size) * 10 - ((a == lo) + (z == hi)) + error / 1000
