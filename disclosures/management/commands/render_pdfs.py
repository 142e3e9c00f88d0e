"""Build the stored PDFs of published versions: all of them (a new layout) or those without one.

Without a broker (`make run`) it builds one version after another in this process. With a broker
(CELERY_BROKER_URL) it queues the builds for the workers and ticks a progress bar as they finish: from the
task results when there is a result backend (CELERY_RESULT_BACKEND), else, for `--missing`, from the
database (a version is done when its pdf column names a stored file), which needs nothing more. A full rebuild that
produces the same bytes keeps its file name, so without a result backend it is queued and not followed.
"""

import sys
import time

from celery.result import AsyncResult
from django.core.management.base import BaseCommand
from tqdm import tqdm

from disclosures.models import Version
from disclosures.tasks import build_version_pdf, has_stored_pdf

POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "（重新）生成所有已公开版本的 PDF 并保存；公开时本已自动生成，此命令用于补建或换版式后重建。"
        "配置了 CELERY_BROKER_URL 时交给 worker 生成并显示进度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="只生成尚无 PDF 文件的版本")
        parser.add_argument(
            "--timeout", type=float, default=3600, help="交给 worker 时最多等待的秒数（默认 3600）"
        )

    def handle(self, *args, **options):
        versions = (
            Version.objects.filter(status=Version.Status.PUBLISHED)
            .select_related("disclosure__department__region")
            .order_by("disclosure_id", "number")
        )
        missing = options["missing"]
        if missing:
            versions = [v for v in versions if not has_stored_pdf(v)]
        versions = list(versions)
        if not versions:
            self.stdout.write("没有需要生成的 PDF。")
            return
        started = time.perf_counter()
        if build_version_pdf.app.conf.task_always_eager:
            failed = self.build_here(versions)
        else:
            failed = self.build_in_workers(versions, force=not missing, timeout=options["timeout"])
            if failed is None:
                return
        total = len(versions)
        self.stdout.write(f"完成：{total - failed}/{total} 份，用时 {time.perf_counter() - started:.1f} 秒。")
        if failed:
            raise SystemExit(1)

    def build_here(self, versions):
        failed = 0
        total = len(versions)
        for index, version in enumerate(versions, start=1):
            self.stdout.write(f"[{index}/{total}] {version} …", ending="")
            self.stdout.flush()
            began = time.perf_counter()
            try:
                build_version_pdf(version.pk, force=True)
            except Exception as exc:  # noqa: BLE001 — one bad version must not stop the others
                failed += 1
                self.stdout.write(f" 失败：{exc}")
                continue
            version.refresh_from_db(fields=["pdf"])
            self.stdout.write(f" {time.perf_counter() - began:.1f} 秒，{version.pdf.size // 1024} KB")
        return failed

    def build_in_workers(self, versions, *, force, timeout):
        """Queue every build, then tick the bar as builds finish. Returns the number that failed or did not
        finish in time, or None when a full rebuild has been queued with no way to follow it."""
        results = {v.pk: build_version_pdf.delay(v.pk, force=force) for v in versions}
        self.stdout.write(f"已交给 worker：{len(results)} 份。")
        if force and not build_version_pdf.app.conf.result_backend:
            self.stdout.write("未配置 CELERY_RESULT_BACKEND，无法跟踪重建进度；请查看 worker 日志。")
            return None
        follow_results = bool(build_version_pdf.app.conf.result_backend)
        storage = Version._meta.get_field("pdf").storage
        pending = set(results)
        failed = 0
        deadline = time.monotonic() + timeout
        with tqdm(total=len(pending), desc="PDF", unit="份", file=sys.stderr) as bar:
            while pending and time.monotonic() < deadline:
                if follow_results:
                    finished = {pk for pk in pending if results[pk].ready()}
                    for pk in list(finished):
                        outcome = results[pk].result if results[pk].successful() else None
                        if isinstance(outcome, dict) and "merge" in outcome:
                            # Laid out in parts by the workers: done when their merge is.
                            results[pk] = AsyncResult(outcome["merge"], app=build_version_pdf.app)
                            finished.discard(pk)
                        elif not results[pk].successful():
                            failed += 1
                else:
                    stored = Version.objects.filter(pk__in=pending).exclude(pdf="").values_list("pk", "pdf")
                    finished = {pk for pk, name in stored if storage.exists(name)}
                pending -= finished
                bar.update(len(finished))
                if pending:
                    time.sleep(POLL_SECONDS)
        if pending:
            self.stdout.write(f"{len(pending)} 份在 {timeout:.0f} 秒内未完成（仍在队列中或生成失败，见 worker 日志）。")
        return failed + len(pending)
