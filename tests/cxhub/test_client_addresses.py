"""Login and token limits count per real client address, in a cache every process shares."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from cxhub.lib.client_ip import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not from our proxy: ignored
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # spoofed left part
        (["10.0.0.2"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db9::5", "2001:db9::5"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_from_configured_proxies(
    settings, trusted, remote, forwarded, expected
):
    settings.CXHUB_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.fixture
def token_rate(monkeypatch):
    """The token endpoint's throttle rate for one test."""
    from cxhub.lib.api import ClientScopedRateThrottle

    def set_rate(rate: str) -> None:
        monkeypatch.setattr(ClientScopedRateThrottle, "THROTTLE_RATES", {"token": rate})

    return set_rate


def test_rotating_forwarded_for_does_not_escape_the_token_throttle(token_rate):
    """Before: the throttle keyed on X-Forwarded-For, and rotating it let 60 of 60 through."""
    token_rate("5/min")
    api = APIClient()
    answers = [
        api.post(
            "/api/v1/auth/token/", {"username": f"u{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(8)
    ]
    assert answers == [400] * 5 + [429] * 3


def test_behind_a_trusted_proxy_each_client_has_its_own_token_limit(settings, token_rate):
    settings.CXHUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    token_rate("3/min")
    api = APIClient(REMOTE_ADDR="10.0.0.2")
    first = [
        api.post("/api/v1/auth/token/", {"username": "u", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.1")
        for _ in range(4)
    ]
    other = api.post("/api/v1/auth/token/", {"username": "u", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [r.status_code for r in first] == [400, 400, 400, 429] and other.status_code == 400


def test_one_password_against_many_user_names_is_stopped_per_address(client, settings):
    """Before: 60 user names × 1 password passed unchecked (the lockout counts per user name + address)."""
    settings.CXHUB_LOGIN_FAILURES_PER_IP = 10
    UserFactory(username="carol")
    answers = [
        client.post(reverse("login"), {"username": f"user{n}", "password": "Summer2026!"}, REMOTE_ADDR="203.0.113.9")
        for n in range(12)
    ]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    assert "many wrong passwords for different user names" in answers[-1].content.decode()
    # Even the right password is refused from that address for now; another address is not affected.
    blocked = client.post(reverse("login"), {"username": "carol", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")
    assert blocked.status_code == 429
    assert (
        client.post(
            reverse("login"), {"username": "carol", "password": PASSWORD}, REMOTE_ADDR="203.0.113.10"
        ).status_code
        == 302
    )


def test_the_token_endpoint_counts_toward_the_same_address_limit(settings, token_rate):
    settings.CXHUB_LOGIN_FAILURES_PER_IP = 3
    token_rate("100/min")
    api = APIClient(REMOTE_ADDR="203.0.113.9")
    codes = [api.post("/api/v1/auth/token/", {"username": f"u{n}", "password": "x"}).status_code for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    assert "from your address" in api.post("/api/v1/auth/token/", {"username": "v", "password": "x"}).json()["detail"]


def test_people_behind_one_proxy_do_not_lock_each_other_out(client, settings):
    """axes locks user name + real address: bob's wrong passwords from one desk do not lock bob (or
    anyone) at the next desk behind the same office proxy."""
    settings.CXHUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    UserFactory(username="bob")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "bob", "password": "wrong"}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy
        )
    locked = client.post(
        reverse("login"), {"username": "bob", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        reverse("login"), {"username": "bob", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
    )
    assert elsewhere.status_code == 302
