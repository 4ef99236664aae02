from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "ecourt.evidence"
    label = "evidence"
    verbose_name = _("Electronic evidence")

    def ready(self) -> None:
        from ecourt.evidence import checks  # noqa: F401  (registers the system checks)
