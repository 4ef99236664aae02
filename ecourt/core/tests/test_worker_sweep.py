"""Messages whose task was lost (crash between commit and enqueue, or mid-send) are re-sent."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ecourt.core import sms
from ecourt.core.models import OutboundMessage
from ecourt.core.services import messages_sweep


@pytest.mark.django_db
def test_it_resends_a_queued_message_whose_task_never_ran():
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000001", body="hi", purpose="test"
    )
    assert messages_sweep() == 0, "fresh rows still have their task coming"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert [m.to for m in sms.outbox] == ["+8613800000001"]


@pytest.mark.django_db
def test_it_requeues_a_message_stuck_in_sending_after_a_worker_died():
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000002", body="hi", purpose="test", status="sending"
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert messages_sweep() == 0, "a send in progress for 5 minutes is left alone"
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


@pytest.mark.django_db
def test_it_leaves_sent_and_failed_messages_alone():
    for status in ("sent", "failed"):
        OutboundMessage.objects.create(
            channel="sms", to="+8613800000003", body="x", purpose="test", status=status
        )
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert messages_sweep() == 0
    assert sms.outbox == []
