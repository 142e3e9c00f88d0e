"""A hash chain over each audit table, so that a record changed or removed behind the portal's back shows.

等保 2.0 三级 安全审计 (d): audit records are protected against unexpected deletion, modification or
overwriting. Each new row stores the hash of the row before it (`previous_hash`) and its own `hash`,
SHA-256 over a canonical serialisation of its fields and that previous hash. Changing any field of
any row, or removing a row, breaks the chain at that row; `manage.py verify_audit` walks it.

Appends are serialised per table, so two requests recording at once cannot both link to the same
row and fork the chain: on PostgreSQL a transaction-level advisory lock, on SQLite the IMMEDIATE
transaction mode the settings use (a write transaction holds the database's write lock from BEGIN).
The chain is in id order: rows are inserted while the lock is held, so ids follow the chain.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import connections, transaction

GENESIS = ""


def _canonical_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _canonical_json(value):
    """JSON as the database gives it back: keys as strings, tuples as lists, and whole floats as integers
    (PostgreSQL's jsonb returns 1e16 as 10000000000000000)."""
    value = json.loads(json.dumps(value))

    def walk(node):
        if isinstance(node, dict):
            return {key: walk(item) for key, item in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, float) and node.is_integer():
            return int(node)
        return node

    return walk(value)


def serialise(instance, names=None) -> bytes:
    """The row's chained fields (the model's CHAIN_FIELDS, by attribute name) and its previous hash."""
    fields = {}
    for name in names or instance.CHAIN_FIELDS:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        fields[field.attname] = _canonical_json(value) if field.get_internal_type() == "JSONField" else _canonical_value(value)
    fields["previous_hash"] = instance.previous_hash
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(instance, names=None) -> str:
    return hashlib.sha256(serialise(instance, names)).hexdigest()


def _lock_key(table: str) -> int:
    return int.from_bytes(hashlib.sha256(f"audit-chain:{table}".encode()).digest()[:8], "big", signed=True)


def _lock(model, using):
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(model._meta.db_table)])
    elif connection.vendor != "sqlite":
        # Any other database: lock the last row (an empty table is not protected, which only matters once).
        list(model._base_manager.using(using).select_for_update().order_by("-pk").values_list("pk", flat=True)[:1])
    # SQLite: the settings open every transaction IMMEDIATE, which already holds the write lock.


def append(instance, save, using):
    """Link the new row to the last one and save it, with the table locked until the transaction ends."""
    model = type(instance)
    with transaction.atomic(using=using):
        _lock(model, using)
        last = model._base_manager.using(using).order_by("-pk").values_list("hash", flat=True).first()
        instance.previous_hash = last if last is not None else GENESIS
        instance.hash = digest(instance)
        save()


@dataclass
class Break:
    table: str
    pk: int
    at: datetime.datetime
    reason: str


@dataclass
class Walk:
    table: str
    count: int
    head: str
    broken: Break | None


def walk(model, using="default") -> Walk:
    """Check every row of the table's chain in id order; stop at the first broken link."""
    previous, count = GENESIS, 0
    label = str(model._meta.verbose_name)
    for row in model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000):
        reason = ""
        if row.previous_hash != previous:
            reason = "与上一条记录的摘要不衔接（记录被删除、插入或改动）"
        elif digest(row) != row.hash:
            reason = "内容与摘要不符（记录被改动）"
        if reason:
            return Walk(label, count, previous, Break(label, row.pk, row.at, reason))
        previous = row.hash
        count += 1
    return Walk(label, count, previous, None)


def chain_existing_rows(model, names, using):
    """For a migration: give the rows already there their hashes, in id order.

    `model` is the historical model, `names` the chained fields as the migration knows them."""
    previous = GENESIS
    for row in model.objects.using(using).order_by("pk").iterator(chunk_size=2000):
        row.previous_hash = previous
        row.hash = digest(row, names)
        model.objects.using(using).filter(pk=row.pk).update(previous_hash=row.previous_hash, hash=row.hash)
        previous = row.hash
