import datetime
from pathlib import Path

import pytest
from django.core.cache import cache

from disclosures.ingest.formats import get_format
from disclosures.ingest import read_workbook
from disclosures.sections import parse_sections
from disclosures.services import import_disclosure, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
SEED000 = FIXTURES / "seed000_budget_2025.xlsx"
SEED004 = FIXTURES / "seed004_budget_2025.xlsx"
SEED004_2024 = FIXTURES / "seed004_budget_2024.xlsx"
SEED000_SECTIONS = FIXTURES / "seed000_sections.txt"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded workbooks and generated files go to a per-test folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff personas are created in most tests; PBKDF2's deliberate slowness would cost minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sign_in_checks_off(settings):
    """The suite signs staff in with force_login and travels in time within one session: the second
    factor, the idle timeout and password expiry are off, except in tests/accounts, which turn them on."""
    settings.SECOND_FACTOR_REQUIRED = False
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 0
    settings.PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture(autouse=True)
def _no_pdf_on_publish(settings):
    """PDF layout takes seconds; only the tests about it build one (they set PDF_ON_PUBLISH themselves)."""
    settings.PDF_ON_PUBLISH = "off"
    settings.BULK_ARCHIVES_ON_PUBLISH = "off"  # likewise the bulk downloads (tests/test_bulk_downloads.py)


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
        # The seeds were public before they came here: a back-fill keeps what the 保密审查 scan flags.
        accept_flags=published_on is not None,
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
def two_years(db):
    """Seed 004's department in 2024 (constructed, tests/fixtures/seed004_2024.py) and 2025 (as published),
    both published: the pair the comparison, the department page's charts and the phone tests read."""
    before = save(
        SEED004_2024, year=2024, approved_on=datetime.date(2024, 1, 26), published_on=datetime.date(2024, 2, 8)
    ).disclosure
    after = save(SEED004, published_on=datetime.date(2025, 2, 26)).disclosure
    assert before.department == after.department
    return before, after


@pytest.fixture
def draft_seed004(db):
    return save(SEED004, department="抚顺市发展和改革委员会").disclosure


@pytest.fixture
def staff(db):
    """Personas: editor and reviewer of department A, editor of department B, a provincial admin."""
    from types import SimpleNamespace

    from disclosures.models import Department, Membership, Region
    from tests.factories import MembershipFactory, UserFactory

    city = Region.get_or_create_path("辽宁省/抚顺市")
    a = Department.objects.create(region=city, name="抚顺市工业和信息化局")
    b = Department.objects.create(region=city, name="抚顺市财政局")
    people = SimpleNamespace(department_a=a, department_b=b, province=city.parent, city=city)
    for name, role, department, region in [
        ("editor_a", Membership.Role.EDITOR, a, None),
        ("reviewer_a", Membership.Role.REVIEWER, a, None),
        ("editor_b", Membership.Role.EDITOR, b, None),
        ("admin", Membership.Role.ADMIN, None, city.parent),
    ]:
        user = UserFactory(username=name, email=f"{name}@example.cn", first_name=name)
        MembershipFactory(user=user, role=role, department=department, region=region)
        setattr(people, name, user)
    return people


def seed004_with_rounding_gap(folder):
    """Seed 004 with one figure of 表3 off by a cent (336.42 → 336.43): the kind of 尾差 staff must acknowledge."""
    from openpyxl import load_workbook

    book = load_workbook(SEED004)
    sheet = book["3"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value is not None and str(c.value) == "336.42")
    cell.value = float("336.43") if isinstance(cell.value, float) else "336.43"
    path = Path(folder) / "seed004_rounding.xlsx"
    book.save(path)
    return path


def upload_seed004(staff, *, approved_on=datetime.date(2025, 2, 10), path=SEED004):
    """The editor of department A uploads seed 004's workbook through the publishing service."""
    from disclosures.services import upload

    with open(path, "rb") as handle:
        return upload(
            handle, department=staff.department_a, year=2025, kind="budget", approved_on=approved_on,
            actor=staff.editor_a, file_name=Path(path).name,
        )


def ready_for_review(staff):
    """Upload seed 004, acknowledge every warning, fill the narrative's gaps and every section."""
    from disclosures.services import acknowledge_warning, save_section, save_table_note, suggested_empty_note, unacknowledged

    version = upload_seed004(staff)
    for index, finding in unacknowledged(version):
        acknowledge_warning(version, finding=index, remark="与批复表一致", actor=staff.editor_a)
    for table in version.tables.filter(is_empty=True, note=""):
        save_table_note(version, number=table.number, note=suggested_empty_note(table), actor=staff.editor_a)
    for section in version.sections.all():
        body = section.body.replace("【请填写", "").replace("】", "") if section.body else f"{section.title}的内容。"
        if section.key == "explanation":
            body += "\n\n机关运行经费预算 100.59 万元。国有资产：车辆 2 辆。"
        save_section(version, key=section.key, body=body, actor=staff.editor_a)
    return version



def decide_flags(version, reviewer, reason="与原公开文件一致，按原样保留"):
    """The reviewer keeps every 保密审查 flag of a version (seed 004 names two persons in 表9)."""
    from disclosures.secrecy.review import decide, undecided

    for flag in undecided(version):
        decide(flag, decision="keep", reason=reason, actor=reviewer)
