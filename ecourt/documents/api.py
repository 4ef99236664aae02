"""Court documents in the JSON API (tag "documents"): decisions and appeals, the export."""

from ninja import Router

from ecourt.documents.api_decisions import router as decisions_router
from ecourt.documents.api_export import router as export_router

router = Router(tags=["documents"])
router.add_router("", decisions_router)
router.add_router("", export_router)
