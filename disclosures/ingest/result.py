"""What the reader hands on: the tables it read, row by row, and what it found wrong.

Nothing here touches the database; `disclosures.services` decides what to keep.
"""

from dataclasses import dataclass, field

from disclosures.ingest.formats import FormatDefinition, TableDefinition


@dataclass
class Finding:
    level: str  # error | warning | missing | info
    message: str
    sheet: str = ""
    cell: str = ""
    identity: str = ""
    figures: dict = field(default_factory=dict)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v not in ("", {}, None)}


@dataclass
class ParsedRow:
    kind: str = "line"
    code: str = ""
    name: str = ""
    level: int = 0
    unit_code: str = ""
    unit_name: str = ""
    is_total: bool = False
    cells: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # role key -> Decimal, in the table's unit
    source: str = ""  # "Sheet1!7"

    def amount(self, key):
        return self.values.get(key)


@dataclass
class ColumnReading:
    """One column of the workbook's header and the role it was given (the check report shows these)."""

    header: str  # the header path as printed, "本年收入/单位资金"
    cell: str  # where the header's lowest cell stands, "H5"
    key: str  # the role key, or "extra_H" for a column kept without a role
    role: str = ""  # the role's label path in the format, "本年收入/单位资金/小计"; "" when none
    year: str = ""  # "current" | "prior" when the header carried a year label

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class ParsedTable:
    definition: TableDefinition
    title: str
    sheet: str
    matched_by: str
    columns: list  # the column tree as the workbook prints it (dicts: label, key, children…)
    rows: list[ParsedRow] = field(default_factory=list)
    note: str = ""
    unit_label: str = "万元"
    extra_columns: list[str] = field(default_factory=list)
    column_numbers: dict = field(default_factory=dict)  # leaf key -> its 栏次 as printed ("<" under a merged cell)
    readings: list[ColumnReading] = field(default_factory=list)
    absent_roles: list[str] = field(default_factory=list)  # role labels the workbook does not print
    sheets: list[str] = field(default_factory=list)  # every sheet (or page) the table was read from
    pages: list[int] = field(default_factory=list)  # PDF pages, when read from a PDF
    printed_lines: list[ParsedRow] = field(default_factory=list)  # a table of panels: its lines as printed

    @property
    def is_empty(self):
        return not any(row.values for row in self.rows)


@dataclass
class ImportResult:
    format: FormatDefinition
    tables: dict[str, ParsedTable] = field(default_factory=dict)  # by table number
    findings: list[Finding] = field(default_factory=list)
    source_kind: str = "xlsx"  # "pdf" when the tables were read from a printed PDF

    def add(self, level, message, **kwargs):
        self.findings.append(Finding(level, message, **kwargs))

    @property
    def errors(self):
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self):
        return [f for f in self.findings if f.level == "warning"]

    @property
    def missing(self):
        return [f for f in self.findings if f.level == "missing"]

    @property
    def infos(self):
        return [f for f in self.findings if f.level == "info"]

    @property
    def ok(self):
        return not self.errors

    def ordered_tables(self):
        return sorted(self.tables.values(), key=lambda t: t.definition.position)

    def figures(self):
        """Every figure read, by table, row position and role: what two readings must agree on."""
        return {
            number: [
                (row.kind, row.code, row.name, tuple(sorted((k, v) for k, v in row.values.items() if not k.startswith("extra_"))))
                for row in table.rows
            ]
            for number, table in self.tables.items()
        }
