"""Template hygiene that no other test would notice: Django's {# … #} comment is one line only, and one that
spans lines is printed on the page as text."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("disclosures/**/templates/**/*.html")])
COMMENT = re.compile(r"\{#(.*?)#\}", re.S)


def multi_line_comments(text):
    return [text[: m.start()].count("\n") + 1 for m in COMMENT.finditer(text) if "\n" in m.group(1)]


def test_the_scan_finds_a_comment_spanning_lines():
    assert multi_line_comments("<p>{# one line #}</p>\n{# two\nlines #}") == [2]


def test_no_template_has_a_comment_spanning_lines():
    assert TEMPLATES
    found = {str(path.relative_to(ROOT)): lines for path in TEMPLATES if (lines := multi_line_comments(path.read_text()))}
    assert found == {}
