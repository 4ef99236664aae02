"""The filing capability's JSON API, mounted at /api/v1/ by ``ecourt.api``.

Split by who uses it: ``api_catalogue`` (case types, fee estimate; publishing a catalogue),
``api_filing`` (the applicant's application, payments, fee relief), ``api_review`` (the filing
clerk) and ``api_cases`` (docketed cases). Shapes are in ``api_schemas``, shared helpers in
``api_common``.
"""

from __future__ import annotations

from ninja import Router

from ecourt.cases.api_cases import router as cases_router
from ecourt.cases.api_catalogue import router as catalogue_router
from ecourt.cases.api_filing import router as filing_router
from ecourt.cases.api_review import router as review_router

router = Router()
router.add_router("", catalogue_router)
router.add_router("", filing_router)
router.add_router("", review_router)
router.add_router("", cases_router)
