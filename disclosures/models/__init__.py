from .audit import AuditEvent
from .disclosure import Disclosure, DisclosureTable, Section, TableRow, Version
from .membership import Membership, can_see_department
from .organisation import Department, Region, Unit

__all__ = [
    "AuditEvent",
    "Department",
    "Disclosure",
    "Membership",
    "can_see_department",
    "DisclosureTable",
    "Region",
    "Section",
    "TableRow",
    "Unit",
    "Version",
]
