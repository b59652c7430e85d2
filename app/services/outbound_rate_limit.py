"""The outbound rate limit (issue 10 point 8): at most OUTBOUND_SENDS_PER_HOUR sends per handler
per clock hour, then 429 with Retry-After until the hour is over.

One function, so a shared rate-limit port can take its place without touching the send.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.outbound_rate_limit import count_send
from app.domain.errors import TooManyRequests
from app.domain.outbound import retry_after_seconds


async def take_outbound_send(conn: AsyncConnection, staff_id: UUID, per_hour: int) -> None:
    """Count this send, or refuse it (the request's rollback then un-counts it)."""
    sends, window_start, now = await count_send(conn, staff_id)
    if sends > per_hour:
        raise TooManyRequests(
            f"at most {per_hour} outbound sends per hour; try again when the hour is over",
            retry_after=retry_after_seconds(window_start, now),
            limit=per_hour,
        )
