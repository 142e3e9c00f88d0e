"""One table: its unit, its header mapped to roles, then its rows.

The column tree kept with the table is the workbook's own header; each leaf carries the role it was
given (its key) or, without one, an "extra_" key under which its cells are still kept, shown and
exported. Roles the workbook does not print are listed, so the report and the checks can say so.
"""

from disclosures.ingest.header import find_header, header_tree, read_header
from disclosures.ingest.result import ColumnReading, ParsedTable
from disclosures.ingest.roles import assign, roles_for
from disclosures.ingest.amounts import parse_amount
from disclosures.ingest.rows import extra_key, read_body, split_panels
from disclosures.ingest.titles import unit_of

# Row kinds whose lines cannot be read without one of these roles.
LABEL_ROLES = {
    "function": ("code", "name"),
    "economic": ("code", "name"),
    "units": ("unit_name",),
    "projects": ("project_name", "unit_name"),
}


def read_table(sheet, definition, title, title_row, result, how, *, fmt=None, extra_labels=None, default_unit=None):
    """Read one table from `sheet` (its title at `title_row`). None when it cannot be read (errors said why)."""
    from disclosures.ingest.forms import read_form

    label = definition.label
    unit = unit_of(sheet, title_row + 6)
    if unit is None and default_unit:
        unit = default_unit  # a continuation carries the unit of the table it continues
    if unit is None:
        unit = fmt.unit if fmt is not None else "万元"
        if definition.rows != "form":
            result.add("info", f"{label}：表头未注明金额单位，按表式的 {unit} 读取。", sheet=sheet.name)
    if definition.rows == "form":
        return read_form(sheet, definition, title, title_row, result, how, unit)

    role_set = roles_for(definition, extra_labels)
    first, depth = find_header(sheet, role_set.known_labels, title_row + 1)
    if first is None:
        result.add("error", f"{label}：在工作表“{sheet.name}”中找不到表头。", sheet=sheet.name)
        return None
    header = read_header(sheet, first, depth)
    body_start = first + depth
    assignment = assign(role_set, {column.col: column.path for column in header})
    by_col = {column.col: column for column in header}
    for display, columns in assignment.conflicts:
        cells = "、".join(f"{by_col[c].cell}“{'/'.join(by_col[c].labels)}”" for c in columns)
        result.add(
            "error",
            f"{label}：工作表“{sheet.name}”的 {cells} 都可读作“{display}”，无法确定哪一列是。请删去多余的列或改正表头。",
            sheet=sheet.name,
            cell=by_col[columns[0]].cell,
        )
    if assignment.conflicts:
        return None

    parsed = ParsedTable(
        definition=definition, title=title, sheet=sheet.name, matched_by=how, columns=[], unit_label=unit,
        sheets=[sheet.name],
    )
    text_cols, amount_cols, leaves = {}, {}, {}
    for column in header:
        c = column.col
        role = assignment.roles.get(c)
        if role is not None:
            key = assignment.keys[c]
            (text_cols if role.is_text else amount_cols)[key] = c
            node = {"label": column.labels[-1], "key": key, "col": c}
            if role.is_text:
                node["text"] = True
            parsed.readings.append(ColumnReading("/".join(column.labels), column.cell, key, role.display, assignment.years[c]))
        else:
            key = extra_key(c)
            # Read as text first; a column whose every line is a figure becomes an amount column below.
            node = {"label": column.labels[-1], "key": key, "col": c, "extra": True, "text": True}
            text_cols[key] = c
            parsed.readings.append(ColumnReading("/".join(column.labels), column.cell, key))
            parsed.extra_columns.append("/".join(column.labels))
        leaves[c] = node
    _attach_panels(definition, leaves)
    parsed.columns = header_tree(header, lambda column: leaves[column.col])
    _name_groups(parsed.columns)

    if parsed.extra_columns:
        result.add("info", f"{label}：保留了表式之外的列“{'”“'.join(parsed.extra_columns)}”（照原样保存和展示）。", sheet=sheet.name)
    present = set(assignment.keys.values())
    parsed.absent_roles = [role.display for role in assignment.absent if not role.is_text]
    if parsed.absent_roles:
        result.add(
            "info",
            f"{label}：工作簿没有这些列：{'、'.join(parsed.absent_roles)}；涉及它们的核对不进行。",
            sheet=sheet.name,
        )
    if definition.panel:
        present = {leaves[c].get("panel_key", leaves[c]["key"]) for c in assignment.keys}
    wanted = LABEL_ROLES.get(definition.rows)
    if wanted and not present & set(wanted):
        result.add("error", f"{label}：工作表“{sheet.name}”的表头中找不到“{'”或“'.join(_display(role_set, wanted))}”列，无法读出各行。", sheet=sheet.name)
        return None
    if not any(not role.is_text for role in assignment.roles.values()):
        result.add("error", f"{label}：工作表“{sheet.name}”的表头中找不到任何金额列。", sheet=sheet.name)
        return None

    read_body(
        sheet, body_start, parsed, text_cols=text_cols, amount_cols=amount_cols,
        header_first=sheet.texts(first), depth=depth, fmt=fmt, result=result,
    )
    # The pages of its title and header count too (an empty table is still printed somewhere).
    parsed.pages = sorted(set(parsed.pages) | set(sheet.pages(range(max(title_row, 0), body_start))))
    _figures_of_extra_columns(parsed, [n for n in leaves.values() if n.get("extra")])
    for node in leaves.values():
        if node["key"] in parsed.column_numbers:
            node["number"] = parsed.column_numbers[node["key"]]
    finish(parsed)
    return parsed


