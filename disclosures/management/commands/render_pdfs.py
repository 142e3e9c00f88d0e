import time

from django.core.management.base import BaseCommand

from disclosures.exports.pdf import store_pdf
from disclosures.models import Version


class Command(BaseCommand):
    help = "（重新）生成所有已公开版本的 PDF 并保存；公开时本已自动生成，此命令用于补建或换版式后重建。"

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="只生成尚无 PDF 文件的版本")

    def handle(self, *args, **options):
        versions = (
            Version.objects.filter(status=Version.Status.PUBLISHED)
            .select_related("disclosure__department__region")
            .order_by("disclosure_id", "number")
        )
        if options["missing"]:
            versions = [v for v in versions if not (v.pdf and v.pdf.storage.exists(v.pdf.name))]
        versions = list(versions)
        total = len(versions)
        if not total:
            self.stdout.write("没有需要生成的 PDF。")
            return
        started = time.perf_counter()
        failed = 0
        for index, version in enumerate(versions, start=1):
            self.stdout.write(f"[{index}/{total}] {version} …", ending="")
            self.stdout.flush()
            began = time.perf_counter()
            try:
                store_pdf(version)
            except Exception as exc:  # noqa: BLE001 — one bad version must not stop the others
                failed += 1
                self.stdout.write(f" 失败：{exc}")
                continue
            self.stdout.write(f" {time.perf_counter() - began:.1f} 秒，{version.pdf.size // 1024} KB")
        self.stdout.write(f"完成：{total - failed}/{total} 份，用时 {time.perf_counter() - started:.1f} 秒。")
        if failed:
            raise SystemExit(1)
