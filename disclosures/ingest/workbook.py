"""The workbook: its sheets read into grids, each cut into tables, each table read against the format."""

from openpyxl import load_workbook

from disclosures.ingest.grid import Sheet
from disclosures.ingest.guard import WorkbookUnreadable, open_upload
from disclosures.ingest.layout import blocks
from disclosures.ingest.result import ImportResult
from disclosures.ingest.table import finish, read_table
from disclosures.ingest.titles import CONTINUED, identify
from disclosures.text import normalize


def load_sheets(source) -> list[Sheet]:
    """Every worksheet of an .xlsx, or a PDF's pages, as grids. Raises WorkbookUnreadable with a message for staff."""
    from disclosures.ingest.pdf import read_pdf

    upload = open_upload(source)  # the guard, before anything reads the file
    if upload.kind == "pdf":
        return read_pdf(upload)
    source = upload.source
    try:
        workbook = load_workbook(source, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise WorkbookUnreadable(f"文件已损坏或格式不受支持，无法读取（{type(exc).__name__}）。") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return [Sheet.from_worksheet(worksheet) for worksheet in workbook.worksheets]


def read_workbook(source, fmt, *, layout=None) -> ImportResult:
    """Read every sheet of the workbook against the format. Never raises for bad input: it reports."""
    try:
        sheets = load_sheets(source)
    except WorkbookUnreadable as exc:
        result = ImportResult(format=fmt)
        result.add("error", str(exc))
        return result
    return read_sheets(sheets, fmt, layout=layout)


def read_sheets(sheets, fmt, *, layout=None) -> ImportResult:
    """Read grids (from a workbook or a PDF) against the format.

    `layout` is a saved layout variant's wordings: {table number: {role key: [wordings]}} and titles."""
    result = ImportResult(format=fmt, source_kind="pdf" if any(sheet.is_pdf for sheet in sheets) else "xlsx")
    layout = layout or {}
    last = None
    for sheet in sheets:
        if sheet.hidden:
            result.add("info", f"工作表“{sheet.name}”是隐藏的工作表，未读取。", sheet=sheet.name)
            continue
        if not sheet.grid or all(sheet.is_blank(r) for r in range(len(sheet.grid))):
            result.add("info", f"{_place(sheet)}为空，已跳过。", sheet=sheet.name)
            continue
        for block in blocks(sheet, fmt):
            last = _read_block(block, fmt, result, layout, last)

    if not result.tables:
        if not result.errors:
            result.add("error", f"工作簿中没有找到“{fmt.name}”的任何一张表。")
        return result
    _flag_aligned(sheets, result)
    for definition in fmt.tables:
        if definition.number not in result.tables and definition.mandatory:
            result.add("missing", f"缺少 表{definition.number} {definition.title}。")
    return result


def _read_block(block, fmt, result, layout, last):
    """Read one block into `result`; returns the table read last (a following block may continue it)."""
    sheet = block.sheet
    definition, how, title, title_row = identify(fmt, sheet)
    continued = bool(title) and bool(CONTINUED.search(normalize(title)))
    if definition is None or (not block.titled and how == "按表号"):
        if last is not None and _continues(sheet, last, fmt, result, layout):
            return last
        if block.titled or any(sheet.texts(r) for r in range(len(sheet.grid))):
            result.add("info", f"{_place(sheet)}不是本表式的表格（{how}），已跳过。", sheet=sheet.name)
        return last
    extra = layout.get(definition.number, {})
    if definition.number in result.tables:
        earlier = result.tables[definition.number]
        if continued or definition.rows == "form" or earlier is last:
            part = read_table(sheet, definition, title, title_row, result, how, fmt=fmt, extra_labels=extra,
                              default_unit=earlier.unit_label)
            if part is not None and _append(earlier, part, result):
                return earlier
            if part is None:
                return last
        result.add(
            "error",
            f"{_place(sheet)}和{_place_of(earlier)}都是表{definition.number} {definition.title}，请只保留一张。",
            sheet=sheet.name,
        )
        return last
    parsed = read_table(sheet, definition, title, title_row, result, how, fmt=fmt, extra_labels=extra)
    if parsed is None:
        return last
    result.tables[definition.number] = parsed
    result.add(
        "info",
        f"{_place(sheet)}读作 表{definition.number} {definition.title}（{how}），{len(parsed.rows)} 行。",
        sheet=sheet.name,
    )
    return parsed


def _place(sheet):
    """Where a block stands, for messages: 工作表“表3”(第 40 行起), or PDF 第 3 页."""
    if sheet.is_pdf:
        pages = sheet.pages(range(len(sheet.grid)))
        return f"PDF 第 {pages[0]} 页" if pages else "PDF"
    return f"工作表“{sheet.name}”" + (f"第 {sheet.row_offset + 1} 行起" if sheet.row_offset else "")


def _place_of(table):
    return f"PDF 第 {table.pages[0]} 页" if table.pages else f"“{table.sheet}”"


def _continues(sheet, last, fmt, result, layout):
    """Rows with no title that carry on the table read just before: the same header, then more lines."""
    # A trial reading: its findings go to a result of its own, so a failed guess leaves no trace.
    part = read_table(sheet, last.definition, last.title, -1, ImportResult(format=fmt), "续表", fmt=fmt,
                      extra_labels=layout.get(last.definition.number, {}), default_unit=last.unit_label)
    if part is None or not part.rows:
        return False
    return _append(last, part, result)


def _append(table, part, result):
    """Add a continuation's rows to the table, when its columns are the table's columns."""
    if [r.key for r in part.readings] != [r.key for r in table.readings] or part.unit_label != table.unit_label:
        return False
    if table.definition.panel:
        table.printed_lines.extend(part.printed_lines)
    else:
        table.rows.extend(part.rows)
    table.note = "\n".join(filter(None, [table.note, part.note]))
    finish(table)
    for sheet in part.sheets:
        if sheet not in table.sheets:
            table.sheets.append(sheet)
    table.pages = sorted(set(table.pages) | set(part.pages))
    where = f"PDF 第 {'、'.join(map(str, part.pages))} 页" if part.pages else f"“{part.sheet}”"
    result.add("info", f"表{table.definition.number} {table.definition.title}在{where}续表，共 {len(table.rows)} 行。", sheet=part.sheet)
    return True


def _flag_aligned(sheets, result):
    """A table printed without lines was read by the alignment of its texts: say so, with its pages,
    so that staff compare it with the print before it is saved (the identities check its figures)."""
    from disclosures.ingest.pdf import page_ranges

    aligned = set().union(*(sheet.aligned_pages for sheet in sheets))
    for number, table in result.tables.items():
        pages = sorted(set(table.pages) & aligned)
        if pages:
            result.add(
                "warning",
                f"表{number} {table.definition.title}：PDF 第 {page_ranges(pages)} 页的表格没有表格线，"
                "各列是按文字位置对齐读出的，请与原件核对。",
            )
