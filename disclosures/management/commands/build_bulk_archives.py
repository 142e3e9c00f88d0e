"""Bring every bulk download of /open-data/ up to date (disclosures.exports.bulk).

Publication rebuilds the archives it changes; this command is for the first build (`make run`'s demo, a back-fill
loaded with publication off), after a change of licence or layout (--force), or to check that nothing is stale.
An archive whose content is unchanged is not rewritten.
"""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from disclosures.exports import bulk


class Command(BaseCommand):
    help = "生成或更新开放数据页的批量下载文件（全部数据一个，每个地区每个年度一个），只含已公开的现行版本。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="内容未变的文件也重新生成")

    def handle(self, *args, **options):
        archives = bulk.rebuild_all(force=options["force"])
        for archive in archives:
            self.stdout.write(
                f"{archive.scope_label}：{archive.disclosures_count} 份，{filesizeformat(archive.size)}，"
                f"SHA-256 {archive.sha256}"
            )
        self.stdout.write(f"批量下载文件共 {len(archives)} 个。")
