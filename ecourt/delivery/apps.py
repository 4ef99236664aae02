from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "ecourt.delivery"
    label = "delivery"
    verbose_name = _("Electronic delivery")

    def ready(self) -> None:
        from ecourt.delivery import checks  # noqa: F401  (registers the system checks)
