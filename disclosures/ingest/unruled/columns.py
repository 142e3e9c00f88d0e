"""Columns of a table printed without lines: the strips its texts occupy, under the header's labels."""

from dataclasses import dataclass

from disclosures.ingest.unruled.texts import TOTALS, Text
from disclosures.text import normalize


@dataclass
class Columns:
    """Column strips of one table, left to right, and the edges between them."""

    strips: list  # [(x0, x1)]
    labels: frozenset = frozenset()  # its header's labels, to know the header printed again on a later page

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


def numbered_columns(body):
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


def within_spans(texts, spans):
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


def spaced_totals(body):
    """"合  计" letter-spaced in its cell as one word, whatever stands above the space."""
    joined = []
    for t in sorted(body, key=lambda t: (t.line, t.x0)):
        p = joined[-1] if joined else None
        if (
            p is not None and p.line == t.line and normalize(p.text + t.text) in TOTALS | {"小计"}
            and t.x0 - p.x1 <= 2 * max(c["size"] for c in t.chars)
        ):
            joined[-1] = Text(p.chars + t.chars, t.line)
            continue
        joined.append(t)
    return joined


def spaced_words(body, leaves):
    """Words of one cell apart by a space ("其他商品和服务 支出") joined again, where no column begins:
    no label starts there, and no other line's text starts there too; or where the cell's other lines
    print across the gap (a wrapped text whose space falls where a centred label happens to start)."""
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
            begins = len(aligned) >= 2 or any(p.x1 - 1 <= b.x0 <= t.x0 + 1 for b in leaves)
            # Other lines of the column printed across the gap: no column begins there, whatever starts at it.
            if gap <= size * 0.5 and (not begins or _crossed(body, t.line, p.x1, t.x0)):
                joined[-1] = Text(p.chars + t.chars, t.line)
                continue
        joined.append(t)
    return joined


def _crossed(body, line, left, right, lines=2):
    """Do texts of at least `lines` other lines print across the gap from `left` to `right`?"""
    found = set()
    for o in body:
        if o.line != line and o.x0 < left - 1 and o.x1 > right + 1:
            found.add(o.line)
            if len(found) >= lines:
                return True
    return False


def strips_of(texts):
    """[x0, x1, figures only?] for each run of the page's width the texts occupy.

    Narrow texts first: a text that would join two runs each printed on several lines stands in a
    merged cell across columns (a form's 总体目标), and does not make them one. 栏次 is placed in the
    columns the others make, unless it stands beside them all."""
    strips = []  # [x0, x1, figures only, lines]
    # "栏次" may stand centred over the cells it heads (项目 and 行次 together): it widens no column,
    # and makes one only beside all the others (序号's 栏次 over figures at the right of their column).
    numbering = [t for t in texts if normalize(t.text) == "栏次"]
    others = [t for t in texts if normalize(t.text) != "栏次"]
    for t in sorted(others, key=lambda t: t.x1 - t.x0) + numbering:
        hits = [s for s in strips if t.x0 < s[1] - 0.5 and t.x1 > s[0] + 0.5]
        if normalize(t.text) == "栏次" and (hits or any(s[1] <= t.x0 for s in strips) and any(t.x1 <= s[0] for s in strips)):
            continue
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


def columns_of(body, leaves, spans=()):
    """Strips the body's texts occupy, each with the header label standing over it.

    `spans` are the columns a 栏次 row numbers: strips within one of them are one column."""
    strips = join_numbered(strips_of(body), spans, body)
    loose = [b for b in leaves if not any(b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5 for s in strips)]
    bare = [s for s in strips if not any(b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5 for b in leaves)]
    # A label beside the figures it heads (centred in a wide column over narrow right-aligned figures):
    # the nearest pairs first, never across another label or strip.
    pairs = sorted(
        (min(abs(b.x0 - s[1]), abs(s[0] - b.x1)), i, j) for i, b in enumerate(loose) for j, s in enumerate(bare)
    )
    taken_leaves, taken_strips = set(), set()
    right = _right_aligned_figures(bare, body)
    for _d, i, j in pairs:
        if i in taken_leaves or j in taken_strips:
            continue
        b, s = loose[i], bare[j]
        right_aligned = right.get(j, False)
        if (right_aligned and b.x0 >= s[1]) or (not right_aligned and b.x1 <= s[0]):
            continue  # figures stand at their column's right edge, texts (and figures kept as text) at its left
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
    _widen_to_labels(strips, leaves)
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


