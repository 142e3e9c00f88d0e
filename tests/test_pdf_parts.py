"""A version's PDF laid out in parts and merged: page numbers, contents, outline and tags across the parts.

Seed 000 (four narrative sections, fifteen tables) is laid out once per run (seconds); every test reads the
same parts and merged PDF.
"""

import io
import json
import re
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from disclosures.exports import pdf as pdf_export
from disclosures.exports import pdf_parts
from disclosures.rendering import rendered_tables

_rendered = {}


@pytest.fixture
def merged(published_seed000, tmp_path):
    """(version, parts, merged PDF path). Every test builds the same fixture data, so it is laid out once."""
    version = published_seed000.published_version
    if "seed000" not in _rendered:
        parts = [pdf_parts.render_part(version, part) for part in pdf_parts.plan(version)]
        _rendered["seed000"] = (parts, pdf_parts.merge(version, parts))
    parts, content = _rendered["seed000"]
    path = tmp_path / "seed000.pdf"
    path.write_bytes(content)
    return version, parts, path


def page_texts(path):
    """The text of every page (pdftotext separates pages with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def contents_pages(texts):
    """{label's first word: page number} from the contents page."""
    return dict(re.findall(r"^\s*(\S+).*?[\s.]+(\d+)\s*$", texts[1], flags=re.M))


def test_the_plan_covers_every_table_once_and_in_order(published_seed000, published_seed004):
    for disclosure in (published_seed000, published_seed004):
        version = disclosure.published_version
        count = len(rendered_tables(version))
        for groups in (1, 2, 3, 5):
            plan = pdf_parts.plan(version, groups)
            assert plan[0] == {"index": 0, "front": True, "tables": []}  # cover and sections
            assert [part["index"] for part in plan] == list(range(len(plan)))
            assert all(part["tables"] and not part["front"] for part in plan[1:])
            assert [position for part in plan for position in part["tables"]] == list(range(count))
            assert len(plan) == groups + 1
    # Balanced: with three groups no group holds more than half of seed 004's cells.
    version = published_seed004.published_version
    cells = [pdf_parts._cells(html) for _table, html in rendered_tables(version)]
    for part in pdf_parts.plan(version)[1:]:
        assert sum(cells[position] for position in part["tables"]) < sum(cells) / 2


def test_the_merged_pdf_has_every_part_s_pages_plus_the_contents(merged):
    _version, parts, path = merged
    assert len(parts) == 4 and sum(len(part.pages) for part in parts[1:]) > 10
    texts = page_texts(path)
    assert len(PdfReader(path).pages) == len(texts) == sum(len(part.pages) for part in parts) + 1
    assert "目          录" in texts[1] or re.search(r"目\s+录", texts[1])
    assert "2025 年部门预算公开" in texts[0] and "部门职责" in texts[2]


def test_every_page_shows_its_number_and_the_page_count(merged):
    _version, _parts, path = merged
    texts = page_texts(path)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert re.findall(r"第 \d+ 页 共 \d+ 页", text) == [f"第 {number} 页 共 {total} 页"], number


def test_the_contents_give_the_page_each_section_and_table_starts_on(merged):
    version, _parts, path = merged
    texts = page_texts(path)
    listed = contents_pages(texts)
    tables = rendered_tables(version)
    for table, _html in tables:
        page = int(listed[table.number_label])
        running = f"{table.number_label} {table.title}"  # the page header line of the table's pages
        assert running in texts[page - 1], table.number_label
        assert running not in texts[page - 2], table.number_label  # it starts there
    for section in version.sections.all():
        page = int(listed[section.title])
        assert section.title in texts[page - 1].split("\n", 3)[-1]  # in the body, not only the header
    assert len([1 for table, _ in tables if table.number_label in listed]) == len(tables) == 15


def test_the_outline_and_the_contents_links_lead_to_the_pages(merged):
    version, _parts, path = merged
    listed = contents_pages(page_texts(path))
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    with pdf.open_outline() as outline:
        items = [(item.title, pages[item.destination[0].objgen]) for item in outline.root]
    entries = pdf_export.contents_entries(version)
    assert [title for title, _page in items] == [label for _anchor, label in entries]
    assert len(items) == 4 + 15
    for title, page in items:
        assert int(listed[title.split("\u3000")[0]]) == page, title
    links = [
        pages[annotation.A.D[0].objgen]
        for annotation in pdf.pages[1].obj.Annots
        if annotation.get("/A") is not None and annotation.A.get("/S") == pikepdf.Name.GoTo
    ]
    assert sorted(set(links)) == sorted({page for _title, page in items})


def _elements(element):
    yield element
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in (pikepdf.Name.MCR, pikepdf.Name.OBJR):
            yield from _elements(kid)


def _pages_of(element, pages):
    return {pages[e.Pg.objgen] for e in _elements(element) if "/Pg" in e}


def test_the_merged_pdf_is_tagged_with_one_structure_tree(merged):
    version, parts, path = merged
    pdf = pikepdf.open(path)
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "zh-CN"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == pdf_export.document_title(version)
    metadata = str(pdf.open_metadata())
    assert 'pdfuaid:part="1"' in metadata and pdf_export.document_title(version) in metadata

    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    tree = root.StructTreeRoot
    assert len(tree.K) == 1 and tree.K[0].S == pikepdf.Name.Document
    document = tree.K[0]
    assert all(kid.P.objgen == document.objgen for kid in document.K)
    # Every page's content (every part's, and the contents') is in the tree, in page order.
    firsts = [min(_pages_of(kid, pages)) for kid in document.K if _pages_of(kid, pages)]
    assert set(firsts) == set(range(1, len(pdf.pages) + 1)) and firsts == sorted(firsts)
    # Each page's marked content resolves through the parent tree under a key of its own.
    nums = tree.ParentTree.Nums
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert len(parent_tree) == len(nums) // 2
    keys = [int(page.obj.StructParents) for page in pdf.pages]
    assert len(set(keys)) == len(keys) and set(keys) <= set(parent_tree)
    for number, page in enumerate(pdf.pages, start=1):
        marked = parent_tree[int(page.obj.StructParents)]
        assert len(marked) and all(pages[element.Pg.objgen] == number for element in marked if "/Pg" in element)
        contents = page.obj.Contents
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        assert b"/Artifact BMC" in streams[-1].read_bytes()  # the stamped footer, not read aloud
    # A table element with header cells on the page every table starts on; the cover's facts are a table too.
    listed = contents_pages(page_texts(path))
    tables = [e for e in _elements(document) if e.get("/S") == pikepdf.Name.Table]
    table_pages = {}
    for table in tables:
        assert any(e.get("/S") == pikepdf.Name.TH for e in _elements(table))
        for page in _pages_of(table, pages):
            table_pages[page] = table_pages.get(page, 0) + 1
    starts = {int(listed[table.number_label]) for table, _html in rendered_tables(version)}
    assert starts <= set(table_pages) and 1 in table_pages
    assert len(tables) >= len(starts) + 1


def test_with_a_broker_store_pdf_queues_the_parts_instead_of_laying_them_out(published_seed004, settings, monkeypatch):
    version = published_seed004.published_version
    settings.CELERY_BROKER_URL = ""
    assert not pdf_parts.dispatching()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert not pdf_parts.dispatching()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert pdf_parts.dispatching()
    queued = []
    monkeypatch.setattr(pdf_parts, "dispatch", queued.append)
    monkeypatch.setattr(pdf_export, "render_pdf", lambda version: pytest.fail("laid out in the caller"))
    pdf_export.store_pdf(version)
    assert queued == [version] and not version.pdf


def test_the_worker_tasks_store_the_parts_then_merge_store_and_clean_up(merged, published_seed000, monkeypatch):
    """What the chord runs: each part task leaves its PDF in storage and returns JSON; the merge stores the file."""
    version, parts, _path = merged
    by_index = {part.index: part for part in parts}
    monkeypatch.setattr(pdf_parts, "render_part", lambda version, part: by_index[part["index"]])
    run = "test-run"
    results = [json.loads(json.dumps(pdf_parts.render_pdf_part(version.pk, part, run))) for part in pdf_parts.plan(version)]
    storage = pdf_parts._storage()
    assert all(storage.exists(result["name"]) for result in results)
    assert all(result["name"].startswith(f"pdf-parts/{run}/") for result in results)
    name = pdf_parts.merge_pdf_parts(results, version.pk, run)
    version.refresh_from_db()
    assert version.pdf.name == name and name.startswith(f"pdf/disclosure-{version.disclosure_id}-v1-")
    assert not any(storage.exists(result["name"]) for result in results)
    stored = PdfReader(io.BytesIO(version.pdf.read()))
    assert len(stored.pages) == sum(len(part.pages) for part in parts) + 1
