"""The outbox worker: claims due rows, sends them, records how it went; schedules reminders.

Delivery is at least once. A row exists only if the transaction that caused it committed (a
rollback sends nothing); it is marked `sent` only after the channel accepted it; a worker that
dies between the two leaves the row to be sent again, with the same idempotency key (e-mail
`Message-ID`, SMS `Idempotency-Key`) so the receiver can drop the copy.

Lease, not row lock. Holding `SELECT … FOR UPDATE` across the send would keep a transaction
(and a pooled connection) open for as long as a slow or hanging SMTP relay takes — idle in
transaction, holding back vacuum, and cut by any `idle_in_transaction_session_timeout` the
database role has. Instead a short statement claims the rows (`FOR UPDATE SKIP LOCKED`, so
concurrent workers never pick the same row) and writes a lease (`locked_until`, `locked_by`);
the send runs with no transaction open; a second short statement records the outcome, matched
on the lease holder. The lease is kept short (OUTBOX_LEASE_SECONDS, 30 s) and renewed by a
heartbeat every third of it while the worker is alive, so a long batch keeps its rows but a
killed worker's rows are free again at most one lease after it died — promptly, whether or not
it is restarted. A worker stopped with SIGTERM finishes the row in flight, hands the rest of
its batch back at once and stops claiming.

The same machinery drains every queue (app/notify/queue.py): the outbox, and webhook
deliveries to partners. Each queue has a loop of its own, so a partner's endpoint that hangs
until its time-out never holds up the e-mail and SMS behind it.

Housekeeping runs here too (no cron): every REMINDER_INTERVAL_SECONDS one worker (an advisory
lock picks it) runs the set-based statements of app/db/repos/reminders.py with the worker's
clock, which tests replace; every ATTACHMENT_PURGE_INTERVAL_SECONDS, when the worker is given
the attachment store, uploads nobody attached within 24 h go (its batches skip rows another
worker is deleting, so no lock picks one worker for it); and hourly the domain events older
than their retention go.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import Database
from app.db.repos import events, reminders
from app.notify import metrics
from app.notify.policy import RetryPolicy
from app.notify.queue import OutboxQueue, Queue, Result
from app.notify.senders import Outcome, Sender
from app.services.attachments import purge_unattached_uploads
from app.storage.ports import AttachmentStore

log = structlog.get_logger("careinbox.notify")
BACKLOG_REFRESH_SECONDS = 15.0
EVENT_PURGE_SECONDS = 3600.0
# A send that has not ended by then is abandoned and retried (the channels' own time-outs
# normally end it far sooner); without it a hung connection would hold its row for ever.
SEND_DEADLINE_SECONDS = 120.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        webhooks: Queue[Any] | None = None,
        policy: RetryPolicy | None = None,
        batch_size: int = 10,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        reminder_interval_seconds: float = 300.0,
        store: AttachmentStore | None = None,
        purge_interval_seconds: float = 3600.0,
        event_retention_days: float | None = None,
        clock: Callable[[], datetime] = utc_now,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.queues: list[Queue[Any]] = [OutboxQueue(senders, policy or RetryPolicy())]
        if webhooks is not None:
            self.queues.append(webhooks)
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.reminder_interval_seconds = reminder_interval_seconds
        self.store = store
        self.purge_interval_seconds = purge_interval_seconds
        self.event_retention_days = event_retention_days
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        # When each periodic job is next due (time.monotonic()); 0: at the first step.
        self._next_reminders = self._next_purge = self._next_event_purge = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set. A database or channel outage never ends a loop: it is logged
        and tried again after a pause."""
        log.info("outbox worker started", worker=self.worker_id, queues=[q.name for q in self.queues])
        await asyncio.gather(self._housekeeping(stop), *(self._drain_loop(q, stop) for q in self.queues))
        log.info("outbox worker stopped", worker=self.worker_id)

    async def _guarded(self, step: Callable[[], Any]) -> Any:
        try:
            return await step()
        except (SQLAlchemyError, OSError) as exc:
            log.error("outbox worker: database unavailable", error=f"{type(exc).__name__}: {exc}"[:300])
        except Exception:  # a bug must not end the loop: the rows wait, the log says why
            log.exception("outbox worker: unexpected error")
        return None

    async def _pause(self, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), self.poll_seconds)

    async def _drain_loop(self, queue: Queue[Any], stop: asyncio.Event) -> None:
        while not stop.is_set():
            done = await self._guarded(lambda: self._deliver(queue, stop))
            if (done or 0) < self.batch_size:  # a full batch suggests more is due: go on at once
                await self._pause(stop)

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        next_backlog = 0.0
        while not stop.is_set():
            await self._guarded(self.periodic)
            if time.monotonic() >= next_backlog:
                next_backlog = time.monotonic() + BACKLOG_REFRESH_SECONDS
                await self._guarded(self.refresh_backlog)
            await self._pause(stop)

    async def periodic(self) -> None:
        """The jobs the worker runs on a schedule, each that is due: reminders, the purge of
        stale uploads (when it has the attachment store) and of domain events past their
        retention (when it has one). Each waits its interval again even when it failed, so an
        outage is not hammered; the loop logs the failure."""
        if time.monotonic() >= self._next_reminders:
            self._next_reminders = time.monotonic() + self.reminder_interval_seconds
            await self.schedule_reminders()
        if self.store is not None and time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self.purge_interval_seconds
            await self.purge_uploads(self.store)
        if self.event_retention_days is not None and time.monotonic() >= self._next_event_purge:
            self._next_event_purge = time.monotonic() + EVENT_PURGE_SECONDS
            await self.purge_events()

    async def purge_uploads(self, store: AttachmentStore) -> int:
        """Delete the uploads nobody attached within 24 h, rows and bytes; returns how many."""
        purged = await purge_unattached_uploads(self.db, store)
        if purged:
            log.info("stale uploads purged", uploads=purged)
        return purged

    async def deliver_batch(self, stop: asyncio.Event | None = None) -> int:
        """Claim up to `batch_size` due jobs of each queue and try each once; returns how many
        were claimed."""
        return sum([await self._deliver(queue, stop) for queue in self.queues])

    async def _deliver(self, queue: Queue[Any], stop: asyncio.Event | None) -> int:
        async with self.db.transaction() as conn:
            jobs = await queue.claim(conn, self.worker_id, self.batch_size, self.lease_seconds)
        if not jobs:
            return 0
        held = [job.id for job in jobs]
        heartbeat = asyncio.create_task(self._heartbeat(queue, held))
        try:
            for job in jobs:
                if stop is not None and stop.is_set():
                    break
                outcome = await self._send(queue, job)
                held.remove(job.id)  # tried: never handed back as untried, even if recording fails
                await self._record(queue, job, outcome)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(Exception):
                await queue.close()
            if held:  # stopping: the untried jobs go back at once, not after the lease
                async with self.db.transaction() as conn:
                    await queue.release(conn, self.worker_id, held)
        return len(jobs)

    async def _send(self, queue: Queue[Any], job: Any) -> Outcome:
        try:
            async with asyncio.timeout(SEND_DEADLINE_SECONDS):
                return await queue.send(job)
        except TimeoutError:
            return Outcome.retry(f"no answer within {SEND_DEADLINE_SECONDS:g} s")
        except Exception as exc:  # a sender's bug must not stop the worker or lose the job
            log.exception("notification sender error", queue=queue.name, id=str(job.id))
            return Outcome.retry(f"{type(exc).__name__}: {exc}")

    async def _record(self, queue: Queue[Any], job: Any, outcome: Outcome) -> None:
        kind, detail = outcome.kind, outcome.detail
        retry_in: float | None = None
        if kind == "retry":
            retry_in = queue.policy.delay(job.attempts)
            reason = queue.gives_up(job, retry_in)
            if reason is not None:
                kind, detail, retry_in = "failed", f"{reason}: {detail}", None
        async with self.db.transaction() as conn:
            kept = await queue.finish(conn, job, self.worker_id, Result(kind, detail, retry_in, outcome))
        metrics.BY_OUTCOME[kind].labels(job.channel).inc()
        fields = job.log_fields()
        if not kept:
            log.warning("notification lease lost; another worker has the row", outcome=kind, **fields)
        elif kind == "failed":
            log.error("notification failed", error=detail, **fields)
        elif kind == "retry":
            log.warning("notification will be retried", error=detail, retry_in=round(retry_in or 0), **fields)
        elif kind == "skipped":
            log.info("notification skipped", reason=detail, **fields)

    async def _heartbeat(self, queue: Queue[Any], held: list[Any]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.db.transaction() as conn:
                    await queue.extend_lease(conn, self.worker_id, list(held), self.lease_seconds)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("outbox lease not renewed", error=f"{type(exc).__name__}: {exc}"[:300])

    async def schedule_reminders(self) -> int:
        """Write the reminders that are due by the worker's clock; returns how many rows."""
        now = self.clock()
        async with self.db.transaction() as conn:
            if not await reminders.take_scheduler_turn(conn):
                return 0
            written = await reminders.schedule_citizen_reminders(conn, now)
            written += await reminders.schedule_provider_reminders(conn, now)
        if written:
            log.info("reminders scheduled", rows=written)
        return written

    async def refresh_backlog(self) -> None:
        async with self.db.transaction() as conn:
            for queue in self.queues:
                count, age = await queue.backlog(conn)
                queue.backlog_gauge.set(count)
                queue.backlog_age_gauge.set(age)

    async def purge_events(self) -> int:
        """Domain events past their retention (the SSE stream's resume window) go."""
        assert self.event_retention_days is not None
        async with self.db.transaction() as conn:
            purged = await events.purge(conn, self.event_retention_days)
        if purged:
            log.info("domain events purged", rows=purged)
        return purged

    async def drain(self) -> int:
        """Deliver until nothing is due now (tests and one-off runs); returns jobs claimed."""
        total = 0
        while (claimed := await self.deliver_batch()) > 0:
            total += claimed
        return total
