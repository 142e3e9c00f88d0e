"""Django's flush, which empties every table on purpose (the tests that run a live server do after each
test), with the audit tables' append-only triggers lifted for its length and put back after.

The triggers keep the portal from changing or deleting audit records (disclosures/append_only.py);
whoever runs flush holds the database owner's credentials and could drop them anyway.
"""

from django.core.management.commands import flush
from django.db import connections

from disclosures import append_only


class Command(flush.Command):
    def handle(self, **options):
        with append_only.lifted(connections[options["database"]]):
            return super().handle(**options)
