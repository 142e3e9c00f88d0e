"""Rebuild the search index from every published disclosure (after a bulk load, or to repair it)."""

import time

from django.core.management.base import BaseCommand

from disclosures.search.indexer import rebuild


class Command(BaseCommand):
    help = "重建检索索引（只含已公开的预决算）。"

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild()
        self.stdout.write(f"检索索引已重建：{count} 条，用时 {time.perf_counter() - started:.1f} 秒。")
