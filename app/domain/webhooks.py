"""Webhook subscriptions: their states, and which targets a webhook may point at.

SSRF: a webhook makes the service send requests to an address a local admin typed. In
production it must be `https` and resolve to public addresses only — never loopback, private,
link-local (cloud metadata at 169.254.169.254), shared (100.64/10), reserved, multicast or
unspecified ones, nor an IPv4 address wrapped in IPv6. The host is resolved when the webhook
is created *and* before every delivery (a name may resolve elsewhere later: DNS rebinding), and
the delivery connects to the address that was checked (app/notify/webhooks.py). In dev and
test, local receivers are allowed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000


class WebhookStatus(StrEnum):
    """`failing` once a delivery was given up (after WEBHOOK_RETRY_HOURS); the next delivery that
    succeeds makes it `active` again. Deliveries go on either way."""

    ACTIVE = "active"
    FAILING = "failing"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class TargetRefused(ValueError):
    """The URL may not be a webhook target here; the message says why (shown to the admin)."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query, as sent

    @property
    def is_ip_literal(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def parse_target(url: str, *, production: bool) -> Target:
    """The parts of a webhook URL, or TargetRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("not a valid URL") from exc
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme not in allowed:
        raise TargetRefused("the URL must use https" if production else "the URL must use http or https")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("the URL may not carry a user name or password")
    if parts.fragment:
        raise TargetRefused("the URL may not carry a fragment")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def is_public(address: str) -> bool:
    """Whether an address is on the public internet (see the module's docstring)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_addresses(addresses: list[str], *, production: bool) -> None:
    """Every address a host resolves to must be public in production (one private address
    among public ones is enough to reach an internal service)."""
    if not addresses:
        raise TargetRefused("the host does not resolve to any address")
    if production:
        refused = sorted({a for a in addresses if not is_public(a)})
        if refused:
            raise TargetRefused(f"the host resolves to a non-public address ({refused[0]})")
