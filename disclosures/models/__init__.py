from .audit import AuditEvent
from .bulk import BulkArchive
from .calendar import CalendarDay, CalendarYear
from .disclosure import Disclosure, DisclosureTable, Section, TableRow, Version
from .format_assignment import FormatAssignment, LayoutVariant, format_for, saved_layouts
from .membership import Membership, can_see_department, roles_in_department
from .organisation import Department, Region, Unit
from .secrecy import SecrecyFlag, SecrecySettings
from .subscription import Subscription
from .workflow import Reminder, Review, WarningAcknowledgement

__all__ = [
    "AuditEvent",
    "BulkArchive",
    "CalendarDay",
    "CalendarYear",
    "Department",
    "Disclosure",
    "DisclosureTable",
    "FormatAssignment",
    "LayoutVariant",
    "Membership",
    "Region",
    "Reminder",
    "SecrecyFlag",
    "SecrecySettings",
    "Review",
    "Section",
    "Subscription",
    "TableRow",
    "Unit",
    "Version",
    "WarningAcknowledgement",
    "can_see_department",
    "format_for",
    "saved_layouts",
    "roles_in_department",
]
