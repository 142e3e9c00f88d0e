"""Audit tables only grow: the ORM refuses to change or delete their rows, and so does the database.

等保 2.0 三级 安全审计 (d): audit records are protected against deletion, modification and
overwriting. `save()` of an existing row and `delete()` already refuse in the models; the queryset
below refuses `.update()`, `.delete()` and the bulk methods, which bypass them. Underneath, triggers
refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) whoever sends them, so a query written by hand,
or one injected, cannot rewrite the trail either.

The triggers bind the application, not the owner of the database: an owner can drop them (and the
tests do, to prove that `verify_audit` then finds the change). `manage.py flush`, which empties every
table on purpose, lifts them for its own length (disclosures/management/commands/flush.py).
"""

from contextlib import contextmanager

from django.db import models


class AppendOnlyError(ValueError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def _refuse(self, verb):
        raise AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能{verb}。")

    def update(self, **kwargs):
        self._refuse("修改")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("修改")

    def delete(self):
        self._refuse("删除")

    def _raw_delete(self, using):
        self._refuse("删除")

    def bulk_create(self, objs, *args, **kwargs):
        # Each row is linked to the one before it as it is saved (audit_chain.append).
        raise AppendOnlyError(f"{self.model._meta.verbose_name}须逐条追加，以便接入摘要链。")


# Each audit table: its name in messages, and the migration that installs its triggers. The tables are
# named here, not looked up from the models, because those migrations use these functions too.
AUDIT_TABLES = {
    "disclosures_auditevent": "操作记录",
    "information_requests_requestevent": "办理记录",
}
INSTALLED_BY = {
    "disclosures_auditevent": ("disclosures", "0006_audit_chain"),
    "information_requests_requestevent": ("information_requests", "0005_request_event_chain"),
}


def _postgresql_statements(table, label):
    function = f"{table}_append_only"
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{label}只能追加，不能修改或删除（拒绝 % %）。', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege', HINT = '等保 2.0 安全审计：审计记录不得删除、修改或覆盖。';
        END
        $$
        """,
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _sqlite_statements(table, label):
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{label}只能追加，不能修改。'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{label}不能删除。'); END",
    ]


def trigger_names(connection, table):
    if connection.vendor == "postgresql":
        return [f"{table}_no_change", f"{table}_no_truncate"]
    if connection.vendor == "sqlite":
        return [f"{table}_no_update", f"{table}_no_delete"]
    return []


def install(connection, table):
    """Create (or re-create) the table's triggers; nothing on databases other than PostgreSQL and SQLite."""
    label = AUDIT_TABLES[table]
    if connection.vendor == "postgresql":
        statements = _postgresql_statements(table, label)
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements(table, label)
    else:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection, table):
    with connection.cursor() as cursor:
        for name in trigger_names(connection, table):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")


def installed(connection, table) -> bool:
    names = trigger_names(connection, table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s) AND tgenabled <> 'D'",
                [table, names],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN ({', '.join(['%s'] * len(names))})",
                [table, *names],
            )
        else:
            return False
        return cursor.fetchone()[0] == len(names)


def ensure_installed(connection):
    """After migrate: SQLite drops a table's triggers when a later migration rebuilds the table.
    (Not before the migration that installs them, nor after it was reversed.)"""
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    tables = set(connection.introspection.table_names())
    for table in AUDIT_TABLES:
        if table in tables and INSTALLED_BY[table] in applied and not installed(connection, table):
            install(connection, table)


@contextmanager
def lifted(connection):
    """Without the triggers for a moment (flush only); they are back afterwards, whatever happens."""
    existing = set(connection.introspection.table_names())
    tables = [table for table in AUDIT_TABLES if table in existing]
    for table in tables:
        uninstall(connection, table)
    try:
        yield
    finally:
        for table in tables:
            install(connection, table)
