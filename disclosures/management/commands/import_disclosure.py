import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from disclosures.ingest.word import parse_docx, parse_pdf
from disclosures.ingest import guard
from disclosures.ingest.pdf import page_ranges
from disclosures.ingest.detect import choose, regions_on_path
from disclosures.models import Disclosure, Version, saved_layouts
from disclosures.sections import parse_sections
from disclosures.secrecy.review import describe, undecided
from disclosures.services import DisclosureError, import_disclosure, run_checks


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "导入一份批复的预决算公开表工作簿（.xlsx）或其打印的 PDF。有错误时不保存任何内容。"

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
        parser.add_argument(
            "--accept-flags",
            action="store_true",
            help="补录原已公开的文件时，按原样保留保密审查标记（逐条记入操作记录）；不加则有标记时只存为草稿",
        )

    def handle(self, *args, **options):
        path = Path(options["workbook"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        regions = regions_on_path(options["region"])
        layouts = saved_layouts(regions[-1], options["year"], options["kind"]) if regions else {}
        try:
            with path.open("rb") as handle:
                refusal = guard.refusal(handle)
                choice = None if refusal else choose(
                    handle, kind=options["kind"], region_path=options["region"], year=options["year"],
                    explicit=options["format"], layouts=layouts,
                )
        except KeyError as exc:
            raise CommandError(str(exc)) from None
        if refusal or choice.format is None:
            self.stdout.write(f"错误：{refusal or choice.refusal}")
            for row in choice.comparison if choice else []:
                self.stdout.write(f"对照：{row['table']}：" + "；".join(f"{code} {text}" for code, text in row["readings"].items()))
            self.stdout.write("共 1 个错误，未保存任何内容。" if refusal else "未保存任何内容。")
            raise SystemExit(1)
        fmt, how, result = choice.format, choice.reason, choice.result
        sections, unplaced = [], []
        if not options["sections"] and result.source_kind == "pdf":
            # A printed disclosure carries its narrative too: the pages without tables, by their headings.
            narrative = parse_pdf(str(path), fmt)
            sections, unplaced = narrative.found(), narrative.unplaced
        elif options["sections"] and options["sections"].lower().endswith(".pdf"):
            try:
                narrative = parse_pdf(options["sections"], fmt)
            except guard.WorkbookUnreadable as exc:
                raise CommandError(f"无法读取 PDF {options['sections']}：{exc}") from None
            sections, unplaced = narrative.found(), narrative.unplaced
        elif options["sections"] and options["sections"].lower().endswith(".docx"):
            try:
                narrative = parse_docx(options["sections"], fmt)
            except guard.WorkbookUnreadable as exc:
                raise CommandError(f"无法读取 Word 文档 {options['sections']}：{exc}") from None
            except Exception as exc:  # noqa: BLE001 — python-docx raises many kinds for a file that is not a .docx
                raise CommandError(f"无法读取 Word 文档 {options['sections']}（{type(exc).__name__}）。") from None
            sections, unplaced = narrative.found(), narrative.unplaced
        elif options["sections"]:
            sections = parse_sections(Path(options["sections"]).read_text(encoding="utf-8"), fmt)

        outcomes = run_checks(result, sections) if result.ok else []
        present = {s.key for s in sections}
        for definition in fmt.sections:
            if definition.mandatory and definition.key not in present:
                result.add("missing", f"缺少文字部分“{definition.title}”。")

        self.stdout.write(f"表式：{fmt.name}")
        self.stdout.write(f"表式来源：{fmt.code}，{how}")
        for table in result.ordered_tables():
            unit = f"，单位：{table.unit_label}" if table.unit_label != fmt.unit else ""
            if table.pages:
                where = f"PDF 第 {page_ranges(table.pages)} 页"
            else:
                where = "工作表" + "、".join(f"“{s}”" for s in table.sheets or [table.sheet])
            self.stdout.write(
                f"表{table.definition.number} {table.definition.title}：{len(table.rows)} 行"
                f"（{where}，{table.matched_by}{unit}）"
            )
        for finding in result.infos:
            if not finding.message.startswith(("工作表“", "PDF 第")) or "跳过" in finding.message or "隐藏" in finding.message:
                if "读作" not in finding.message:
                    self.stdout.write(f"说明：{finding.message}")
        if outcomes:
            checked = [o for o in outcomes if o.status != "not_checked"]
            self.stdout.write(f"核对：{len(checked)} / {len(outcomes)} 条恒等式已核对")
            for outcome in outcomes:
                if outcome.status == "not_checked" and outcome.reason != "不适用":
                    self.stdout.write(f"未核对：{outcome.id} {outcome.text}（{outcome.reason}）")
        for section in sections:
            if getattr(section, "heading", ""):
                source = "PDF" if result.source_kind == "pdf" and not (options["sections"] or "").endswith(".docx") else "Word"
                self.stdout.write(f"文字部分：{source} 标题“{section.heading}”归入“{section.key}”")
        for text in unplaced:
            self.stdout.write(f"说明：未归入任何栏目的段落：{text[:60]}")
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
                accept_flags=options["accept_flags"],
            )
        except (DisclosureError, ValueError) as exc:
            self.stdout.write(f"错误：{exc}")
            raise SystemExit(1) from None
        disclosure = version.disclosure
        flags = list(version.secrecy_flags.all())
        for flag in flags:
            state = "待决定" if flag.undecided else flag.get_decision_display()
            self.stdout.write(f"保密审查（{state}）：{describe(flag)}")
        if version.status == Version.Status.PUBLISHED:
            self.stdout.write(f"published: {reverse('disclosure', args=[disclosure.pk])}")
        else:
            if options["published_on"]:
                self.stdout.write(
                    f"未公开：保密审查有 {undecided(version).count()} 处标记待决定，已存为草稿。"
                    "请审查人逐条处理；原已公开的文件可加 --accept-flags 按原样补录。"
                )
            self.stdout.write(f"draft: {reverse('staff_version', args=[version.pk])}")
