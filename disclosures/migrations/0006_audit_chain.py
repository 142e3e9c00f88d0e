"""The audit trail made tamper-evident (等保 2.0 三级 安全审计): the address and browser of each event, the
region of a security event, a hash chain over the rows (the rows already there are chained in id order),
and triggers that refuse UPDATE, DELETE and TRUNCATE of the table."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from disclosures import append_only, audit_chain

TABLE = "disclosures_auditevent"
# The fields the hash covered when these rows were chained (AuditEvent.CHAIN_FIELDS).
CHAIN_FIELDS = (
    "disclosure", "version", "actor", "actor_name", "action", "remarks", "data", "at", "region", "ip_address",
    "user_agent",
)


def chain_rows(apps, schema_editor):
    # Triggers put back on the table as it was before (a database where this migration was reversed).
    append_only.uninstall(schema_editor.connection, TABLE)
    audit_chain.chain_existing_rows(
        apps.get_model("disclosures", "AuditEvent"), CHAIN_FIELDS, schema_editor.connection.alias
    )


def install_triggers(apps, schema_editor):
    append_only.install(schema_editor.connection, TABLE)


def remove_triggers(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, TABLE)


class Migration(migrations.Migration):

    dependencies = [
        ("disclosures", "0005_secrecy_flags"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="region",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="disclosures.region", verbose_name="地区",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="ip_address",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="user_agent",
            field=models.CharField(blank=True, max_length=300, verbose_name="浏览器标识"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="上一条摘要"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="摘要"),
        ),
        migrations.RunPython(chain_rows, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
