"""The Content-Security-Policy: on every page (public, staff, the admin), with no page needing inline script.

The policy lets a page run only this site's own script files and style sheets (等保 2.0 入侵防范): a script
written into a page (an inline <script>, an onclick="…", a javascript: link) does not run. So no template
may carry one; the templates are scanned here, and some rendered pages too.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.utils import get_app_template_dirs
from django.urls import reverse

from tests.conftest import upload_seed004
from tests.factories import UserFactory

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Rendered to PDF by WeasyPrint, never served to a browser: a <style> element is how they carry their layout.
PDF_TEMPLATES = {"information_requests/letter.html", "disclosures/pdf/disclosure.html"}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
# json_script's data block is not run, so the policy lets it be.
DATA_BLOCK = re.compile(r'<script\b[^>]*type="application/json"[^>]*>', re.IGNORECASE)


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def inline_code(html, *, pdf=False):
    """What the policy would block in a page or template, as a list of the offending snippets."""
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(DATA_BLOCK.sub("", html))]
    found += [m.group(0) for pattern in (HANDLER, SCRIPT_URL, STYLE_ATTRIBUTE) for m in pattern.finditer(html)]
    if not pdf:
        found += [m.group(0) for m in STYLE_ELEMENT.finditer(html)]
    return found


def templates():
    """Every .html template of the project and of its own apps (installed packages' are checked rendered:
    the admin pages below, and in the browser)."""
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [
        Path(d) for d in get_app_template_dirs("templates")
        if Path(d).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(d).parts
    ]
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            yield path.relative_to(root).as_posix(), path


def test_the_scan_finds_what_the_policy_blocks():
    assert inline_code('<button onclick="return confirm(\'x\')">') != []
    assert inline_code("<script>alert(1)</script>") != []
    assert inline_code('<a href="javascript:void(0)">') != []
    assert inline_code('<div style="color:red">') != []
    assert inline_code("<style>p{}</style>") != []
    assert inline_code('<script src="/static/js/buttons.js" defer></script><button data-confirm="确定吗？">') == []
    assert inline_code('<script id="chart-data" type="application/json">{"a": 1}</script>') == []


def test_no_template_carries_inline_script_handlers_or_styles():
    offending = {}
    names = []
    for name, path in templates():
        names.append(name)
        found = inline_code(path.read_text(encoding="utf-8"), pdf=name in PDF_TEMPLATES)
        if found:
            offending[name] = found
    assert "staff/version.html" in names and "information_requests/receipt.html" in names
    assert offending == {}


def test_no_static_script_writes_style_attributes_or_evaluates_strings():
    own = [p for p in (settings.BASE_DIR / "static").rglob("*.js") if "vendor" not in p.parts]
    own += [p for p in (settings.BASE_DIR / "disclosures").rglob("static/**/*.js")]
    assert any(p.name == "buttons.js" for p in own)
    pattern = re.compile(r"setAttribute\(\s*[\"']style|style\s*=\s*\\?[\"']|\beval\(|new Function\(|javascript:")
    found = {p.name: pattern.findall(p.read_text(encoding="utf-8")) for p in own}
    assert {name: hits for name, hits in found.items() if hits} == {}


@pytest.mark.django_db
def test_a_public_page_carries_the_policy_and_the_other_security_headers(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert policy(response) == EXPECTED
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
def test_the_request_form_carries_the_policy(client):
    response = client.get(reverse("information_requests:apply"))
    assert response.status_code == 200 and policy(response) == EXPECTED
    assert inline_code(response.content.decode()) == []


def test_a_staff_page_carries_the_policy_and_its_buttons_ask_by_data_attribute(client, staff):
    version = upload_seed004(staff)
    client.force_login(staff.editor_a)
    response = client.get(reverse("staff_version", args=[version.pk]))
    assert response.status_code == 200
    assert policy(response) == EXPECTED
    page = response.content.decode()
    assert inline_code(page) == []
    assert 'data-confirm="作废后该草稿不能再提交（记录仍保留），确定吗？"' in page
    assert "js/buttons.js" in page


@pytest.mark.django_db
def test_the_admin_carries_the_policy(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in (reverse("admin:index"), reverse("admin:auth_user_changelist"), reverse("admin:auth_user_add")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == EXPECTED
        assert inline_code(response.content.decode()) == [], url
