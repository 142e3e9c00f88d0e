"""Which table is this? Found by the title printed above the header, never by the sheet's name.

Only the lines above the column header count: a title, "表N", the 部门名称 and 单位 lines. A place that
names three or more tables there is a cover or a table of contents (目录), not a table.
"""

import re

from disclosures.ingest.grid import Sheet, cell_text
from disclosures.text import normalize

TABLE_NUMBER = re.compile(r"^(?:附)?(?:表|公开)\s*(\d{1,2})\s*表?(?:[-－—]\d+)?$")
NAME_LINE = re.compile(r"^(?:部门|单位|预算单位|编制单位|填报单位)(?:名称)?[:：]\s*(.*?)(?:\s+(?:金额)?单位[:：].*)?$")
UNIT_LINE = re.compile(r"单位[:：]\s*(万元|千元|亿元|元)")
# A bare date ("2024-01-15", "2024年1月", "2024.1.15"); not an amount such as 1404.01.
_MONTH, _DAY = r"(0?[1-9]|1[0-2])", r"(0?[1-9]|[12]\d|3[01])"
DATE_LINE = re.compile(
    rf"(19|20)\d{{2}}(年{_MONTH}(月({_DAY}日)?)?|[-/]{_MONTH}([-/]{_DAY})?|\.{_MONTH}\.{_DAY})"
)
CONTINUED = re.compile(r"[（(]?续(?:表)?[)）]?$")
TITLE_ROWS = 6


def is_furniture_text(text):
    """A title-block line that is not a title: "表3", "部门名称：…", "单位：万元", a bare date."""
    text = normalize(text)
    return bool(
        TABLE_NUMBER.match(text)
        or NAME_LINE.match(text)
        or (UNIT_LINE.search(text) and len(text) < 40)
        or DATE_LINE.fullmatch(text)
        or re.fullmatch(r"(预算|决算)?年度[:：]?\d{4}年?度?", text)
    )


def title_candidates(fmt, text: str):
    """Definitions this title text could be: [(definition, "title" | "keywords")]."""
    text = CONTINUED.sub("", text)
    found = []
    for definition in fmt.tables:
        titles = [normalize(t) for t in [definition.title, *definition.aliases]]
        if text in titles:
            found.append((definition, "title"))
        elif all(normalize(word) in text for word in definition.match) and not any(
            normalize(word) in text for word in definition.exclude
        ):
            found.append((definition, "keywords"))
    return found


def title_row_hits(fmt, sheet: Sheet, r):
    """(definition, strength, title as printed) for a row that reads as a table title, else [].

    A title stands at the left edge or across most of the width; a group label inside a header
    (本年一般公共预算基本支出 over three columns) may use the same words but does neither."""
    cells = sheet.nonempty(r)
    if not cells or len(cells) > 3 or any(isinstance(v, (int, float)) for _c, v in cells):
        return []
    titled = [(c, cell_text(v)) for c, v in cells if not is_furniture_text(cell_text(v))]
    if len(titled) != 1:
        return []
    column, text = titled[0]
    if re.match(r"^(注|备注|说明)[:：]", text) or text.endswith(("。", "；")):
        return []  # a note under a table, however it is worded
    if column > 1 and not _after_a_table_or_nothing(sheet, r):
        return []
    texts = [text]
    normal = normalize(texts[0])
    if len(normal) > 60:
        return []
    return [(d, s, texts[0]) for d, s in title_candidates(fmt, normal)]


def _after_a_table_or_nothing(sheet, r):
    """Is the last filled row above r a line of figures, a note or title furniture (or is there none)?"""
    from disclosures.ingest.header import is_data_row

    for above in range(r - 1, -1, -1):
        cells = sheet.nonempty(above)
        if not cells:
            continue
        text = cell_text(cells[0][1])
        return is_data_row(sheet, above) or text.startswith(("注", "备注", "说明")) or all(
            is_furniture_text(cell_text(v)) for _c, v in cells
        )
    return True


def identify(fmt, sheet: Sheet, top_rows=TITLE_ROWS):
    """Return (definition, how, title, title_row) or (None, reason, "", -1)."""
    number = None
    title_hits = []
    for r in range(min(top_rows, len(sheet.grid))):
        cells = sheet.nonempty(r)
        if len(cells) >= 3:
            break
        for _c, value in cells:
            text = normalize(cell_text(value))
            m = TABLE_NUMBER.match(text)
            if m:
                number = str(int(m.group(1)))
                continue
            if is_furniture_text(text):
                continue
            for definition, strength in title_candidates(fmt, text):
                title_hits.append((definition, strength, cell_text(value), r))
    distinct = {d.number for d, *_ in title_hits}
    # Three table names above any header, or two with no table anywhere below them: a contents page.
    if len(distinct) >= 3 or (len(distinct) == 2 and not any(len(sheet.nonempty(r)) >= 3 for r in range(len(sheet.grid)))):
        return None, "含多个表名，视为目录或封面", "", -1
    exact = [h for h in title_hits if h[1] == "title"]
    if exact:
        definition, _s, title, row = exact[0]
        how = "按表名" + (f"（表号 表{number} 不一致）" if number and number != definition.number else "")
        return definition, how, title, row
    if len(distinct) > 1:
        narrowed = [h for h in title_hits if h[0].number == number]
        if not narrowed:
            return None, "表名有歧义：" + "、".join(sorted({d.label for d, *_ in title_hits})), "", -1
        title_hits = narrowed
    if title_hits:
        definition, _s, title, row = title_hits[0]
        how = "按表名关键词" + ("和表号" if number == definition.number else "")
        return definition, how, title, row
    if number:
        try:
            definition = fmt.table(number)
        except KeyError:
            return None, f"表{number} 不在本表式中", "", -1
        return definition, "按表号", definition.title, 0
    return None, "未找到本表式的表名", "", -1


def unit_of(sheet: Sheet, until_row):
    """The amount unit a table states in its title block (单位：元 / 金额单位：万元); None when it states none."""
    for r in range(0, min(until_row, len(sheet.grid))):
        for _c, value in sheet.nonempty(r):
            m = UNIT_LINE.search(normalize(cell_text(value)))
            if m:
                return m.group(1)
    return None
