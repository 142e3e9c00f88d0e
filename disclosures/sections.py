"""Narrative sections as plain text: "## 标题" starts a section, "### " a sub-heading, "- " a list item."""

from dataclasses import dataclass

from disclosures.text import normalize


@dataclass
class SectionText:
    key: str
    title: str
    body: str


def parse_sections(text: str, fmt) -> list[SectionText]:
    sections, current, lines = [], None, []

    def close():
        if current is not None:
            sections.append(SectionText(current[0], current[1], "\n".join(lines).strip()))

    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("## "):
            close()
            title = line[3:].strip()
            current, lines = (section_key(title, fmt), title), []
        elif current is not None:
            lines.append(line.rstrip())
    close()
    return sections


def section_key(title: str, fmt) -> str:
    wanted = normalize(title)
    for definition in fmt.sections:
        names = [definition.title, *definition.aliases]
        if any(normalize(name) == wanted or normalize(name) in wanted for name in names):
            return definition.key
    return "other"


def blocks(body: str):
    """Split a section body into ("heading" | "paragraph" | "list", content) blocks for rendering."""
    out, paragraph, items = [], [], []

    def flush():
        if paragraph:
            out.append(("paragraph", "".join(paragraph)))
            paragraph.clear()
        if items:
            out.append(("list", list(items)))
            items.clear()

    for raw in body.split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("### "):
            flush()
            out.append(("heading", line[4:].strip()))
        elif line.startswith("- "):
            if paragraph:
                out.append(("paragraph", "".join(paragraph)))
                paragraph.clear()
            items.append(line[2:].strip())
        else:
            if items:
                out.append(("list", list(items)))
                items.clear()
            paragraph.append(line)
    flush()
    return out
