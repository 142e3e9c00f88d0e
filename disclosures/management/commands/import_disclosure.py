import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from disclosures.docx_sections import parse_docx
from disclosures.formats import default_format, get_format
from disclosures.formats.detect import assigned_format, detect
from disclosures.importer import WorkbookUnreadable, check_zip, read_workbook
from disclosures.models import Disclosure
from disclosures.sections import parse_sections
from disclosures.services import DisclosureError, import_disclosure, run_checks


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "导入一份批复的预决算公开表工作簿（.xlsx）。有错误时不保存任何内容。"

    def add_arguments(self, parser):
        parser.add_argument("workbook")
        parser.add_argument("--region", required=True, help="地区路径，如 辽宁省/抚顺市")
        parser.add_argument("--department", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--kind", default="budget", choices=[k for k, _ in Disclosure.Kind.choices])
        parser.add_argument("--approved-on", required=True, type=_date)
        parser.add_argument("--published-on", type=_date, help="补录已公开的版本时填写公开日期")
        parser.add_argument(
            "--format",
            help="表式代码；不填则按工作簿中的表自动识别（与地区指定的表式核对）",
        )
        parser.add_argument(
            "--sections",
            help="情况说明等文字部分：Word 文档（.docx，按标题归入各栏目），或 UTF-8 文本（每部分以“## 标题”开头）",
        )

    def handle(self, *args, **options):
        path = Path(options["workbook"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            if options["format"]:
                fmt, how = get_format(options["format"]), "按 --format 指定"
            else:
                fmt, how = self.detect_format(path, options)
        except KeyError as exc:
            raise CommandError(str(exc)) from None
        sections, unplaced = [], []
        if options["sections"] and options["sections"].lower().endswith(".docx"):
            try:
                narrative = parse_docx(options["sections"], fmt)
            except Exception as exc:  # noqa: BLE001 — python-docx raises many kinds for a file that is not a .docx
                raise CommandError(f"无法读取 Word 文档 {options['sections']}（{type(exc).__name__}）。") from None
            sections, unplaced = narrative.found(), narrative.unplaced
        elif options["sections"]:
            sections = parse_sections(Path(options["sections"]).read_text(encoding="utf-8"), fmt)

        with path.open("rb") as handle:
            result = read_workbook(handle, fmt)
        outcomes = run_checks(result, sections) if result.ok else []
        present = {s.key for s in sections}
        for definition in fmt.sections:
            if definition.mandatory and definition.key not in present:
                result.add("missing", f"缺少文字部分“{definition.title}”。")

        self.stdout.write(f"表式：{fmt.name}")
        self.stdout.write(f"表式来源：{fmt.code}，{how}")
        for table in result.ordered_tables():
            self.stdout.write(
                f"表{table.definition.number} {table.definition.title}：{len(table.rows)} 行"
                f"（工作表“{table.sheet}”，{table.matched_by}）"
            )
        for finding in result.infos:
            if "跳过" in finding.message or "保留" in finding.message:
                self.stdout.write(f"说明：{finding.message}")
        for section in sections:
            if getattr(section, "heading", ""):
                self.stdout.write(f"文字部分：Word 标题“{section.heading}”归入“{section.key}”")
        for text in unplaced:
            self.stdout.write(f"说明：Word 文档中未归入任何栏目的段落：{text[:60]}")
        for finding in result.warnings:
            self.stdout.write(f"警告：{finding.message}")
        for finding in result.missing:
            self.stdout.write(f"缺少：{finding.message}")
        for finding in result.errors:
            self.stdout.write(f"错误：{finding.message}")
        if result.errors:
            self.stdout.write(f"共 {len(result.errors)} 个错误，未保存任何内容。")
            raise SystemExit(1)

        try:
            version = import_disclosure(
                result,
                region_path=options["region"],
                department_name=options["department"],
                year=options["year"],
                kind=options["kind"],
                approved_on=options["approved_on"],
                published_on=options["published_on"],
                sections=sections,
                source_file=path.name,
                outcomes=outcomes,
            )
        except (DisclosureError, ValueError) as exc:
            self.stdout.write(f"错误：{exc}")
            raise SystemExit(1) from None
        disclosure = version.disclosure
        if options["published_on"]:
            self.stdout.write(f"published: {reverse('disclosure', args=[disclosure.pk])}")
        else:
            self.stdout.write(f"draft: {reverse('staff_version', args=[version.pk])}")

    def detect_format(self, path, options):
        """The workbook's format, recognised from its tables and checked against the region's assignment.

        Refuses (exit 1, nothing saved) an ambiguous workbook, or one that contradicts the assignment."""
        expected, expected_from = assigned_format(options["region"], options["year"], options["kind"])
        try:
            with path.open("rb") as handle:
                check_zip(handle)
                detection = detect(
                    handle,
                    options["kind"],
                    expected,
                    f"{expected_from} {options['year']} 年",
                )
        except WorkbookUnreadable:
            detection = None
        except Exception:  # noqa: BLE001 — an unreadable file is reported by the reader below, not here
            detection = None
        fallback = get_format(expected) if expected else default_format(options["kind"])
        if detection is None:
            return fallback, "工作簿无法读取，未能识别"
        if detection.refused:
            if not any(fit.recognised for fit in detection.fits):
                return fallback, "工作簿中没有任何已知表式的表格"
            self.stdout.write(f"错误：{detection.reason}")
            self.stdout.write("未保存任何内容。")
            raise SystemExit(1)
        return detection.format, detection.reason
