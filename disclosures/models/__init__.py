from .audit import AuditEvent
from .disclosure import Disclosure, DisclosureTable, Section, TableRow, Version
from .organisation import Department, Region, Unit

__all__ = [
    "AuditEvent",
    "Department",
    "Disclosure",
    "DisclosureTable",
    "Region",
    "Section",
    "TableRow",
    "Unit",
    "Version",
]
