"""A printed disclosure (PDF) as the grid of cells a worksheet gives, so the one reader does the rest.

pdfplumber gives every character with its position, and the lines and rectangles drawn on the page.
Ruled tables (cells drawn with lines) become cells from their lines: a cell spanning several column or
row boundaries is a merged cell. Unruled tables (columns aligned by position only) become cells from
the alignment of their texts (unruled.py). Text outside tables (the title, 表N, 单位：万元, page numbers) becomes rows
of its own in the first columns. Characters are joined by position, not by the PDF's text order, so a
word that the text layer splits into single characters, or a name wrapped over two lines inside one
cell, reads as printed. All pages are stacked into one grid, each row remembering its page, so a table
that carries on over pages is one table, and every message can name the page.
"""

import re
from statistics import median

from disclosures.ingest import unruled
from disclosures.ingest.grid import Sheet
from disclosures.ingest.guard import WorkbookUnreadable, open_upload
from disclosures.text import normalize

MAX_PAGES = 600
# Characters are on one line where their tops differ by less than 3 points and less than a fifth of
# their height: they overlap by four fifths or more. A page fitted to a wide table prints 3-point text
# whose header rows stand 2 points apart; at a body size the points decide, as they always have.
LINE_TOLERANCE = 3
LINE_SHARE = 1 / 5
_SPACES = re.compile(r"\s+")


def page_ranges(pages):
    """[3, 4, 5, 9] -> "3–5、9"."""
    runs = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return "、".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)


def read_pdf(source) -> list[Sheet]:
    """The PDF's pages as one grid. Raises WorkbookUnreadable with a message for staff."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    source = open_upload(source, accept=("pdf",)).source
    try:
        document = pdfplumber.open(source)
        pages = document.pages
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as exc:
        raise WorkbookUnreadable(f"PDF 文件已损坏或无法解析（{type(exc).__name__}）。") from None
    except Exception as exc:  # noqa: BLE001 — pdfminer raises many kinds for a hostile file
        raise WorkbookUnreadable(f"PDF 文件无法解析（{type(exc).__name__}）。") from None
    try:
        if len(pages) > MAX_PAGES:
            raise WorkbookUnreadable(f"PDF 有 {len(pages)} 页，超过 {MAX_PAGES} 页的上限。")
        rows, merges, page_of_row = [], [], {}
        any_text = False
        running = _running_lines(pages)
        bounds = []  # the column boundaries of each ruled table placed so far
        # What a page leaves to the next: the columns of its last unruled table, a header it ends with;
        # and the scale its text is read at, the same on every page.
        state = {"scale": unruled.body_scale([c for page in pages for c in page.chars if c["text"].strip()])}
        for number, page in enumerate(pages, start=1):
            try:
                page_rows, page_merges = _page_grid(page, running, bounds, state)
            except WorkbookUnreadable:
                raise
            except Exception as exc:  # noqa: BLE001
                raise WorkbookUnreadable(f"PDF 第 {number} 页无法解析（{type(exc).__name__}）。") from None
            any_text = any_text or any(any(cell for cell in row) for row in page_rows)
            withdrawn = state.pop("withdrawn", 0)
            if withdrawn:
                # A header the page break parted: read whole on this page, so its rows on the page before go.
                for r in range(len(rows) - withdrawn, len(rows)):
                    page_of_row.pop(r, None)
                del rows[len(rows) - withdrawn:]
                merges = [m for m in merges if m[0] < len(rows)]
            offset = len(rows)
            for r, row in enumerate(page_rows):
                page_of_row[offset + r] = number
            rows.extend(page_rows)
            merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in page_merges)
        if not any_text:
            raise WorkbookUnreadable("PDF 没有文字层（可能是扫描件），无法读取其中的数字。本平台不做文字识别（OCR），请上传工作簿或带文字层的 PDF。")
    finally:
        document.close()
        if hasattr(source, "seek"):
            source.seek(0)
    sheet = Sheet("PDF", rows, merges, page_of_row=page_of_row)
    sheet.is_pdf = True
    sheet.aligned_pages = state.get("aligned", set())
    return [sheet]


BAND = 0.08  # the top and bottom share of a page where running headers and footers stand


def _band_lines(page):
    """Text lines in the page's top and bottom bands, as (band, text without digits)."""
    chars = [c for c in page.chars if c["text"].strip()]
    found = set()
    for line in _lines(chars):
        top, bottom = line[0]["top"], line[0]["bottom"]
        band = "top" if top < page.height * BAND else "bottom" if bottom > page.height * (1 - BAND) else None
        if band:
            found.update((band, re.sub(r"\d+", "#", _text(word))) for word in _words(line))
    return found


