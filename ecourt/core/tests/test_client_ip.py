"""The client address behind trusted reverse proxies, used for lockouts, rate limits and audit."""

import logging

import pytest
from django.test import RequestFactory

from ecourt.core import context
from ecourt.core.middleware import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "", "203.0.113.9", "203.0.113.9"),
        (0, "198.51.100.1", "203.0.113.9", "203.0.113.9"),  # no proxy: header is spoofable
        (1, "198.51.100.1", "127.0.0.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "127.0.0.1", "198.51.100.1"),  # client-written part ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "127.0.0.1", "198.51.100.1"),
        (2, "198.51.100.1", "127.0.0.1", "127.0.0.1"),  # fewer entries than proxies
    ],
)
def test_it_takes_the_address_the_nearest_trusted_proxy_saw(
    settings, proxies, forwarded, remote, expected
):
    settings.ECOURT_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected


def test_it_puts_the_request_id_on_log_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    token = context.set_current(context.RequestContext(request_id="abc12345", ip_hash=""))
    try:
        context.RequestIdLogFilter().filter(record)
    finally:
        context.reset(token)
    assert record.request_id == "abc12345"
    context.RequestIdLogFilter().filter(record)
    assert record.request_id == "-"
