"""What the worker drains: a queue of jobs, each sent once per claim.

The worker (worker.py) owns the machinery: claiming a few due jobs under a lease, the lease's
heartbeat, sending with no transaction open, backoff, giving up, recording the outcome, handing
back untried jobs when it stops, metrics and logs. A queue supplies the SQL of its table and the
send. Two exist: the outbox (e-mail and SMS to people, here) and webhook deliveries to partners
(app/notify/webhooks.py), each with its own table because what is recorded differs (a webhook's
delivery log keeps status codes and latency, and its events go out in order per case).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import outbox as repo
from app.notify import metrics
from app.notify.policy import RetryPolicy
from app.notify.senders import Notice, Outcome, OutcomeKind, Sender
from app.notify.texts import UnknownTemplate


class Job(Protocol):
    @property
    def id(self) -> Any: ...

    @property
    def attempts(self) -> int: ...

    @property
    def channel(self) -> str:
        """The metrics label."""

    def log_fields(self) -> dict[str, Any]: ...


J = TypeVar("J", bound=Job)


@dataclass(frozen=True, slots=True)
class Result:
    """How an attempt ends, as the worker decided it: `retry_in` seconds for a retry."""

    kind: OutcomeKind
    detail: str | None
    retry_in: float | None
    outcome: Outcome


class Queue(Protocol[J]):
    name: str
    policy: RetryPolicy
    backlog_gauge: Gauge
    backlog_age_gauge: Gauge

    async def claim(
        self, conn: AsyncConnection, worker_id: str, limit: int, lease_seconds: float
    ) -> Sequence[J]: ...

    async def send(self, job: J) -> Outcome: ...

    def gives_up(self, job: J, retry_in: float) -> str | None:
        """Why a job that failed again is not retried (None: it is)."""

    async def finish(self, conn: AsyncConnection, job: J, worker_id: str, result: Result) -> bool:
        """Record the attempt; False when the lease was lost meanwhile (nothing written)."""

    async def extend_lease(
        self, conn: AsyncConnection, worker_id: str, ids: list[Any], lease_seconds: float
    ) -> None: ...

    async def release(self, conn: AsyncConnection, worker_id: str, ids: list[Any]) -> None: ...

    async def backlog(self, conn: AsyncConnection) -> tuple[int, float]: ...

    async def close(self) -> None:
        """After each batch: drop connections held between sends."""


class OutboxQueue:
    """The outbox: e-mail and SMS notices, one `Sender` per channel (relay.build_senders).
    Only channels with a sender are claimed."""

    name = "outbox"
    backlog_gauge = metrics.BACKLOG
    backlog_age_gauge = metrics.BACKLOG_AGE

    def __init__(self, senders: Mapping[str, Sender], policy: RetryPolicy) -> None:
        self.senders = dict(senders)
        self.policy = policy

    async def claim(
        self, conn: AsyncConnection, worker_id: str, limit: int, lease_seconds: float
    ) -> list[Notice]:
        if not self.senders:
            return []
        rows = await repo.claim(conn, worker_id, list(self.senders), limit, lease_seconds)
        return [Notice.from_row(row) for row in rows]

    async def send(self, job: Notice) -> Outcome:
        try:
            return await self.senders[job.channel].send(job)
        except UnknownTemplate as exc:
            return Outcome.failed(str(exc))

    def gives_up(self, job: Notice, retry_in: float) -> str | None:
        return f"gave up after {job.attempts} attempts" if self.policy.gives_up(job.attempts) else None

    async def finish(self, conn: AsyncConnection, job: Notice, worker_id: str, result: Result) -> bool:
        status = {"retry": "pending"}.get(result.kind, result.kind)
        return await repo.finish(
            conn, job.id, worker_id, status=status, error=result.detail, retry_in=result.retry_in
        )

    async def extend_lease(
        self, conn: AsyncConnection, worker_id: str, ids: list[Any], lease_seconds: float
    ) -> None:
        await repo.extend_lease(conn, worker_id, ids, lease_seconds)

    async def release(self, conn: AsyncConnection, worker_id: str, ids: list[Any]) -> None:
        await repo.release(conn, worker_id, ids)

    async def backlog(self, conn: AsyncConnection) -> tuple[int, float]:
        return await repo.backlog(conn)

    async def close(self) -> None:
        for sender in self.senders.values():
            with contextlib.suppress(Exception):
                await sender.close()
