"""Which store addresses Reshelf will call: public https hosts, checked before any request.

A merchant types the address, and the server then calls it (keys check, webhooks,
backfill). Without a check, anyone signed in could make the server call its own network
(``http://127.0.0.1:8983/``, a cloud metadata address, a database on the LAN). So the host
is resolved and every address it resolves to must be public (``ipaddress``'s ``is_global``).
Loopback, private, link-local and reserved ranges, and plain ``http://``, are allowed only
when ``RESHELF_ALLOW_PRIVATE_STORES`` is on (the demo and the tests, whose emulated stores
listen on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from core.errors import DomainError


class StoreAddressRefused(DomainError):
    """An address Reshelf will not call; the message says why, for the merchant."""


def _is_public(address: str) -> bool:
    """Whether one resolved address is on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (StoreAddressRefused if it resolves to none)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise StoreAddressRefused(f"{host} could not be found; check the store address") from exc
    return sorted({str(info[4][0]) for info in found})


def check_store_address(url: str, *, allow_private: bool) -> str:
    """The store's address, normalised, if Reshelf may call it; else StoreAddressRefused."""
    parsed = urlparse(url.strip())
    schemes = ("https", "http") if allow_private else ("https",)
    if parsed.scheme not in schemes or not parsed.hostname:
        raise StoreAddressRefused(
            f"{url.strip()!r} is not a store address Reshelf can use: "
            "it must start with https:// (https://your-store.example)"
        )
    if parsed.username is not None or parsed.password is not None:
        raise StoreAddressRefused("a store address carries no user name or password")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:
        raise StoreAddressRefused(f"{url.strip()!r} has an invalid port") from exc
    addresses = resolve(parsed.hostname, port)
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise StoreAddressRefused(
            f"{parsed.hostname} is not a public address; Reshelf only connects to stores "
            "on the internet"
        )
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path.rstrip('/')}"