def _running_lines(pages):
    """Words printed in the same band on most pages (a running header, "第 3 页 共 24 页").

    A band line holding one of them is page furniture, not a row, even where the rest of it changes
    from page to page (the running header names each page's table)."""
    if len(pages) < 3:
        return set()
    counts = {}
    for page in pages:
        for item in _band_lines(page):
            counts[item] = counts.get(item, 0) + 1
    return {item for item, count in counts.items() if count >= max(3, len(pages) // 2)}


def _page_grid(page, running=frozenset(), bounds=None, state=None):
    """One page: rows of cell texts (top to bottom) and merged ranges, page-local.

    `state` carries the columns of the last table printed without lines to the next page."""
    state = {} if state is None else state
    chars = [c for c in page.chars if c["text"].strip()]
    if running:
        drop = set()
        for line in _lines(chars):
            top, bottom = line[0]["top"], line[0]["bottom"]
            band = "top" if top < page.height * BAND else "bottom" if bottom > page.height * (1 - BAND) else None
            if band and any((band, re.sub(r"\d+", "#", _text(word))) in running for word in _words(line)):
                drop.update(id(c) for c in line)
        chars = [c for c in chars if id(c) not in drop]
    tables = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    tables = [t for t in tables if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]
    items = []  # (top, kind, payload)
    inside = [t.bbox for t in tables]
    for table in tables:
        items.append((table.bbox[1], "table", table))
    loose = [c for c in chars if not any(_within(c, box) for box in inside)]
    lines = _lines(loose)
    if not tables and _looks_tabular(lines):
        # Columns aligned by position only: cells from the alignment of texts (see the unruled package).
        # Read at body size, at one scale for the document (columns carry on from page to page).
        read = unruled.scaled(lines, _scale(state, lines))
        rows, merges = unruled.page_rows(read, page.page_number, state, _fragments)
        state.setdefault("aligned", set()).add(page.page_number)
        return rows, merges
    state.pop("tail", None)
    if tables:
        state.pop("columns", None)
    elif lines:
        # A page of text that ends with a table's title and the first rows of its header: the next page
        # may begin with the rest of the header and the figures (see the unruled package).
        tail = unruled.header_tail(unruled.scaled(lines, _scale(state, lines)))
        if tail:
            state["tail"] = (tail, len(tail))
    for line in lines:
        items.append((line[0]["top"], "line", line))
    items.sort(key=lambda item: item[0])
    rows, merges = [], []
    for _top, kind, payload in items:
        if kind == "line":
            rows.append(_fragments(payload))
        else:
            grid, spans = _ruled(payload, chars, bounds if bounds is not None else [])
            offset = len(rows)
            rows.extend(grid)
            merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in spans)
    return rows, merges


def _scale(state, lines):
    """The document's scale (read_pdf sets it), or this page's where a page is read on its own."""
    return state.get("scale") or unruled.body_scale([c for line in lines for c in line])


def _within(char, box):
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _lines(chars):
    """Characters grouped into printed lines, each sorted left to right."""
    lines = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        first = lines[-1][0] if lines else None
        if first is not None and abs(first["top"] - char["top"]) < min(
            LINE_TOLERANCE, LINE_SHARE * min(first["bottom"] - first["top"], char["bottom"] - char["top"])
        ):
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _gap_limit(line):
    sizes = [c["size"] for c in line] or [10]
    return median(sizes) * 1.5


def _words(line, gap=1.5):
    """A line split where the gap between characters is wider than a character and a half (or `gap`)."""
    words, current, last = [], [], None
    limit = _gap_limit(line) * gap / 1.5
    for char in line:
        if last is not None and char["x0"] - last["x1"] > limit:
            words.append(current)
            current = []
        current.append(char)
        last = char
    if current:
        words.append(current)
    return words


def _text(chars):
    """Characters joined as printed: by line, top to bottom, left to right, with no space between lines."""
    parts = []
    for line in _lines(chars):
        text = ""
        previous = None
        for char in line:
            if previous is not None and char["x0"] - previous["x1"] > char["size"] * 0.6 and _latin(previous, char):
                text += " "
            text += char["text"]
            previous = char
        parts.append(text)
    return _SPACES.sub(" ", "".join(parts)).strip()


def _latin(a, b):
    return a["text"].isascii() and b["text"].isascii() and not (a["text"] + b["text"]).replace(",", "").replace(".", "").isdigit()


def _fragments(line):
    """A line outside any table as cells: the first fragment in the first column, then the others."""
    return [_text(word) for word in _words(line)]


def _ruled(table, chars, bounds):
    """A table drawn with lines: its cells from the lines, merged where a cell spans several.

    A table that continues one printed earlier (the next page, without the columns that only its
    header had) is placed under that table's columns, so its cells stay in their columns."""
    cells = [cell for cell in table.cells if cell]
    xs = _boundaries([c[0] for c in cells] + [c[2] for c in cells])
    ys = _boundaries([c[1] for c in cells] + [c[3] for c in cells])
    shift = _shift(xs, bounds)
    bounds.append(xs)
    grid = [[None] * (len(xs) - 1 + shift) for _ in range(len(ys) - 1)]
    spans = []
    box_chars = [c for c in chars if _within(c, table.bbox)]
    for x0, top, x1, bottom in cells:
        c0, c1 = _index(xs, x0), _index(xs, x1) - 1
        r0, r1 = _index(ys, top), _index(ys, bottom) - 1
        if c1 < c0 or r1 < r0:
            continue
        text = _text([c for c in box_chars if _within(c, (x0, top, x1, bottom))])
        grid[r0][c0 + shift] = text or None
        if c1 > c0 or r1 > r0:
            spans.append((r0, c0 + shift, r1, c1 + shift))
    return grid, spans


def _shift(xs, bounds, tolerance=2.0):
    """How many columns right of the first column this table starts, judged by an earlier table's lines."""
    for earlier in reversed(bounds[-3:]):
        shared = [x for x in xs if any(abs(x - e) <= tolerance for e in earlier)]
        if len(shared) >= min(3, len(xs)) and len(shared) >= len(xs) - 1:
            first = next(i for i, e in enumerate(earlier) if abs(e - xs[0]) <= tolerance) if any(
                abs(e - xs[0]) <= tolerance for e in earlier
            ) else None
            return first or 0
    return 0


def _boundaries(values, tolerance=2.0):
    found = []
    for value in sorted(values):
        if not found or value - found[-1] > tolerance:
            found.append(value)
    return found


def _index(bounds, value):
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))


