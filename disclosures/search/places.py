"""Terms that say where: "2080505 抚顺" asks for the lines 2080505 in the disclosures of 抚顺.

A line's text is its code and name, and 抚顺 is nowhere in it; so a query whose terms must all be in
the same entry finds nothing. In a query of several terms, a term that is part of a region's name or of
a department's name is read as a place: it matches an entry that contains it, or that comes from such
a region (or one below it) or such a department. The other terms match the text as before.

A query made only of such terms ("抚顺 教育局") stays a text search: it names a department, whose entry
holds both words.
"""

from dataclasses import dataclass, field

from disclosures.models import Department, Region

from .text import normalize, terms

# A term held by more department names than this ("中心", "教育局" in a province) is too vague to read
# as a department: each one is an operand the index checks on every match (369 of them: 160 ms on the
# bench province for one group). Such a term still counts as a place if a region's name holds it.
MAX_DEPARTMENTS = 100


@dataclass
class Place:
    term: str
    region_ids: list[int] = field(default_factory=list)  # the regions named; entries carry their ancestors
    area_ids: list[int] = field(default_factory=list)  # those regions and every region below them
    department_ids: list[int] = field(default_factory=list)


def _is_cjk_word(term):
    return len(term) >= 2 and any("\u4e00" <= ch <= "\u9fff" for ch in term)


def _place(term, regions):
    named = [pk for pk, name, _parent in regions if term in normalize(name)]
    departments = list(Department.objects.filter(name__contains=term).values_list("pk", flat=True)[: MAX_DEPARTMENTS + 1])
    if len(departments) > MAX_DEPARTMENTS:
        departments = []
    if not named and not departments:
        return None
    children = {}
    for pk, _name, parent in regions:
        children.setdefault(parent, []).append(pk)
    area, frontier = set(named), list(named)
    while frontier:
        frontier = [child for pk in frontier for child in children.get(pk, [])]
        area.update(frontier)
    return Place(term, region_ids=named, area_ids=sorted(area), department_ids=departments)


def split(query):
    """(the query's text terms joined by spaces, [Place]) — no places unless some term is text."""
    words = terms(query)
    if len(words) < 2:
        return " ".join(words), []
    regions = list(Region.objects.order_by().values_list("pk", "name", "parent_id"))
    places = {word: _place(word, regions) for word in words if _is_cjk_word(word)}
    text = [word for word in words if places.get(word) is None]
    if not text:
        return " ".join(words), []
    return " ".join(text), [place for place in places.values() if place is not None]
