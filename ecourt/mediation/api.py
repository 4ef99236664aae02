"""Pre-filing mediation's JSON API, mounted at /api/v1/ by ``ecourt.api``.

Split by who uses it: ``api_room`` (the parties and the mediator: the record, the room, the
agreement and the steps that end a mediation) and ``api_court`` (filing clerks, court
administrators, the judge). Shapes are in ``api_schemas``.
"""

from __future__ import annotations

from ninja import Router

from ecourt.mediation.api_court import router as court_router
from ecourt.mediation.api_room import router as room_router

router = Router()
# The court's router first: its /mediations/figures must not be taken for a mediation id.
router.add_router("", court_router)
router.add_router("", room_router)