def _looks_tabular(lines):
    """Unruled print: a line of three or more texts apart, and a line where a figure stands apart (or an
    empty table's lone 合计 or 栏次 row, or its header alone)."""
    # Apart means wider than a character and a half (prose spaces a figure from its words by less);
    # figures printed side by side in narrow columns may stand only half a character apart.
    split = [[_text(word) for word in _words(line)] for line in lines]
    close = [[_text(word) for word in _words(line, 0.5)] for line in lines]
    wide = any(len(texts) >= 3 for texts in split)
    figures = any(
        len(texts) >= 2 and any(re.fullmatch(r"-?[\d,]+\.\d{1,2}|-?\d[\d,]+", t) for t in near)
        for texts, near in zip(split, close)
    )
    total_only = any(len(texts) == 1 and normalize(texts[0]) in unruled.TOTALS for texts in split)
    numbered = any(  # "栏次 | 1 | 2 | 3": the column numbers under an empty table's header
        len(texts) >= 3 and normalize(texts[0]) == "栏次" and all(t.isdigit() for t in texts[1:]) for texts in split
    )
    # An empty table's header alone: a line of four or more short labels.
    labels = any(
        len(texts) >= 4 and all(len(t) <= 16 and not re.search(r"\d", t) for t in texts) for texts in split
    )
    return wide and (figures or total_only or numbered or labels)


