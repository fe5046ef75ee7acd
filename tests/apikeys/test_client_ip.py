"""client_ip: REMOTE_ADDR, or X-Forwarded-For read from the right past TRUSTED_PROXIES only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.models import AccountEvent
from apikeys import http, scopes, secrets
from apikeys.http import client_ip, in_networks, parse_ip
from apikeys.models import KeyEvent, PrivateKey
from tests.factories import PASSWORD

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def ip_of(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_it_uses_remote_addr_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of("203.0.113.9") == "203.0.113.9"


def test_it_ignores_a_forged_forwarded_for_from_an_untrusted_client(settings):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    settings.TRUSTED_PROXIES = []
    assert ip_of("10.0.0.1", "198.51.100.1") == "10.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # the address our proxy saw
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own prefix is not believed
        ("6.6.6.6, 198.51.100.7, 10.1.2.3", "198.51.100.7"),  # a second trusted hop is skipped
        (" 198.51.100.7 ,10.1.2.3 ", "198.51.100.7"),  # spaces around hops
        ("2001:db8::1, 2001:db8:ffff::2", "2001:db8::1"),  # IPv6 hops and an IPv6 proxy range
        ("10.9.9.9, 10.1.2.3", "10.9.9.9"),  # every hop trusted: the farthest one
        ("", "10.0.0.1"),  # a proxy that sent nothing: the proxy itself
    ],
)
def test_it_walks_forwarded_for_from_the_right_past_trusted_proxies(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of("10.0.0.1", forwarded) == expected


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-ip", "198.51.100.7:443", "198.51.100.7, junk", "198.51.100.7,,10.1.2.3", "<script>", "1" * 5000],
)
def test_it_falls_back_to_remote_addr_on_a_malformed_hop(settings, forwarded):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of("10.0.0.1", forwarded) == "10.0.0.1"


def test_it_stops_at_the_first_untrusted_hop_even_if_a_bad_one_lies_beyond(settings):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of("10.0.0.1", "junk, 198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize("remote_addr", ["", "unknown", "999.1.1.1", "2001:db8::zz"])
def test_it_returns_none_rather_than_junk(settings, remote_addr):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of(remote_addr, "198.51.100.7") is None


# Behind a proxy on a unix socket the peer has no address: REMOTE_ADDR is empty (gunicorn) or absent.
NO_PEER = [{"REMOTE_ADDR": ""}, {}]


def ip_without_peer(meta, forwarded=None):
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR")
    request.META.update(meta)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@pytest.mark.parametrize("meta", NO_PEER, ids=["empty", "absent"])
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # what nginx saw
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own prefix is not believed
        ("198.51.100.7, 10.1.2.3", "198.51.100.7"),  # a trusted TCP proxy in front of nginx is skipped
        ("198.51.100.7, junk", None),  # a malformed hop: nothing to fall back on
        ("", None),  # the proxy sent nothing
    ],
)
def test_it_reads_forwarded_for_from_a_proxy_on_a_unix_socket_when_told(settings, meta, forwarded, expected):
    settings.TRUSTED_PROXIES = ["unix", "10.0.0.0/8"]
    assert ip_without_peer(meta, forwarded) == expected


def test_it_still_ignores_forwarded_for_from_an_untrusted_tcp_peer_when_unix_is_trusted(settings):
    settings.TRUSTED_PROXIES = ["unix"]
    assert ip_of("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@pytest.mark.parametrize("meta", NO_PEER, ids=["empty", "absent"])
def test_it_knows_no_address_behind_a_unix_socket_it_was_not_told_to_trust(settings, meta, caplog):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    http._warn_of_a_peer_without_address.cache_clear()
    assert ip_without_peer(meta, "198.51.100.7") is None
    assert ip_without_peer(meta, "198.51.100.8") is None
    [record] = caplog.records  # once per process, not once per request
    assert record.levelname == "ERROR" and "add 'unix' to TRUSTED_PROXIES" in record.getMessage()


@override_settings(LOGIN_IP_FAILURE_LIMIT=2, LOGIN_FAILURE_LIMIT=100)
def test_it_does_not_lock_every_client_out_of_log_in_when_addresses_are_unknown(client, owner):
    for email in ("a@guess.test", "b@guess.test", "c@guess.test"):
        client.post("/login/", {"username": email, "password": "wrong"}, REMOTE_ADDR="")
    response = client.post("/login/", {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR="")
    assert response.status_code == 302


@override_settings(API_AUTH_FAILURE_LIMIT=2)
def test_it_does_not_throttle_every_api_client_when_addresses_are_unknown(client, account, owner):
    _, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    for _ in range(3):
        client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secrets.generate()}", REMOTE_ADDR="")
    response = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR="")
    assert response.status_code == 200


def test_it_normalises_addresses(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of("2001:DB8:0:0::1") == "2001:db8::1"
    assert ip_of("::ffff:203.0.113.9") == "203.0.113.9"  # IPv4 through a dual-stack socket


def test_it_matches_addresses_against_mixed_networks():
    entries = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"]
    assert in_networks(parse_ip("192.0.2.200"), entries)
    assert in_networks(parse_ip("2001:db8:1::9"), entries)
    assert in_networks(parse_ip("198.51.100.7"), entries)
    assert not in_networks(parse_ip("198.51.100.8"), entries)
    assert not in_networks(parse_ip("2001:db9::1"), entries)
    assert not in_networks(None, entries)


def test_it_logs_the_forwarded_address_in_the_api_keys_tab(client, owner, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.force_login(owner)
    client.post(
        reverse("apikeys:create"),
        {"name": "Zapier", "access": "read_only"},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert KeyEvent.objects.get().ip_address == "198.51.100.4"


def test_it_logs_the_peer_address_in_the_users_tab_when_the_header_is_forged(
    client, account, owner, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.force_login(owner)
    client.post(
        reverse("accounts:invite"),
        {"email": "new@new.test", "role": "analyst"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert AccountEvent.objects.filter(account=account).latest("id").ip_address == "203.0.113.5"


def test_it_records_the_forwarded_address_as_the_keys_last_use(client, account, owner, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    key, secret = PrivateKey.objects.issue(account, "Zapier", scopes.READ_ONLY, owner)
    response = client.get(
        "/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_X_FORWARDED_FOR="198.51.100.4"
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_ip == "198.51.100.4"


def _settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    clean_env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=django_settings.BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_reads_trusted_proxies_from_the_environment():
    result = _settings_in_a_fresh_process(TRUSTED_PROXIES="unix,10.0.0.0/8,2001:db8::1")
    assert result.stdout.strip() == "['unix', '10.0.0.0/8', '2001:db8::1']", result.stderr


def test_it_refuses_a_malformed_trusted_proxy():
    result = _settings_in_a_fresh_process(TRUSTED_PROXIES="10.0.0.0/8,proxy.internal")
    assert result.returncode != 0
    assert (
        "TRUSTED_PROXIES: 'proxy.internal' is not an IP address, a CIDR range or the word unix."
        in result.stderr
    )


def test_it_refuses_the_old_num_proxies_setting():
    result = _settings_in_a_fresh_process(NUM_PROXIES="1")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
