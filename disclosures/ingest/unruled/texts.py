"""Texts as a print places them: characters that touch, on one line; labels wrapped over lines."""

import re
from dataclasses import dataclass, field

from disclosures.ingest.guard import WorkbookUnreadable

NUMBER = re.compile(r"^[-−]?\(?[\d,]*\d(?:\.\d+)?\)?%?$")
GAP = 0.1  # a gap wider than this share of the font size separates two texts on a line
TOTALS = {"合计", "总计"}
BODY_SIZE = 10  # points: the size the reader's distances are set for


class Box:
    """Something printed in a rectangle (x0, x1, top, bottom): its centre."""

    @property
    def cx(self):
        return (self.x0 + self.x1) / 2

    @property
    def cy(self):
        return (self.top + self.bottom) / 2


@dataclass
class Text(Box):
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
    def is_number(self):
        return bool(NUMBER.match(self.text))


@dataclass
class Block(Box):
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
        gap = char["x0"] - current[-1]["x1"]
        # A figure and the text of the next cell: on a page fitted to its width, printed small, the
        # cells' padding shrinks with it. Past a digit, only a figure's own characters go on touching
        # ("1425.4" then "(一)社会保障…" half a point away).
        figure_ends = current[-1]["text"].isdigit() and not re.fullmatch(r"[\d.,%)）]", char["text"][:1] or " ")
        if gap > max(0.8, size * GAP) or (figure_ends and gap > size * GAP):
            found.append(Text(current, index))
            current = []
        current.append(char)
    found.append(Text(current, index))
    return found


def cell_text(texts):
    """Texts of one cell in reading order: line by line, left to right; spaces only between Latin words."""
    ordered = sorted(texts, key=lambda t: (t.line, t.x0))
    out = ""
    for t in ordered:
        piece = "".join(c["text"] for c in t.chars)
        if out and out[-1].isascii() and out[-1].isalnum() and piece[:1].isascii() and piece[:1].isalnum():
            out += " "
        out += piece
    return re.sub(r"\s+", " ", out).strip()


def median_size(chars, default=BODY_SIZE):
    """The size most of these characters are printed at (their median), or `default` where there are none."""
    sizes = sorted(c["size"] for c in chars)
    return sizes[len(sizes) // 2] if sizes else default


def body_scale(chars, size=BODY_SIZE):
    """How much larger than printed a document is read: its figures (tables print most of them; a
    narrative printed larger does not set it), else all its text, at `size` points.

    The reader's distances are set for text printed at a usual body size; a sheet fitted to a wide
    table prints its text at 3 points, and is read as if it were printed at that size."""
    body = median_size([c for c in chars if c["text"].isdigit()] or chars, size)
    return size / body if 0 < body < size else 1


def scaled(lines, factor):
    """Lines with every position multiplied by `factor`; each character keeps where it was printed
    (`printed`), for messages."""
    keys = ("x0", "x1", "top", "bottom", "size")
    return [
        [{**c, **{k: c[k] * factor for k in keys}, "printed": (c["x0"], c["top"])} for c in line] for line in lines
    ]


def position(box):
    """Where a text or label was printed on its page, for a message: "x=…, y=…" in points."""
    chars = [c for p in getattr(box, "parts", [box]) for c in p.chars]
    first = min(chars, key=lambda c: (c["top"], c["x0"]))
    x, y = first.get("printed", (first["x0"], first["top"]))
    return f"x={x:.0f}, y={y:.0f}"


def unplaced(page_number, text):
    return WorkbookUnreadable(
        f"PDF 第 {page_number} 页位置 {position(text)} 处的文字“{text.text[:20]}”无法对应到表格的某一列，"
        "未导入任何内容。"
    )
