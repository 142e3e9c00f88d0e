"""A version's PDF laid out in parts that workers render side by side, then merged into one document.

WeasyPrint lays a document out on one core, one table after another: 2–7 s for 18 tables. The parts:

- part 0, the front: the cover and the narrative sections;
- parts 1…n: the tables, in order, in TABLE_GROUPS contiguous groups of about equal size (cells plus a fixed
  cost per table, what the layout time follows).

Each part is a complete, tagged (PDF/UA-1) WeasyPrint document without page numbers. Once every part's pages
are known, merge() lays out the two small pieces that depend on the whole — the table of contents (its
page numbers) and an overlay of "第 X 页 共 Y 页" footers — and assembles one PDF with pikepdf: pages in order,
the contents after the cover, each footer stamped as an artifact, one structure tree (the parts' elements under
one Document element, their marked-content keys renumbered), an outline of the sections and tables, and the
contents' links pointed at their pages.

Where the parts are laid out: with a Celery broker (settings.CELERY_BROKER_URL, tasks not eager) store_pdf
dispatches a chord — one render_pdf_part task per part, each writing its PDF to the media storage under
pdf-parts/<run>/, then merge_pdf_parts, which reads them back, merges, stores the version's PDF and deletes the
parts. A chord needs a result backend (the parts' page counts and anchors are its results): the broker's
Redis serves. Without a broker (`make run`, tests) render_in_process runs the same functions one after another.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass, field

import pikepdf
from celery import chord, shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from disclosures.models import Version
from disclosures.rendering import rendered_tables

# Three groups of tables plus the front: with two workers the light front fills the gap the uneven groups leave,
# and each part pays WeasyPrint's fixed cost (fonts, stylesheet) once more, so more parts would not pay.
TABLE_GROUPS = 3
# What laying out one table costs beyond its cells (title, page break, header), counted in cells.
TABLE_OVERHEAD_CELLS = 40
# The contents' links are written as links to this address and pointed at their pages after the merge (a part
# does not hold the anchors they lead to, and WeasyPrint drops a link to a missing anchor).
CONTENTS_LINK = "https://contents.invalid/"
PX_TO_PT = 0.75  # WeasyPrint's positions are CSS pixels; PDF's are points.
PARTS_DIRECTORY = "pdf-parts"

FOOTER_ONLY_CSS = "@page { @top-left { content: none; } @top-right { content: none; } }"


@dataclass
class RenderedPart:
    """One part's PDF and what the merge needs to know about it."""

    index: int
    content: bytes
    # (width, height) in points, per page.
    pages: list = field(default_factory=list)
    # anchor → (page index in the part, top in points from the top of the page).
    anchors: dict = field(default_factory=dict)

    def meta(self):
        return {"index": self.index, "pages": self.pages, "anchors": self.anchors}


def plan(version, groups=TABLE_GROUPS):
    """The parts as JSON-ready dicts: {"index", "front", "tables": [positions in rendered_tables]}.

    Tables stay in order; each goes to the group its middle falls in when the total size is cut in `groups`
    equal slices, so groups are contiguous and about equal."""
    weights = [_cells(html) + TABLE_OVERHEAD_CELLS for _table, html in rendered_tables(version)]
    total = sum(weights) or 1
    buckets = [[] for _ in range(groups)]
    before = 0
    for position, weight in enumerate(weights):
        bucket = min(groups - 1, int((before + weight / 2) * groups / total))
        buckets[bucket].append(position)
        before += weight
    parts = [{"index": 0, "front": True, "tables": []}]
    for tables in buckets:
        if tables:
            parts.append({"index": len(parts), "front": False, "tables": tables})
    return parts


def _cells(html):
    return str(html).count("<td") + str(html).count("<th")


def _page_css(version):
    """The parts' pages: no footer (the merge stamps it) and the document title in the header, which in one
    document the cover sets (string-set) and a part without the cover does not see."""
    from disclosures.exports.pdf import running_title

    title = running_title(version).replace("\\", "\\\\").replace('"', '\\"')
    return f'@page {{ @bottom-center {{ content: none; }} @top-left {{ content: "{title}"; }} }}'


