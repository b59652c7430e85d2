"""Whether a webhook URL may be called now: its form, and what its host resolves to (the rule:
app/domain/webhooks.py). Used when a webhook is created and again before every delivery."""

from __future__ import annotations

import asyncio
import socket

from app.domain.webhooks import Target, TargetRefused, check_addresses, parse_target


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to now (an IP literal resolves to itself)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


async def checked_target(url: str, *, production: bool) -> tuple[Target, list[str]]:
    """The target and the addresses it resolves to, all allowed; TargetRefused otherwise, or
    OSError when the name cannot be resolved now."""
    target = parse_target(url, production=production)
    addresses = await resolve(target.host, target.port)
    check_addresses(addresses, production=production)
    return target, addresses


__all__ = ["TargetRefused", "checked_target", "resolve"]
