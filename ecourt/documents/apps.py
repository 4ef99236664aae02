from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "ecourt.documents"
    label = "documents"
    verbose_name = _("Court documents")

    def ready(self) -> None:
        from ecourt.documents import checks  # noqa: F401  (registers the system checks)