def _layout(html, extra_css, *, tagged=True):
    from disclosures.exports.pdf import PDF_VARIANT, STYLESHEET

    font_config = FontConfiguration()
    stylesheets = [CSS(filename=str(STYLESHEET), font_config=font_config)]
    stylesheets += [CSS(string=css, font_config=font_config) for css in extra_css]
    variant = PDF_VARIANT if tagged else None
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=stylesheets, font_config=font_config, pdf_variant=variant
    )
    return document, document.write_pdf(pdf_variant=variant)


def _described(index, document, content):
    part = RenderedPart(index=index, content=content)
    for number, page in enumerate(document.pages):
        part.pages.append((page.width * PX_TO_PT, page.height * PX_TO_PT))
        for anchor, (_left, y, *_rest) in page.anchors.items():
            part.anchors.setdefault(anchor, (number, y * PX_TO_PT))
    return part


def render_part(version, part):
    """Lay out one part of the plan (seconds for a group of tables)."""
    from disclosures.exports.pdf import pdf_html

    tables = rendered_tables(version)
    html = pdf_html(
        version,
        cover=part["front"],
        contents=None,
        sections=None if part["front"] else [],
        tables=[tables[position] for position in part["tables"]],
    )
    document, content = _layout(html, [_page_css(version)])
    return _described(part["index"], document, content)


def render_in_process(version, groups=TABLE_GROUPS):
    """The PDF with every part laid out here, one after another: what runs without a broker."""
    return merge(version, [render_part(version, part) for part in plan(version, groups)])


# —— Merging ——


@dataclass
class _Layout:
    """Where every page of the merged document comes from, in order: (source, page index in it)."""

    cover_pages: int
    contents_pages: int
    order: list

    def number(self, source, page):
        """The 1-based page number in the merged document of a source's page."""
        return self.order.index((source, page)) + 1


def _arrange(parts, contents_pages):
    front = parts[0]
    first_section = front.anchors.get("section-1")
    cover_pages = first_section[0] if first_section else len(front.pages)
    order = [(0, page) for page in range(cover_pages)]
    order += [("contents", page) for page in range(contents_pages)]
    order += [(0, page) for page in range(cover_pages, len(front.pages))]
    for part in parts[1:]:
        order += [(part.index, page) for page in range(len(part.pages))]
    return _Layout(cover_pages, contents_pages, order)


def _entries(version):
    """(anchor, label) of every section and table, in document order: the contents and the outline."""
    from disclosures.exports.pdf import contents_entries

    return contents_entries(version)


def _render_contents(version, parts, layout):
    """The table of contents with the merged page numbers; laid out again if its own length was guessed wrong."""
    from disclosures.exports.pdf import pdf_html

    where = _anchor_pages(parts)
    entries = [
        {"href": CONTENTS_LINK + anchor, "label": label, "page": layout.number(*where[anchor][:2])}
        for anchor, label in _entries(version)
    ]
    html = pdf_html(version, cover=False, contents=entries, sections=[], tables=[])
    document, content = _layout(html, [_page_css(version)])
    return _described("contents", document, content)


def _anchor_pages(parts):
    """anchor → (source, page index, top in points) across the parts."""
    where = {}
    for part in parts:
        for anchor, (page, top) in part.anchors.items():
            where.setdefault(anchor, (part.index, page, top))
    return where


def _render_footers(version, sizes, total):
    """One page per merged page, same size, with nothing but "第 X 页 共 Y 页" where pdf.css puts it."""
    sheets = "".join(
        f'<div class="{"sheet wide" if width > height else "sheet"}"></div>' for width, height in sizes
    )
    html = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>页码</title></head><body>{sheets}</body></html>'
    css = FOOTER_ONLY_CSS + " .sheet + .sheet { break-before: page; } .sheet.wide { page: wide; }"
    document, content = _layout(html, [css], tagged=False)
    if len(document.pages) != total:
        raise RuntimeError(f"页码层页数不符：{len(document.pages)} ≠ {total}")
    return content


