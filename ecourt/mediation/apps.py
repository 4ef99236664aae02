from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "ecourt.mediation"
    label = "mediation"
    verbose_name = _("Pre-filing mediation")

    def ready(self) -> None:
        from ecourt.cases.models import Application
        from ecourt.cases.signals import application_submitted
        from ecourt.mediation.services.diversion import on_application_submitted

        application_submitted.connect(
            on_application_submitted, sender=Application, dispatch_uid="mediation.divert"
        )
