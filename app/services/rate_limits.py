"""Rate limits: logins per source address and per identity, case creation per citizen, outbound
sends per handler (ready for the outbound use case; it calls `count_outbound`).

Counters live in PostgreSQL (app/db/repos/rate_limits.py) behind the `CounterStore` port. That
is enough because every API process (one uvicorn worker per core, several hosts behind a load
balancer) shares the one database: a limit holds across all of them, where per-process counters
would let N workers allow N times the limit. The cost is one small upsert per counted request on
a row of its own key (no contention between keys), and the limits guard against abuse, not load:
a store like Redis can replace PostgreSQL by implementing `hit` without touching the callers.

Where a counted hit is written decides what counts:
- a log-in attempt counts in a transaction of its own, committed before the attempt goes on, so
  a failed log-in (bad credentials, unknown person) counts as much as one that succeeds; the
  identity is counted once the identity provider has verified it (counting a name the request
  merely claims would let anyone lock a named person out);
- a case counts in the request's own transaction: a refused or failed request creates nothing
  and is not counted, and an Idempotency-Key replay never reaches the count.

The client address is `request.client.host`: behind a proxy that is the proxy's address unless
uvicorn is told to trust its `X-Forwarded-For` (`--proxy-headers` with `FORWARDED_ALLOW_IPS`
set to the proxy's address; docs/operations.md). Keys are HMACs (with the token signing key),
so the counter table holds no personal number, HSA-id or address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.db.engine import Database
from app.domain.errors import TooManyRequests

MINUTE, HOUR = 60, 3600


class CounterStore(Protocol):
    async def hit(self, conn: AsyncConnection, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one hit for `key` in the current fixed window of `window_seconds`; return the
        hits counted in that window so far and the seconds until it ends (at least 1)."""
        ...


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max_hits: int  # 0: no limit
    window_seconds: int
    what: str  # for the problem's detail


class RateLimits:
    def __init__(self, settings: Settings, db: Database, store: CounterStore) -> None:
        self._enabled = settings.rate_limits_enabled
        self._db = db
        self._store = store
        self._secret = settings.token_signing_key.encode()
        self.login_per_address = Limit(
            "login-address", settings.rate_limit_login_per_address, MINUTE, "log-in attempts from here"
        )
        self.login_per_identity = Limit(
            "login-identity", settings.rate_limit_login_per_identity, MINUTE, "log-ins as this person"
        )
        self.citizen_cases = Limit("citizen-cases", settings.rate_limit_citizen_cases, HOUR, "new cases")
        self.outbound = Limit("outbound", settings.rate_limit_outbound, HOUR, "outbound cases")

    async def count_login_attempt(self, address: str) -> None:
        await self._committed(self.login_per_address, address)

    async def count_login(self, identity: str) -> None:
        await self._committed(self.login_per_identity, identity)

    async def count_citizen_case(self, conn: AsyncConnection, citizen_id: UUID) -> None:
        await self._hit(conn, self.citizen_cases, str(citizen_id))

    async def count_outbound(self, conn: AsyncConnection, staff_id: UUID) -> None:
        """One outbound send by a handler, in the request's transaction (as a case is)."""
        await self._hit(conn, self.outbound, str(staff_id))

    def _active(self, limit: Limit) -> bool:
        return self._enabled and limit.max_hits > 0

    def _key(self, limit: Limit, subject: str) -> str:
        digest = hmac.new(self._secret, f"{limit.name}\x00{subject}".encode(), hashlib.sha256).hexdigest()
        return f"{limit.name}:{digest[:40]}"

    async def _committed(self, limit: Limit, subject: str) -> None:
        if not self._active(limit):
            return
        async with self._db.transaction() as conn:
            hits, retry_after = await self._store.hit(conn, self._key(limit, subject), limit.window_seconds)
        self._check(limit, hits, retry_after)

    async def _hit(self, conn: AsyncConnection, limit: Limit, subject: str) -> None:
        if not self._active(limit):
            return
        hits, retry_after = await self._store.hit(conn, self._key(limit, subject), limit.window_seconds)
        self._check(limit, hits, retry_after)

    @staticmethod
    def _check(limit: Limit, hits: int, retry_after: int) -> None:
        if hits > limit.max_hits:
            per = "minute" if limit.window_seconds == MINUTE else "hour"
            raise TooManyRequests(
                f"too many {limit.what}: at most {limit.max_hits} per {per}; try again in {retry_after} s",
                retry_after=retry_after,
                limit=limit.max_hits,
            )
