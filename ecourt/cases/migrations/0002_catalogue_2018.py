"""Ship the catalogue in force from 2018-09-07 (SPC Provisions on Internet Courts, Art. 2).

The list is read from ecourt.cases.rules.jurisdiction.SPC_2018_LIST, which is history and must
never change: later lists are published as new versions by a court administrator.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from ecourt.cases.rules.jurisdiction import SPC_2018_BASIS, SPC_2018_EFFECTIVE, SPC_2018_LIST

    CatalogueVersion = apps.get_model("cases", "CatalogueVersion")
    CaseType = apps.get_model("cases", "CaseType")
    if CatalogueVersion.objects.filter(effective_from=SPC_2018_EFFECTIVE).exists():
        return
    version = CatalogueVersion.objects.create(
        effective_from=SPC_2018_EFFECTIVE,
        basis=SPC_2018_BASIS,
        note="The list shipped with ecourt.",
    )
    CaseType.objects.bulk_create(
        CaseType(version=version, position=index, **spec.__dict__)
        for index, spec in enumerate(SPC_2018_LIST)
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
