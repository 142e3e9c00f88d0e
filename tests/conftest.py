import datetime
from pathlib import Path

import pytest
from django.core.cache import cache

from disclosures.formats import get_format
from disclosures.importer import read_workbook
from disclosures.sections import parse_sections
from disclosures.services import import_disclosure, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
SEED000 = FIXTURES / "seed000_budget_2025.xlsx"
SEED004 = FIXTURES / "seed004_budget_2025.xlsx"
SEED000_SECTIONS = FIXTURES / "seed000_sections.txt"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def liaoning():
    return get_format("liaoning-budget-18")


def read(path, fmt=None, sections_path=None):
    """Read a workbook and run the identity checks, as the import command does."""
    fmt = fmt or get_format("liaoning-budget-18")
    with open(path, "rb") as handle:
        result = read_workbook(handle, fmt)
    sections = parse_sections(Path(sections_path).read_text(encoding="utf-8"), fmt) if sections_path else []
    outcomes = run_checks(result, sections) if result.ok else []
    return result, outcomes, sections


def save(path, *, department="抚顺市工业和信息化局", region="辽宁省/抚顺市", published_on=None, sections_path=None, year=2025, approved_on=datetime.date(2025, 1, 24)):
    result, outcomes, sections = read(path, sections_path=sections_path)
    return import_disclosure(
        result,
        region_path=region,
        department_name=department,
        year=year,
        kind="budget",
        approved_on=approved_on,
        published_on=published_on,
        sections=sections,
        source_file=Path(path).name,
        outcomes=outcomes,
    )


@pytest.fixture
def published_seed000(db):
    return save(
        SEED000,
        department="辽宁省互联网技术支撑中心",
        region="辽宁省",
        published_on=datetime.date(2025, 2, 8),
        sections_path=SEED000_SECTIONS,
    ).disclosure


@pytest.fixture
def published_seed004(db):
    return save(SEED004, published_on=datetime.date(2025, 2, 26)).disclosure


@pytest.fixture
def draft_seed004(db):
    return save(SEED004, department="抚顺市发展和改革委员会").disclosure
