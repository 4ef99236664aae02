"""A fresh court gets one active courtroom, so a judge can schedule at once. The court
administrator renames it, adds others or deactivates it on the courtrooms page."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULT_NAME = "第一网上法庭 (Online Courtroom 1)"
DEFAULT_CODE = "online-1"


def add_default_courtroom(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Courtroom = apps.get_model("hearings", "Courtroom")
    if not Courtroom.objects.using(schema_editor.connection.alias).exists():
        Courtroom.objects.using(schema_editor.connection.alias).create(
            name=DEFAULT_NAME, code=DEFAULT_CODE, is_active=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hearings", "0001_initial"),
    ]

    operations = [
        # Reverse: keep the room (hearings may point at it).
        migrations.RunPython(add_default_courtroom, migrations.RunPython.noop),
    ]
