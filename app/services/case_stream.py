"""The live inbox (api.md `GET /units/{unit_id}/cases/stream`): the event envelopes of the
unit's cases the caller reaches, as they commit, resumable with Last-Event-ID.

- Reach: the inbox's rule, written once (app/db/repos/case_reach.py): a receiver sees every
  case's events, anyone else those of cases assigned to them or their groups or that they took
  part in — as the case stands when the event is sent. Live events are checked per burst (one
  query), missed ones are read through the same rule.
- Resume: the events after Last-Event-ID are read from the table, then the live ones follow
  (ids in commit order per unit, so nothing falls between). A Last-Event-ID from before the
  retention purge (EVENT_RETENTION_DAYS), or after the unit's newest event (a database
  restored from a backup), cannot be resumed without a gap: the stream says `reset` (refetch
  the inbox) and goes on from now.
- Life: a heartbeat comment every SSE_HEARTBEAT_SECONDS; the stream ends after
  SSE_MAX_STREAM_SECONDS (the client reconnects and its roles are read again), when the client
  falls behind (bounded queue), and when the server shuts down. It holds no database
  connection between reads.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import orjson

from app.container import Services
from app.db.repos import events as repo
from app.domain.actors import StaffActor
from app.domain.errors import Unavailable
from app.domain.reach import CaseReach
from app.events.envelope import body
from app.events.hub import Closed, LiveEvent, Subscription

BACKFILL_PAGE = 500
RECONNECT_MILLISECONDS = 2000


@dataclass(frozen=True, slots=True)
class StreamItem:
    """One message of the stream: an event (`id` + `data`), a named notice, or a comment."""

    id: int | None = None
    event: str | None = None
    data: bytes | None = None
    comment: str | None = None
    retry: int | None = None


class CaseStream:
    def __init__(
        self,
        services: Services,
        reach: CaseReach,
        sub: Subscription,
        resume_after: int | None,
        purged_through: int,
    ) -> None:
        self.services = services
        self.reach = reach
        self.sub = sub
        self.resume_after = resume_after
        self.purged_through = purged_through

    async def items(self) -> AsyncIterator[StreamItem]:
        settings = self.services.settings
        hub = self.services.events
        deadline = time.monotonic() + settings.sse_max_stream_seconds
        try:
            yield StreamItem(comment="connected", retry=RECONNECT_MILLISECONDS)
            last = self.sub.start
            resume = self.resume_after
            if resume is not None and (resume < self.purged_through or resume > self.sub.start):
                reason = "events since Last-Event-ID are no longer kept: refetch the inbox"
                data = orjson.dumps({"reason": reason, "last_event_id": self.sub.start})
                yield StreamItem(id=self.sub.start, event="reset", data=data)
            elif resume is not None:
                async for item in self._missed(resume):
                    last = item.id or last
                    yield item
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    batch = await self.sub.next_batch(min(settings.sse_heartbeat_seconds, remaining))
                except Closed as closed:
                    yield StreamItem(comment=closed.reason)
                    return
                if not batch:
                    yield StreamItem(comment="heartbeat")
                    continue
                fresh = [e for e in batch if e.id > last]
                for event in await self._within_reach(fresh):
                    yield StreamItem(id=event.id, data=event.body)
                if fresh:
                    last = fresh[-1].id
        finally:
            hub.unsubscribe(self.sub)

    async def _missed(self, after: int) -> AsyncIterator[StreamItem]:
        r = self.reach
        while True:
            async with self.services.db.transaction() as conn:
                rows = await repo.reached_since(
                    conn, self.sub.unit_id, after, r.sees_all, r.staff_id, BACKFILL_PAGE
                )
            for row in rows:
                yield StreamItem(id=row["id"], data=body(row))
            if len(rows) < BACKFILL_PAGE:
                return
            after = rows[-1]["id"]

    async def _within_reach(self, batch: list[LiveEvent]) -> list[LiveEvent]:
        if self.reach.sees_all or not batch:
            return batch
        async with self.services.db.transaction() as conn:
            reached = await repo.reached_cases(
                conn, self.sub.unit_id, list({e.case_id for e in batch}), self.reach.staff_id
            )
        return [e for e in batch if e.case_id in reached]


async def open_stream(
    services: Services, actor: StaffActor, unit_id: UUID, last_event_id: int | None
) -> CaseStream:
    """Subscribe before the response starts, so a failure is still an error response."""
    async with services.db.transaction() as conn:
        purged = await repo.purged_through(conn)
    try:
        sub = await services.events.subscribe(unit_id)
    except Closed as exc:
        raise Unavailable(exc.reason) from exc
    return CaseStream(services, CaseReach.of(actor, unit_id), sub, last_event_id, purged)