def finish(parsed):
    """What follows from all the rows: panels read apart, a one-line table kept to its line."""
    definition = parsed.definition
    if definition.panel:
        # Panels are read apart from the printed lines, so a continuation extends the lines, not the panels.
        if not parsed.printed_lines:
            parsed.printed_lines = parsed.rows
        parsed.rows = split_panels(parsed.printed_lines, definition)
    if definition.rows == "single":
        parsed.rows = [row for row in parsed.rows if row.values][:1] or parsed.rows[:1]


def _figures_of_extra_columns(parsed, nodes):
    """A column without a role whose every filled line is a figure holds amounts (kept as Decimals)."""
    for node in nodes:
        key = node["key"]
        texts = [row.cells[key] for row in parsed.rows if row.cells.get(key)]
        try:
            for text in texts:
                parse_amount(text)
        except ValueError:
            continue
        if not texts:
            continue
        node.pop("text", None)
        for row in parsed.rows:
            if key in row.cells:
                amount = parse_amount(row.cells.pop(key))
                if amount is not None:
                    row.values[key] = amount


def _name_groups(nodes):
    """A group's key is what its columns' role keys share ("basic" over basic_subtotal, basic_personnel)."""
    for node in nodes:
        if not node.get("children"):
            continue
        _name_groups(node["children"])
        keys = [child["key"] for child in node["children"]]
        parts = [key.split("_") for key in keys if key and not key.startswith("extra_")]
        if len(parts) != len(keys):
            continue
        common = []
        for segments in zip(*parts):
            if len(set(segments)) != 1:
                break
            common.append(segments[0])
        if common and all(len(p) > len(common) for p in parts):
            node["key"] = "_".join(common)


def _display(role_set, keys):
    return [role.display for role in role_set.roles if role.key in keys]


def _attach_panels(definition, leaves):
    """In a table of panels, each leaf says which panel it is in and the panel key its figures go under."""
    if not definition.panel:
        return
    panel_keys = [leaf.key for column in definition.panel for leaf in column.leaves()]
    printed = [leaf.key for leaf in definition.leaves()]
    for node in leaves.values():
        if node["key"] in printed:
            index = printed.index(node["key"])
            node["panel"] = index // len(panel_keys)
            node["panel_key"] = panel_keys[index % len(panel_keys)]