def narrative_blocks(source):
    """The text of the pages that hold no table, as ("paragraph", text, "") blocks in reading order,
    and the set of lines printed larger or bold (headings, as a Word document's bold lines are).

    Printed lines are joined into paragraphs: a new paragraph starts after a line that ends a sentence
    (。：:), at an indented line, and at a short numbered or part heading, which is a block of its own.
    Running headers, footers and page numbers are left out."""
    import pdfplumber

    from disclosures.ingest.word import NUMBERED, PART

    source = open_upload(source, accept=("pdf",)).source
    blocks, emphasised = [], set()
    try:
        with pdfplumber.open(source) as document:
            pages = document.pages
            if len(pages) > MAX_PAGES:
                raise WorkbookUnreadable(f"PDF 有 {len(pages)} 页，超过 {MAX_PAGES} 页的上限。")
            running = _running_lines(pages)
            any_text = False
            for page in pages:
                chars = [c for c in page.chars if c["text"].strip()]
                any_text = any_text or bool(chars)
                tables = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
                lines = _lines(chars)
                if tables or _looks_tabular(lines):
                    continue
                body_size = median([c["size"] for c in chars]) if chars else 10
                paragraph, previous, previous_x = "", "", None
                for line in lines:
                    top, bottom = line[0]["top"], line[0]["bottom"]
                    band = "top" if top < page.height * BAND else "bottom" if bottom > page.height * (1 - BAND) else None
                    text = _text(line)
                    if band and (any((band, re.sub(r"\d+", "#", _text(w))) in running for w in _words(line))
                                 or re.fullmatch(r"[-—\s]*(第\s*\d+\s*页.*|\d+)[-—\s]*", text)):
                        continue
                    if re.search(r"(\.{4,}|…{2,})\s*\d*$", text):
                        continue  # a line of the contents page
                    larger = median([c["size"] for c in line]) >= body_size * 1.15
                    bold = all("bold" in c.get("fontname", "").lower() for c in line)
                    heading = len(text) <= 40 and not text.endswith("。") and bool(
                        PART.match(text) or NUMBERED.match(text) or larger or bold
                    )
                    if heading and (larger or bold):
                        emphasised.add(text)
                    indented = previous_x is not None and line[0]["x0"] - previous_x > line[0]["size"] * 1.5
                    listed = bool(re.match(r"^[•·●▪-]|^\(?[一二三四五六七八九十\d]+[)）、.]", text))
                    previous_x = line[0]["x0"]
                    if heading or indented or listed or previous.endswith(("。", "：", ":", "；")) or not paragraph:
                        if paragraph:
                            blocks.append(("paragraph", paragraph, ""))
                        paragraph = text
                        if heading:
                            blocks.append(("paragraph", paragraph, ""))
                            paragraph = ""
                    else:
                        paragraph += text
                    previous = text
                if paragraph:
                    blocks.append(("paragraph", paragraph, ""))
            if not any_text:
                raise WorkbookUnreadable("PDF 没有文字层（可能是扫描件），无法读取。本平台不做文字识别（OCR）。")
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return blocks, emphasised
