import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def start_the_clock(apps, schema_editor):
    """Accounts that exist before the expiry rule get its full period from today, not from when they joined."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PasswordAge = apps.get_model("accounts", "PasswordAge")
    now = timezone.now()
    PasswordAge.objects.bulk_create(PasswordAge(user_id=pk, changed_at=now) for pk in User.objects.values_list("pk", flat=True))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PasswordAge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(verbose_name='密码设置时间')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='password_age', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '密码设置时间',
                'verbose_name_plural': '密码设置时间',
            },
        ),
        migrations.RunPython(start_the_clock, migrations.RunPython.noop),
    ]
