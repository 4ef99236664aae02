"""The audit trail is append-only (in Python and in the database), records where a change came
from, and can be searched by staff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import UserFactory
from ecourt.core.audit import audit_record
from ecourt.core.context import hash_ip
from ecourt.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(alice) -> AuditEvent:
    return audit_record(
        code="ecourt.test.recorded", actor=alice, target=alice, new={"when": datetime(2025, 1, 1)}
    )


def test_it_records_who_did_what_to_which_object(event, alice):
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == alice
    assert event.actor_repr == f"Alice Zhang (#{alice.pk})"
    assert (event.target_type.app_label, event.target_type.model) == ("accounts", "user")
    assert event.target_id == str(alice.pk)
    assert event.new_values == {"when": "2025-01-01T00:00:00"}
    # Outside a request there is no request id or address.
    assert (event.request_id, event.ip_hash) == ("", "")


def test_it_records_the_system_when_there_is_no_person():
    event = audit_record(code="ecourt.test.system", actor=None)
    assert (event.actor, event.actor_repr, event.target_type) == (None, "system", None)


def test_it_refuses_to_save_a_changed_event(event):
    event.code = "ecourt.test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).code == "ecourt.test.recorded"


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_queryset_update_and_delete(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(code="ecourt.test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).code == "ecourt.test.recorded"


def _raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_refuses_raw_sql_updates_in_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE core_auditevent SET code = %s WHERE id = %s", ["ecourt.x", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).code == "ecourt.test.recorded"


def test_it_refuses_raw_sql_deletes_in_the_database(event):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite has no DELETE trigger: the test database is flushed with DELETE, so "
            "migration 0002 blocks only UPDATE there; the model and queryset block deletes."
        )
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_keeps_actors_with_history_from_being_deleted(event, alice):
    with pytest.raises(DatabaseError), transaction.atomic():
        User.objects.filter(pk=alice.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == alice.pk


# --- Where a change came from ------------------------------------------------------------------


def test_it_records_the_request_id_and_hashed_address(login, alice, settings):
    settings.ECOURT_PROXY_COUNT = 1  # the id comes from our own reverse proxy
    client = login(alice)
    response = client.post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice Z", "preferred_language": "en"},
        headers={"x-request-id": "proxy-req-1234abcd", "x-forwarded-for": "198.51.100.23"},
        REMOTE_ADDR="127.0.0.1",
    )
    assert response["X-Request-ID"] == "proxy-req-1234abcd"
    event = AuditEvent.objects.get(code="ecourt.accounts.user.profile_changed")
    assert event.request_id == "proxy-req-1234abcd"
    assert event.ip_hash == hash_ip("198.51.100.23")
    assert "198.51.100.23" not in event.ip_hash


def test_it_ignores_a_request_id_sent_by_the_client_itself(login, alice):
    response = login(alice).post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice Z", "preferred_language": "en"},
        headers={"x-request-id": "forged-id-12345678"},
    )
    assert response["X-Request-ID"] != "forged-id-12345678"
    event = AuditEvent.objects.get(code="ecourt.accounts.user.profile_changed")
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming", ["short", "bad id with spaces", "<script>x</script>", "a" * 65]
)
def test_it_replaces_a_malformed_request_id(login, alice, incoming, settings):
    settings.ECOURT_PROXY_COUNT = 1
    client = login(alice)
    response = client.post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice Z", "preferred_language": "en"},
        headers={"x-request-id": incoming},
    )
    event = AuditEvent.objects.get(code="ecourt.accounts.user.profile_changed")
    assert event.request_id == response["X-Request-ID"]
    assert event.request_id != incoming
    assert len(event.request_id) == 32


# --- Searching the trail ---------------------------------------------------------------------


@pytest.fixture
def trail(alice, bob, admin) -> dict[str, AuditEvent]:
    return {
        "alice_role": audit_record(code="ecourt.accounts.role.granted", actor=admin, target=alice),
        "bob_role": audit_record(code="ecourt.accounts.role.revoked", actor=admin, target=bob),
        "alice_profile": audit_record(
            code="ecourt.accounts.user.profile_changed", actor=alice, target=alice
        ),
        "bob_case": audit_record(code="ecourt.cases.filed", actor=bob, target=None),
        "roles_like": audit_record(code="ecourt.accounts.roleplay", actor=bob, target=bob),
    }


def _found(client, **query: str) -> set[int]:
    response = client.get(reverse("core:audit_search"), query)
    assert response.status_code == 200
    return {event.pk for event in response.context["page"]}


def _ids(trail, *names: str) -> set[int]:
    return {trail[name].pk for name in names}


def test_it_filters_the_trail(login, admin, alice, bob, trail):
    client = login(admin)
    everything = _found(client)
    assert _ids(trail, *trail) <= everything

    assert _found(client, code="ecourt.accounts.role.") == _ids(trail, "alice_role", "bob_role")
    assert _found(client, code="ecourt.cases") == _ids(trail, "bob_case")
    assert _found(client, actor=str(alice.pk)) >= _ids(trail, "alice_profile")
    assert _found(client, actor="Bob Li") == _ids(trail, "bob_case", "roles_like")
    by_target = _found(client, target_type="accounts.user", target_id=str(alice.pk))
    assert by_target >= _ids(trail, "alice_role", "alice_profile")
    assert not by_target & _ids(trail, "bob_role", "bob_case", "roles_like")
    assert _found(client, target_type="Accounts.User", target_id=str(bob.pk)) == _ids(
        trail, "bob_role", "roles_like"
    )
    assert _found(client, code="ecourt.accounts.role.", actor="Admin") == _ids(
        trail, "alice_role", "bob_role"
    )


def test_it_explains_a_malformed_object_type(login, admin, trail):
    response = login(admin).get(reverse("core:audit_search"), {"target_type": "user"})
    assert response.status_code == 200
    assert response.context["form"].errors["target_type"] == [
        "Write the object type as app.model, e.g. accounts.user."
    ]


def test_it_filters_by_day_in_court_time(login, admin, time_machine):
    # 23:30 UTC on 1 March is 07:30 on 2 March in Beijing.
    time_machine.move_to(datetime(2025, 3, 1, 23, 30, tzinfo=UTC), tick=False)
    early = audit_record(code="ecourt.test.dated", actor=None)
    time_machine.move_to(datetime(2025, 3, 3, 1, 0, tzinfo=UTC), tick=False)
    client = login(admin)
    assert _found(client, code="ecourt.test", since="2025-03-02", until="2025-03-02") == {early.pk}
    assert _found(client, code="ecourt.test", until="2025-03-01") == set()


def test_it_pages_the_trail_newest_first(login, admin):
    for n in range(55):
        audit_record(code=f"ecourt.test.n{n:02d}", actor=None)
    client = login(admin)
    first = client.get(reverse("core:audit_search"), {"code": "ecourt.test."})
    codes = [event.code for event in first.context["page"]]
    assert len(codes) == 50
    assert codes[0] == "ecourt.test.n54"
    assert first.context["page"].has_next()
    second = client.get(reverse("core:audit_search"), {"code": "ecourt.test.", "page": 2})
    assert [event.code for event in second.context["page"]][-1] == "ecourt.test.n00"


def test_it_keeps_the_query_count_flat_as_the_trail_grows(
    login, admin, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            person = UserFactory(roles=[Role.LITIGANT])
            audit_record(code="ecourt.test.flat", actor=person, target=person)

    add(3)
    client = login(admin)
    url = reverse("core:audit_search")
    client.get(url)  # warm up: session, device and content type caches
    with django_assert_max_num_queries(100) as baseline:
        client.get(url)
    add(30)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["page"]) >= 33
