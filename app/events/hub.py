"""One LISTEN per API process, fanned out to the process's SSE clients.

The migration's trigger NOTIFYs `careinbox_events` with `<unit id>:<highest new id>` when events
commit; every API process (any worker, any instance) hears it on one dedicated connection. The
table is the truth, the notification only a wake-up: the hub keeps a cursor per unit that has
clients here and, per burst of notifications, reads what is new for all those units in one
query, builds each envelope once and offers it to each client of the unit. A client's queue is
bounded: one that cannot keep up is dropped (its stream ends; it reconnects and resumes from
the table with Last-Event-ID), never buffered without bound.

No notification is lost for good: ids are in commit order per unit (the migration says why), so
"after the cursor" misses nothing; and when the listening connection drops, the hub reconnects
and reads every unit's backlog. A poll every `poll_seconds` reads it too, in case a connection
died without anyone noticing.

The hub starts with its first client (an API process nobody streams from holds no connection)
and `close()` ends every stream and the listener (app shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.db.engine import Database
from app.db.repos import events as repo
from app.events.envelope import body

log = structlog.get_logger("careinbox.events")
CHANNEL = "careinbox_events"
READ_LIMIT = 1000  # events per read; a longer burst is read in several
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class LiveEvent:
    id: int
    case_id: UUID
    body: bytes  # the envelope, built once for every client


class Closed(Exception):
    """The stream must end: `reason` says why (shutdown, or the client was too slow)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(eq=False)
class Subscription:
    unit_id: UUID
    start: int  # the unit's latest event id when the client arrived
    queue: asyncio.Queue[LiveEvent | Closed] = field(default_factory=asyncio.Queue)
    dropped: bool = False

    async def next_batch(self, wait: float) -> list[LiveEvent]:
        """What arrived, waiting up to `wait` seconds for the first ([] when nothing came);
        Closed when the stream must end."""
        try:
            first = await asyncio.wait_for(self.queue.get(), wait)
        except TimeoutError:
            return []
        batch = [first]
        while not self.queue.empty():
            batch.append(self.queue.get_nowait())
        for item in batch:
            if isinstance(item, Closed):
                raise item
        return [item for item in batch if isinstance(item, LiveEvent)]


class EventHub:
    def __init__(self, db: Database, *, queue_size: int = 1000, poll_seconds: float = 15.0) -> None:
        self.db = db
        self.queue_size = queue_size
        self.poll_seconds = poll_seconds
        self._subs: dict[UUID, set[Subscription]] = defaultdict(set)
        self._cursors: dict[UUID, int] = {}
        self._dirty: set[UUID] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def clients(self) -> int:
        return sum(len(s) for s in self._subs.values())

    async def subscribe(self, unit_id: UUID) -> Subscription:
        if self._closed:
            raise Closed("the server is shutting down")
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="event-hub")
        if unit_id not in self._cursors:
            async with self.db.transaction() as conn:
                latest = await repo.head(conn, unit_id)
            self._cursors.setdefault(unit_id, latest)
        # A burst read between the look-up and now has moved the cursor on: start there.
        sub = Subscription(unit_id, self._cursors[unit_id], asyncio.Queue(self.queue_size + 1))
        self._subs[unit_id].add(sub)
        # What committed while the unit had no cursor here was not announced to us: read it.
        self._dirty.add(unit_id)
        self._wake.set()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.unit_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.unit_id]
                self._cursors.pop(sub.unit_id, None)

    def shut(self) -> None:
        """End every stream (each gets Closed) and stop listening, at once (a signal handler)."""
        if not self._closed:
            self._closed = True
            for subs in self._subs.values():
                for sub in subs:
                    sub.queue.put_nowait(Closed("the server is shutting down"))
        if self._task is not None:
            self._task.cancel()

    async def close(self) -> None:
        self.shut()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- the listener and the reads -------------------------------------------------------

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        unit, _, last = payload.partition(":")
        try:
            unit_id, last_id = UUID(unit), int(last)
        except ValueError:
            return
        if last_id > self._cursors.get(unit_id, last_id):
            self._dirty.add(unit_id)
            self._wake.set()

    async def _run(self) -> None:
        while True:
            engine: AsyncEngine | None = None
            try:
                # Its own connection, outside the pool, never in a transaction (notifications
                # arrive between transactions), made as the app's engine makes them.
                engine = create_async_engine(
                    self.db.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
                )
                async with engine.connect() as conn:
                    lost = await self._listen(conn)
                    self._dirty.update(self._cursors)  # catch up on what was said meanwhile
                    await self._pump(lost)
            except asyncio.CancelledError:
                raise
            except (SQLAlchemyError, OSError) as exc:
                log.warning("event listener lost its connection", error=f"{type(exc).__name__}: {exc}"[:300])
            except Exception:
                log.exception("event listener: unexpected error")
            finally:
                if engine is not None:
                    with contextlib.suppress(Exception):
                        await engine.dispose()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self, conn: AsyncConnection) -> asyncio.Event:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        lost = asyncio.Event()


        def on_lost(_conn: Any) -> None:
            lost.set()
            self._wake.set()

        driver.add_termination_listener(on_lost)
        await driver.add_listener(CHANNEL, self._notified)
        return lost

    async def _pump(self, lost: asyncio.Event) -> None:
        """Read and fan out until the listening connection is lost."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            if not self._wake.is_set():  # the poll: read every unit
                self._dirty.update(self._cursors)
            self._wake.clear()
            while self._dirty:
                units, self._dirty = self._dirty, set()
                await self._read({u: self._cursors[u] for u in units if u in self._cursors})

    async def _read(self, cursors: dict[UUID, int]) -> None:
        if not cursors:
            return
        async with self.db.transaction() as conn:
            rows = await repo.since(conn, cursors, READ_LIMIT)
        if len(rows) == READ_LIMIT:
            self._dirty.update(cursors)  # more to read: go round again
        for row in rows:
            unit_id = row["unit_id"]
            if row["id"] <= self._cursors.get(unit_id, row["id"]):
                continue  # a unit whose last client left meanwhile, or read already
            self._cursors[unit_id] = row["id"]
            event = LiveEvent(row["id"], row["case_id"], body(row))
            for sub in list(self._subs.get(unit_id, ())):
                self._offer(sub, event)

    def _offer(self, sub: Subscription, event: LiveEvent) -> None:
        if sub.dropped:
            return
        if sub.queue.qsize() >= self.queue_size:
            sub.dropped = True
            sub.queue.put_nowait(Closed("the client did not keep up"))
            log.warning("event stream dropped: client too slow", unit=str(sub.unit_id))
            return
        sub.queue.put_nowait(event)
