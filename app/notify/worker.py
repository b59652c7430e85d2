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

Reminders are scheduled here too (no cron): every REMINDER_INTERVAL_SECONDS one worker (an
advisory lock picks it) runs the set-based statements of app/db/repos/reminders.py with the
worker's clock, which tests replace. So is the purge of uploads nobody attached within 24 h,
every ATTACHMENT_PURGE_INTERVAL_SECONDS, when the worker is given the attachment store: its
batches skip rows another worker is deleting, so no lock picks one worker for it.
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

import structlog
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import Database
from app.db.repos import outbox as repo
from app.db.repos import reminders
from app.notify import metrics
from app.notify.policy import RetryPolicy
from app.notify.senders import Notice, Outcome, Sender, mask
from app.notify.texts import UnknownTemplate
from app.services.attachments import purge_unattached_uploads
from app.storage.ports import AttachmentStore

log = structlog.get_logger("careinbox.notify")
BACKLOG_REFRESH_SECONDS = 15.0
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
        policy: RetryPolicy | None = None,
        batch_size: int = 10,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        reminder_interval_seconds: float = 300.0,
        store: AttachmentStore | None = None,
        purge_interval_seconds: float = 3600.0,
        clock: Callable[[], datetime] = utc_now,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.policy = policy or RetryPolicy()
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.reminder_interval_seconds = reminder_interval_seconds
        self.store = store
        self.purge_interval_seconds = purge_interval_seconds
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        # When each periodic job is next due (time.monotonic()); 0: at the first step.
        self._next_reminders = self._next_purge = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set. A database or channel outage never ends the loop: it is logged
        and tried again after a pause."""
        log.info("outbox worker started", worker=self.worker_id, channels=sorted(self.senders))
        next_backlog = 0.0
        while not stop.is_set():
            done = 0
            try:
                await self.periodic()
                done = await self.deliver_batch(stop)
                if time.monotonic() >= next_backlog:
                    next_backlog = time.monotonic() + BACKLOG_REFRESH_SECONDS
                    await self.refresh_backlog()
            except (SQLAlchemyError, OSError) as exc:
                log.error("outbox worker: database unavailable", error=f"{type(exc).__name__}: {exc}"[:300])
            except Exception:  # a bug must not end the loop: the rows wait, the log says why
                log.exception("outbox worker: unexpected error")
            if done < self.batch_size:  # a full batch suggests more is due: go on at once
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
        log.info("outbox worker stopped", worker=self.worker_id)

    async def periodic(self) -> None:
        """The jobs the worker runs on a schedule, each that is due: reminders, and the purge of
        stale uploads (when it has the attachment store). Each waits its interval again even
        when it failed, so an outage is not hammered; the loop logs the failure."""
        if time.monotonic() >= self._next_reminders:
            self._next_reminders = time.monotonic() + self.reminder_interval_seconds
            await self.schedule_reminders()
        if self.store is not None and time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self.purge_interval_seconds
            await self.purge_uploads(self.store)

    async def purge_uploads(self, store: AttachmentStore) -> int:
        """Delete the uploads nobody attached within 24 h, rows and bytes; returns how many."""
        purged = await purge_unattached_uploads(self.db, store)
        if purged:
            log.info("stale uploads purged", uploads=purged)
        return purged

    async def deliver_batch(self, stop: asyncio.Event | None = None) -> int:
        """Claim up to `batch_size` due rows and try each once; returns how many were claimed."""
        async with self.db.transaction() as conn:
            rows = await repo.claim(
                conn, self.worker_id, list(self.senders), self.batch_size, self.lease_seconds
            )
        if not rows:
            return 0
        held = [row["id"] for row in rows]
        heartbeat = asyncio.create_task(self._heartbeat(held))
        try:
            for row in rows:
                if stop is not None and stop.is_set():
                    break
                notice = Notice.from_row(row)
                outcome = await self._send(notice)
                held.remove(notice.id)  # tried: never handed back as untried, even if recording fails
                await self._record(notice, outcome)
        finally:
            heartbeat.cancel()
            for sender in self.senders.values():
                with contextlib.suppress(Exception):
                    await sender.close()
            if held:  # stopping: the untried rows go back at once, not after the lease
                async with self.db.transaction() as conn:
                    await repo.release(conn, self.worker_id, held)
        return len(rows)

    async def _send(self, notice: Notice) -> Outcome:
        try:
            async with asyncio.timeout(SEND_DEADLINE_SECONDS):
                return await self.senders[notice.channel].send(notice)
        except UnknownTemplate as exc:
            return Outcome.failed(str(exc))
        except TimeoutError:
            return Outcome.retry(f"no answer within {SEND_DEADLINE_SECONDS:g} s")
        except Exception as exc:  # a sender's bug must not stop the worker or lose the row
            log.exception("notification sender error", id=notice.id, channel=notice.channel)
            return Outcome.retry(f"{type(exc).__name__}: {exc}")

    async def _record(self, notice: Notice, outcome: Outcome) -> None:
        kind, detail = outcome.kind, outcome.detail
        retry_in: float | None = None
        if kind == "retry" and self.policy.gives_up(notice.attempts):
            kind, detail = "failed", f"gave up after {notice.attempts} attempts: {detail}"
        elif kind == "retry":
            retry_in = self.policy.delay(notice.attempts)
        status = {"retry": "pending"}.get(kind, kind)
        async with self.db.transaction() as conn:
            kept = await repo.finish(
                conn, notice.id, self.worker_id, status=status, error=detail, retry_in=retry_in
            )
        metrics.BY_OUTCOME[kind].labels(notice.channel).inc()
        fields = {
            "id": notice.id,
            "channel": notice.channel,
            "template": notice.template,
            "attempts": notice.attempts,
            "to": mask(notice.recipient),
        }
        if not kept:
            log.warning("notification lease lost; another worker has the row", outcome=kind, **fields)
        elif kind == "failed":
            log.error("notification failed", error=detail, **fields)
        elif kind == "retry":
            log.warning("notification will be retried", error=detail, retry_in=round(retry_in or 0), **fields)
        elif kind == "skipped":
            log.info("notification skipped", reason=detail, **fields)

    async def _heartbeat(self, held: list[int]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.db.transaction() as conn:
                    await repo.extend_lease(conn, self.worker_id, list(held), self.lease_seconds)
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
            count, age = await repo.backlog(conn)
        metrics.BACKLOG.set(count)
        metrics.BACKLOG_AGE.set(age)

    async def drain(self) -> int:
        """Deliver until nothing is due now (tests and one-off runs); returns rows claimed."""
        total = 0
        while (claimed := await self.deliver_batch()) > 0:
            total += claimed
        return total