def merge(version, parts):
    """One PDF from the rendered parts (see the module docstring)."""
    from disclosures.exports.pdf import document_title

    parts = sorted(parts, key=lambda part: part.index)
    contents_pages = 1
    for _attempt in range(3):
        layout = _arrange(parts, contents_pages)
        contents = _render_contents(version, parts, layout)
        if len(contents.pages) == contents_pages:
            break
        contents_pages = len(contents.pages)
    else:
        raise RuntimeError("目录页数不稳定")

    sources = {part.index: part for part in parts}
    sources["contents"] = contents
    pdfs = {key: pikepdf.open(io.BytesIO(part.content)) for key, part in sources.items()}
    for key, pdf in pdfs.items():
        _retag_font_subsets(pdf, str(key))
    out = pikepdf.new()
    for source, page in layout.order:
        out.pages.append(pdfs[source].pages[page])

    _merge_structure(out, pdfs, layout)
    sizes = [sources[source].pages[page] for source, page in layout.order]
    footers = pikepdf.open(io.BytesIO(_render_footers(version, sizes, len(layout.order))))
    _retag_font_subsets(footers, "footers")
    for page, footer in zip(out.pages, footers.pages):
        _stamp_artifact(out, page, footer)

    where = _anchor_pages(parts)
    _point_contents_links(out, layout, where, sources)
    with out.open_outline() as outline:
        for anchor, label in _entries(version):
            source, page, top = where[anchor]
            number = layout.number(source, page)
            height = sources[source].pages[page][1]
            outline.root.append(OutlineItem(label, number - 1, PageLocation.XYZ, top=height - top))

    front = pdfs[0]
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in front.Root:
            out.Root[key] = _copy(out, front.Root[key])
    out.Root.PageMode = Name.UseOutlines
    out.docinfo["/Title"] = document_title(version)
    for key in ("/Author", "/Subject", "/Creator", "/Producer", "/CreationDate", "/ModDate"):
        if key in front.docinfo:
            out.docinfo[key] = front.docinfo[key]
    buffer = io.BytesIO()
    out.save(
        buffer,
        min_version="1.7",
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,  # the structure tree is thousands of small objects
    )
    return buffer.getvalue()


def _retag_font_subsets(pdf, part):
    """Every part embeds its own subset of the same font under the same six-letter tag (ABCDEF+Name); a tag
    must name one subset, or a viewer may draw one part's text with another part's glyphs. Tags made unique."""
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            name = str(obj.get(key, ""))
            if len(name) > 8 and name[7] == "+":
                digest = hashlib.sha256(f"{name[1:7]}:{part}".encode()).digest()
                tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
                obj[key] = Name(f"/{tag}{name[7:]}")


def _stamp_artifact(out, page, footer):
    """Draw the footer page over `page` as an artifact (not content a screen reader reads)."""
    form = out.copy_foreign(footer.as_form_xobject())
    name = page.add_resource(form, Name.XObject, prefix="Footer")
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"\nQ\n/Artifact BMC\nq\n" + bytes(name) + b" Do\nQ\nEMC\n")


def _copy(out, obj):
    """obj of another PDF into `out`: indirect objects through pikepdf's copy (which maps each source object,
    pages included, to one copy), direct arrays and dictionaries member by member."""
    if isinstance(obj, (Array, Dictionary)) and not obj.is_indirect:
        if isinstance(obj, Array):
            return Array([_copy(out, item) for item in obj])
        return Dictionary({key: _copy(out, value) for key, value in obj.items()})
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    return obj


