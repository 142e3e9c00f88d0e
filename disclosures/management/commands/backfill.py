"""Back-fill past years: import a folder of published PDFs (or workbooks) listed in a CSV, as published.

    manage.py backfill FOLDER --index index.csv [--report report.csv]

The index has the columns file, region, department, year, kind, approved_on, published_on. Each file is
read and checked like `import_disclosure --published-on` (the one reader, detection, identities) and
put in place as published on its original date. A failure stops nothing else: each file is imported in
its own transaction, and the report (CSV) says, per file, what imported, what warned and what failed.
"""

import csv
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from tqdm import tqdm

from disclosures.ingest import guard
from disclosures.ingest.detect import choose, regions_on_path
from disclosures.models import Disclosure, saved_layouts
from disclosures.services import DisclosureError, import_disclosure, run_checks

COLUMNS = ["file", "region", "department", "year", "kind", "approved_on", "published_on"]
REPORT_COLUMNS = ["file", "status", "format", "tables", "pages", "warnings", "message", "url"]


class Command(BaseCommand):
    help = "按索引 CSV 批量补录往年已公开的预决算（PDF 或工作簿），逐个核对；一个失败不影响其他。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="存放 PDF（或 .xlsx）文件的文件夹")
        parser.add_argument("--index", required=True, help="CSV：file, region, department, year, kind, approved_on, published_on")
        parser.add_argument("--report", help="把逐个结果写成 CSV（默认 FOLDER/backfill-report.csv）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条（日志中用）")
        parser.add_argument(
            "--accept-flags",
            action="store_true",
            help="这些文件原已公开：按原样保留保密审查标记（逐条记入操作记录）；不加则有标记的文件只存为草稿",
        )

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"找不到文件夹：{folder}")
        entries = self._entries(Path(options["index"]))
        report_path = Path(options["report"] or folder / "backfill-report.csv")
        outcomes = []
        bar = tqdm(entries, desc="补录", unit="份", disable=options["no_progress"], file=self.stderr._out, ascii=False)
        for line, entry in bar:
            bar.set_postfix_str(entry.get("file", ""))
            outcome = self._one(folder, line, entry, accept_flags=options["accept_flags"])
            outcomes.append(outcome)
            bar.write(f"{outcome['status']}：{outcome['file']} {outcome['message']}".rstrip(), file=self.stdout._out)
        with report_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, REPORT_COLUMNS)
            writer.writeheader()
            writer.writerows(outcomes)
        counts = {
            status: sum(1 for o in outcomes if o["status"] == status) for status in ("已导入", "有警告", "待保密审查", "失败")
        }
        self.stdout.write(
            f"共 {len(outcomes)} 份：已导入 {counts['已导入']}，有警告 {counts['有警告']}，"
            + (f"待保密审查 {counts['待保密审查']}，" if counts["待保密审查"] else "")
            + f"失败 {counts['失败']}。报告：{report_path}"
        )

    def _entries(self, index):
        if not index.is_file():
            raise CommandError(f"找不到索引文件：{index}")
        with index.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"索引文件缺少列：{'、'.join(missing)}（应有 {', '.join(COLUMNS)}）")
            return [(number, row) for number, row in enumerate(reader, start=2)]

    def _one(self, folder, line, entry, *, accept_flags=False):
        outcome = {"file": entry["file"], "status": "失败", "format": "", "tables": "", "pages": "", "warnings": "", "message": "", "url": ""}
        try:
            year = int(entry["year"])
            approved_on = datetime.date.fromisoformat(entry["approved_on"])
            published_on = datetime.date.fromisoformat(entry["published_on"])
            kind = entry["kind"].strip() or "budget"
            if kind not in Disclosure.Kind.values:
                raise ValueError(f"类别应为 {' 或 '.join(Disclosure.Kind.values)}")
        except (ValueError, KeyError) as exc:
            outcome["message"] = f"索引第 {line} 行有误：{exc}"
            return outcome
        path = folder / entry["file"]
        if not path.is_file():
            outcome["message"] = f"找不到文件 {path.name}"
            return outcome
        regions = regions_on_path(entry["region"])
        layouts = saved_layouts(regions[-1], year, kind) if regions else {}
        with path.open("rb") as handle:
            refusal = guard.refusal(handle)
            choice = None if refusal else choose(handle, kind=kind, region_path=entry["region"], year=year, layouts=layouts)
        if refusal or choice.format is None:
            outcome["message"] = refusal or choice.refusal
            return outcome
        result = choice.result
        outcome["format"] = choice.format.code
        if result.errors:
            outcome["message"] = "；".join(f.message for f in result.errors[:3]) + ("……" if len(result.errors) > 3 else "")
            return outcome
        checks = run_checks(result)
        try:
            version = import_disclosure(
                result, region_path=entry["region"], department_name=entry["department"], year=year, kind=kind,
                approved_on=approved_on, published_on=published_on, source_file=path.name, outcomes=checks,
                accept_flags=accept_flags,
            )
        except (DisclosureError, ValueError) as exc:
            outcome["message"] = str(exc)
            return outcome
        pages = sorted({p for table in result.tables.values() for p in table.pages})
        warnings = len(result.warnings)
        flagged = version.secrecy_flags.filter(decision="").count()
        if flagged:
            outcome.update(
                status="待保密审查", tables=len(result.tables), pages=len(pages) or "", warnings=warnings,
                message=f"保密审查有 {flagged} 处标记待决定，已存为草稿（原已公开的文件可加 --accept-flags）",
                url=reverse("staff_version", args=[version.pk]),
            )
            return outcome
        outcome.update(
            status="有警告" if warnings else "已导入",
            tables=len(result.tables),
            pages=len(pages) or "",
            warnings=warnings,
            message=f"{len(result.tables)} 张表" + (f"，{warnings} 条警告（在版本的检查报告中）" if warnings else ""),
            url=reverse("disclosure", args=[version.disclosure.pk]),
        )
        return outcome
