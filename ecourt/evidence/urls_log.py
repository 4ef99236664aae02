from django.urls import path, re_path

from ecourt.evidence.views import log

app_name = "log"

urlpatterns = [
    path("checkpoint", log.checkpoint, name="checkpoint"),
    path("key", log.key, name="key"),
    path("witnesses", log.witnesses, name="witnesses"),
    path("cosignature", log.cosignature, name="cosignature"),
    re_path(r"^tile/(?P<path>[0-9a-z./]+)$", log.tile, name="tile"),
]
