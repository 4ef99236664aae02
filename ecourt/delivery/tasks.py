"""Background tasks of electronic delivery. Tasks take ids, never objects."""

from __future__ import annotations

import os
import secrets
import socket

from django_tasks import task

from ecourt.delivery.services.dispatch import deliveries_claim
from ecourt.delivery.services.dispatch import delivery_dispatch as dispatch_one


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def delivery_dispatch(*, delivery_id: int) -> str:
    """Send one delivery that has just been issued or whose retry is due. Safe to run twice:
    only a QUEUED, due row can be claimed, by one worker."""
    worker = f"{worker_name()}:{secrets.token_hex(4)}"
    if not deliveries_claim(worker=worker, ids=[delivery_id], limit=1):
        return "not-due"
    return dispatch_one(delivery_id=delivery_id, worker=worker)
