"""Where a request comes from: the one ``client_ip`` every view, the API and the throttles ask.

``REMOTE_ADDR``, unless that peer is a proxy in ``TRUSTED_PROXIES`` (``unix``: a proxy on a unix socket);
then ``X-Forwarded-For`` is read from the right, past the trusted hops. The answer is a normalised address
or None, never a header's raw text. Design: docs/decisions/client-address.md.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Iterable

from django.http import HttpRequest

from apikeys import conf

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNIX_SOCKET = "unix"  # in TRUSTED_PROXIES: a peer without an address (a unix socket) is a trusted proxy

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4096)
def parse_ip(text: str | None) -> IPAddress | None:
    """Return ``text`` as an address (IPv4-mapped IPv6 as IPv4), or None; memoised, as every request asks."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def normalize_network(text: str) -> str:
    """Return an address or CIDR range in canonical form ("192.0.2.0/24", "2001:db8::1"); ValueError if bad.

    Host bits are dropped (192.0.2.7/24 is 192.0.2.0/24) and a single address is written without a prefix.
    """
    network = ipaddress.ip_network(text.strip(), strict=False)
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


@functools.lru_cache(maxsize=256)
def networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Return the networks of already validated ``entries`` (addresses or CIDR ranges), parsed once."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def in_networks(address: IPAddress | None, entries: Iterable[str]) -> bool:
    """Return whether ``address`` falls in one of ``entries`` (addresses or CIDR ranges)."""
    if address is None:
        return False
    # ``in`` is False across IP versions, so IPv4 and IPv6 entries mix freely.
    return any(address in network for network in networks(tuple(entries)))


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address as the rule above finds it, or None if there is no valid one."""
    remote_addr = (request.META.get("REMOTE_ADDR") or "").strip()
    peer = parse_ip(remote_addr)
    trusted = [entry for entry in conf.get("TRUSTED_PROXIES") if entry != UNIX_SOCKET]
    if not remote_addr:
        if UNIX_SOCKET not in conf.get("TRUSTED_PROXIES"):
            _warn_of_a_peer_without_address()
            return None
    elif peer is None or not trusted or not in_networks(peer, trusted):
        return str(peer) if peer else None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed(forwarded.split(",")) if forwarded.strip() else ():
        client = parse_ip(hop)
        if client is None:
            return str(peer) if peer else None
        if not in_networks(client, trusted):
            break
    return str(client) if client else None


@functools.cache  # once per process: every request from that proxy would say the same
def _warn_of_a_peer_without_address() -> None:
    logger.error(
        "A request came with an empty REMOTE_ADDR (a proxy on a unix socket?): its client address is "
        "unknown, so per-address throttles do not count it. If a proxy you trust connects through a unix "
        "socket, add 'unix' to TRUSTED_PROXIES so that its X-Forwarded-For is read."
    )
