"""Staff listings rendered with django-tables2: sortable columns and pages, filters kept in the URL."""


def aria_sort(bound_column):
    """Tell assistive technology which column the rows are sorted by, and which way (WAI-ARIA aria-sort)."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


# Every column header is a header for its column (WCAG 1.3.1) and says whether it sorts the rows.
HEADER = {"th": {"scope": "col", "aria-sort": aria_sort}}