def _number_tree(node):
    if "/Nums" in node:
        nums = node.Nums
        for i in range(0, len(nums), 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from _number_tree(kid)


def _first_page(element, pages):
    """The index in `pages` (objgen → index) of the first page an element's content is on."""
    if "/Pg" in element:
        return pages.get(element.Pg.objgen)
    kids = element.get("/K")
    for kid in kids if isinstance(kids, Array) else [kids] if kids is not None else []:
        if isinstance(kid, Dictionary) and kid.get("/Type") != Name.MCR:
            found = _first_page(kid, pages)
            if found is not None:
                return found
    return None


def _merge_structure(out, pdfs, layout):
    """One structure tree: every part's elements under one Document element, in reading order (the cover, the
    contents, the sections, the tables), their parent-tree keys moved past the previous parts'."""
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([document])))
    document.P = root
    nums = Array()
    offset = 0
    merged_pages = {}
    for position, (source, page) in enumerate(layout.order):
        merged_pages[(source, page)] = out.pages[position].obj
    cover, contents, rest = [], [], []
    order = [0, "contents"] + [key for key in pdfs if key not in (0, "contents")]
    for source in order:
        pdf = pdfs[source]
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            continue
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        keys = 0
        for key, value in _number_tree(tree.ParentTree):
            nums.extend([key + offset, _copy(out, value)])
            keys = max(keys, key + 1)
        for index in range(len(pdf.pages)):
            merged = merged_pages[(source, index)]
            if "/StructParents" in merged:
                merged.StructParents = int(merged.StructParents) + offset
            for annotation in merged.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        for top in tree.K if isinstance(tree.K, Array) else [tree.K]:
            kids = top.K if top.get("/S") == Name.Document else Array([top])
            for kid in kids:
                if not isinstance(kid, Dictionary):
                    continue
                first = _first_page(kid, pages)
                copied = _copy(out, kid)
                copied.P = document
                if source == "contents":
                    contents.append(copied)
                elif source == 0 and first is not None and first < layout.cover_pages:
                    cover.append(copied)
                else:
                    rest.append(copied)
        offset += keys
    document.K = Array(cover + contents + rest)
    root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = offset
    out.Root.StructTreeRoot = root


def _point_contents_links(out, layout, where, sources):
    """The contents' entries were laid out as links to CONTENTS_LINK + anchor: make each a jump to its page."""
    for position, (source, _page) in enumerate(layout.order):
        if source != "contents":
            continue
        for annotation in out.pages[position].obj.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(CONTENTS_LINK) or uri[len(CONTENTS_LINK):] not in where:
                continue
            target_source, target_page, top = where[uri[len(CONTENTS_LINK):]]
            number = layout.number(target_source, target_page)
            height = sources[target_source].pages[target_page][1]
            annotation.A = Dictionary(
                S=Name.GoTo, D=Array([out.pages[number - 1].obj, Name.XYZ, None, height - top, None])
            )


# —— Celery: parts on the workers, merged when all are done ——


def dispatching():
    """True when a broker takes tasks (production); False for `make run` and tests, which run them here."""
    return bool(getattr(settings, "CELERY_BROKER_URL", "")) and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", False
    )


def _storage():
    return Version._meta.get_field("pdf").storage


def dispatch(version, groups=TABLE_GROUPS):
    """Queue the parts of a published version's PDF; the last one done triggers the merge and the store."""
    run = uuid.uuid4().hex
    parts = plan(version, groups)
    return chord(render_pdf_part.s(version.pk, part, run) for part in parts)(merge_pdf_parts.s(version.pk, run))


@shared_task(name="disclosures.render_pdf_part", acks_late=True)
def render_pdf_part(version_pk, part, run):
    """Lay out one part and leave its PDF in the media storage (shared by every worker) for the merge."""
    version = Version.objects.select_related("disclosure__department").get(pk=version_pk)
    rendered = render_part(version, part)
    name = _storage().save(f"{PARTS_DIRECTORY}/{run}/{part['index']}.pdf", ContentFile(rendered.content))
    return {**rendered.meta(), "name": name}


@shared_task(name="disclosures.merge_pdf_parts", acks_late=True)
def merge_pdf_parts(results, version_pk, run):
    """Merge the stored parts, store the version's PDF, delete the parts."""
    from disclosures.exports.pdf import save_pdf

    storage = _storage()
    version = Version.objects.select_related("disclosure__department").get(pk=version_pk)
    parts = []
    for result in results:
        with storage.open(result["name"], "rb") as handle:
            content = handle.read()
        anchors = {anchor: tuple(where) for anchor, where in result["anchors"].items()}
        pages = [tuple(size) for size in result["pages"]]
        parts.append(RenderedPart(index=result["index"], content=content, pages=pages, anchors=anchors))
    save_pdf(version, merge(version, parts))
    for result in results:
        storage.delete(result["name"])
    return version.pdf.name