def _widen_to_labels(strips, leaves):
    """A column is as wide as its own label where that label stands over it alone (a label wrapped in
    a narrow column reaches beyond its figures), never into the next column."""
    for i, s in enumerate(strips):
        over = [b for b in leaves if b.x0 < s[1] - 0.5 and b.x1 > s[0] + 0.5]
        alone = [
            b for b in over
            if not any(b.x0 < o[1] - 0.5 and b.x1 > o[0] + 0.5 for o in strips if o is not s)
        ]
        if len(over) != 1 or not alone:
            continue
        left = strips[i - 1][1] if i else float("-inf")
        right = strips[i + 1][0] if i + 1 < len(strips) else float("inf")
        s[0], s[1] = max(min(s[0], alone[0].x0), left), min(max(s[1], alone[0].x1), right)


def join_numbered(strips, spans, body):
    """A column's number in a 栏次 row standing apart from its figures (at the right edge, the figures
    at the left): the strip of the lone number and the strip of figures in one numbered column are one.

    (The first numbered column's left edge is not known: 栏次 may stand over 序号, which it does not
    number, so only a lone number joins.)"""
    def span_of(s):
        cx = (s[0] + s[1]) / 2
        return next((i for i, (a, z) in enumerate(spans) if a < cx <= z + 1), None)

    def lone(s):
        return sum(1 for t in body if t.x0 >= s[0] - 0.5 and t.x1 <= s[1] + 0.5) == 1

    joined = []
    for s in strips:
        last = joined[-1] if joined else None
        if last is not None and span_of(s) is not None and span_of(last) == span_of(s) and (lone(s) or lone(last)):
            last[1], last[2] = max(last[1], s[1]), last[2] and s[2]
            continue
        joined.append(list(s))
    return joined


def _alignment(strip, body):
    """"right" where a strip's figures share their right edge and not their left, "left" where they do
    not share it (printed as text at the left, or codes indented by level: "208", "  20805"), None
    where nothing tells (one figure, or figures all as wide)."""
    members = [t for t in body if t.x0 >= strip[0] - 0.5 and t.x1 <= strip[1] + 0.5]
    if len(members) < 2:
        return None
    lefts = max(t.x0 for t in members) - min(t.x0 for t in members) <= 1
    rights = max(t.x1 for t in members) - min(t.x1 for t in members) <= 1
    if lefts and rights:
        return None
    return "right" if rights else "left"


def _amounts(strip, body):
    """Does a strip hold amounts (a decimal point or a thousands separator), not codes?"""
    return any(("." in t.text or "," in t.text) for t in body if t.x0 >= strip[0] - 0.5 and t.x1 <= strip[1] + 0.5)


def _right_aligned_figures(strips, body):
    """{strip index: are its figures printed at the column's right edge?} for the strips of figures.

    Where a strip does not tell, the table's other strips of figures do (a sheet prints its amounts
    one way throughout: as numbers at the right, or as text at the left); at worst, figures are
    numbers, at the right."""
    found = {i: _alignment(s, body) for i, s in enumerate(strips) if s[2]}
    # Amounts vote (codes are printed as text even where amounts are numbers).
    told = [a for i, a in found.items() if a and _amounts(strips[i], body)]
    usual = "left" if told and told.count("left") > told.count("right") else "right"
    return {i: (a or usual) == "right" for i, a in found.items()}


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
            if alone or lone_number or _centred_over_both(last, s, leaves, over):
                last[1], last[2] = max(last[1], s[1]), last[2] and s[2]
                continue
        joined.append(list(s))
    return joined


def _centred_over_both(last, s, leaves, over):
    """Figures with no label of their own (序号's 1, 2, 3 right-aligned) after a column whose one label
    (序号, over 栏次) is centred over the two together, not over its own texts: one column."""
    if not s[2] or any(over(b, s) for b in leaves):
        return False
    own = [b for b in leaves if over(b, last)]
    if len(own) != 1:
        return False
    b = own[0]
    size = max(c["size"] for p in getattr(b, "parts", [b]) for c in p.chars)
    both, alone = abs(b.cx - (last[0] + s[1]) / 2), abs(b.cx - (last[0] + last[1]) / 2)
    return both <= size * 0.5 and both < alone and b.x1 < s[0]


def carry(carried, body):
    """A table part without a header takes the columns of the part before it."""
    return Columns(list(carried.strips), carried.labels)
