"""IP allowlists: chosen at creation, enforced on every request with 403 ip_not_allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apikeys import scopes
from apikeys.models import MAX_ALLOWED_IPS, PrivateKey
from tests.api.helpers import assert_error, call

ALLOWLIST = ["192.0.2.0/24", "198.51.100.7", "2001:db8::/32"]


@pytest.fixture
def fenced(account, owner):
    """A full-access key that works only from ALLOWLIST, with its secret."""
    return PrivateKey.objects.issue(account, "Warehouse", scopes.FULL_ACCESS, owner, allowed_ips=ALLOWLIST)


def get(client, secret, ip, **extra):
    return call(client, "GET", "/api/key/", secret, REMOTE_ADDR=ip, **extra)


# Enforcement -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip", ["192.0.2.1", "192.0.2.254", "198.51.100.7", "2001:db8::1", "2001:db8:ffff::9"]
)
def test_it_admits_requests_from_the_allowlist(client, fenced, ip):
    _, secret = fenced
    assert get(client, secret, ip).status_code == 200


@pytest.mark.parametrize("ip", ["192.0.3.1", "198.51.100.8", "2001:db9::1", "::1", "127.0.0.1"])
def test_it_refuses_requests_from_elsewhere_with_403(client, fenced, ip):
    _, secret = fenced
    error = assert_error(get(client, secret, ip), 403, "ip_not_allowed")
    assert f"this request came from {ip}" in error["detail"] and "IP allowlist" in error["detail"]


def test_it_matches_an_ipv4_client_on_a_dual_stack_socket(client, fenced):
    _, secret = fenced
    assert get(client, secret, "::ffff:192.0.2.10").status_code == 200


def test_it_refuses_a_request_without_a_valid_address(client, fenced):
    _, secret = fenced
    error = assert_error(get(client, secret, ""), 403, "ip_not_allowed")
    assert "an unknown address" in error["detail"]


def test_it_ignores_a_forged_forwarded_for_from_an_untrusted_client(client, fenced, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _, secret = fenced
    assert_error(get(client, secret, "203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1"), 403, "ip_not_allowed")


def test_it_believes_forwarded_for_from_a_trusted_proxy(client, fenced, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _, secret = fenced
    assert get(client, secret, "10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    assert_error(get(client, secret, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"), 403, "ip_not_allowed")


def test_it_checks_the_allowlist_before_the_scope(client, account, owner):
    _, secret = PrivateKey.objects.issue(account, "R", scopes.READ_ONLY, owner, allowed_ips=["192.0.2.0/24"])
    response = call(client, "POST", "/api/lists/", secret, body={"name": "x"}, REMOTE_ADDR="203.0.113.9")
    assert_error(response, 403, "ip_not_allowed")


def test_it_records_no_use_from_elsewhere(client, fenced):
    key, secret = fenced
    get(client, secret, "203.0.113.9")
    key.refresh_from_db()
    assert key.last_used_at is None


def test_it_does_not_throttle_a_right_key_from_a_wrong_address(client, fenced, settings):
    settings.API_AUTH_FAILURE_LIMIT = 3
    _, secret = fenced
    for _ in range(5):
        assert get(client, secret, "203.0.113.9").status_code == 403


def test_it_costs_one_query(client, fenced, django_assert_num_queries):
    _, secret = fenced
    get(client, secret, "192.0.2.1")  # last use written once
    get(client, secret, "203.0.113.8")  # and the last refusal
    with django_assert_num_queries(1):
        assert get(client, secret, "192.0.2.2").status_code == 200
    with django_assert_num_queries(1):
        assert get(client, secret, "203.0.113.9").status_code == 403


def test_it_lets_a_key_without_an_allowlist_work_from_anywhere(client, full_key):
    _, secret = full_key
    assert get(client, secret, "203.0.113.9").status_code == 200
    assert get(client, secret, "2001:db8::1").status_code == 200


def test_it_keeps_the_allowlist_when_cloning(account, owner, fenced):
    key, _ = fenced
    clone, clone_secret = key.clone(by=owner)
    assert clone.allowed_ips == ALLOWLIST
    assert PrivateKey.objects.get(pk=clone.pk).allowed_ips == ALLOWLIST


# Entering it -------------------------------------------------------------------------------------------


def create(client, allowed_ips: str):
    return client.post(
        reverse("apikeys:create"), {"name": "Warehouse", "access": "read_only", "allowed_ips": allowed_ips}
    )


def test_it_stores_the_allowlist_normalised(client, owner):
    client.force_login(owner)
    text = (
        "\n 203.0.113.7 \r\n\n192.0.2.77/24\n2001:DB8:0::/32, 203.0.113.7/32\n10.1.2.3/8  2001:db8::1/128\n"
    )
    response = create(client, text)
    key = PrivateKey.objects.get()
    assert response["Location"] == reverse("apikeys:reveal", args=[key.public_id])
    assert key.allowed_ips == ["203.0.113.7", "192.0.2.0/24", "2001:db8::/32", "10.0.0.0/8", "2001:db8::1"]


def test_it_stores_no_allowlist_when_left_empty(client, owner):
    client.force_login(owner)
    create(client, "  \n\n")
    assert PrivateKey.objects.get().allowed_ips == []


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("192.0.2.1\nlocalhost", ["Line 2: “localhost” is not an IP address or CIDR range."]),
        ("192.0.2.300", ["Line 1: “192.0.2.300” is not an IP address or CIDR range."]),
        ("192.0.2.0/33\n\n2001:db8::/129", ["Line 1: “192.0.2.0/33”", "Line 3: “2001:db8::/129”"]),
        ("192.0.2.1 / 24", ["Line 1: “/”", "Line 1: “24”"]),
        ("<script>alert(1)</script>", ["Line 1: “&lt;script&gt;alert(1)&lt;/script&gt;”"]),
        ("x" * 200, ["Line 1: “" + "x" * 50 + "…”"]),
        ("\n".join(f"192.0.2.{n}" for n in range(MAX_ALLOWED_IPS + 1)), ["At most 50 addresses or ranges"]),
        ("1" * 6000, ["Ensure this value has at most 5000 characters"]),
    ],
)
def test_it_refuses_a_bad_allowlist_naming_the_line_and_creates_nothing(client, owner, text, errors):
    client.force_login(owner)
    response = create(client, text)
    assert response.status_code == 200
    html = response.content.decode()
    for error in errors:
        assert error in html
    assert PrivateKey.objects.count() == 0


def test_it_accepts_fifty_entries(client, owner):
    client.force_login(owner)
    create(client, "\n".join(f"192.0.2.{n}" for n in range(MAX_ALLOWED_IPS)))
    assert len(PrivateKey.objects.get().allowed_ips) == MAX_ALLOWED_IPS


def test_it_refuses_a_bad_entry_in_the_model(account, owner):
    with pytest.raises(ValueError):
        PrivateKey.objects.issue(account, "Z", scopes.READ_ONLY, owner, allowed_ips=["nope"])
    assert PrivateKey.objects.count() == 0


def test_it_shows_the_allowlist_on_the_key_page(client, owner, fenced):
    key, _ = fenced
    client.force_login(owner)
    html = client.get(key.get_absolute_url()).content.decode()
    for entry in ALLOWLIST:
        assert f"<li><code>{entry}</code></li>" in html
    assert "Requests from any other address are refused." in html


def test_it_says_any_address_without_an_allowlist(client, owner, full_key):
    key, _ = full_key
    client.force_login(owner)
    assert (
        "<dt>IP allowlist</dt>\n<dd>Any address</dd>" in client.get(key.get_absolute_url()).content.decode()
    )
