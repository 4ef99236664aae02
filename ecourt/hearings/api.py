"""Trial in the JSON API (tag "trial"): scheduling, the hearing room and its record,
asynchronous trial. Each part has its own module; this router joins them."""

from ninja import Router

from ecourt.hearings.api_async import router as async_router
from ecourt.hearings.api_courtrooms import router as courtrooms_router
from ecourt.hearings.api_room import router as room_router
from ecourt.hearings.api_scheduling import router as scheduling_router

router = Router(tags=["trial"])
router.add_router("", scheduling_router)
router.add_router("", room_router)
router.add_router("", async_router)
router.add_router("", courtrooms_router)
