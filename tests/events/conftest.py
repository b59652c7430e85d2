"""Fixtures of the event tests: a partner's webhook endpoint (a real HTTP server on 127.0.0.1),
a worker that drains webhook deliveries as production builds it, and a clinic with a webhook."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.db.engine import Database
from app.db.tables import domain_events, webhook_deliveries
from app.domain.events import EventType
from app.notify.relay import build_webhooks
from app.notify.worker import Worker
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import add_case_type, citizen, new_case_body, set_unit
from tests.fixtures.clinic import API, Clinic, make_clinic
from tests.fixtures.servers import HttpReceiver

ALL_EVENTS = [t.value for t in EventType]


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver(path="/hooks/careinbox").start()
    yield server
    server.stop()


def webhook_worker(
    settings: Settings, db: Database, overrides: dict[str, Any] | None = None, **options: Any
) -> Worker:
    """A worker with the webhook queue as relay.build_worker makes it (no e-mail or SMS), a long
    lease (a rolled-back test's heartbeat must not share its connection), a 1 s time-out and
    the settings' `overrides`."""
    s = settings.model_copy(update={"webhook_timeout_seconds": 1.0, **(overrides or {})})
    return Worker(db, {}, webhooks=build_webhooks(s), lease_seconds=600.0, poll_seconds=0.05, **options)


@dataclass
class Hooked:
    clinic: Clinic
    webhook: dict[str, Any]
    case_type_id: str

    @property
    def unit_id(self) -> str:
        return self.clinic.unit_id


async def hooked_clinic(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
    events: list[str] | None = None,
    roles: dict[str, list[str]] | None = None,
) -> Hooked:
    """A clinic open to citizens, with a local admin's webhook on `receiver`."""
    clinic = await make_clinic(client, {"admin": ["local_admin"], **(roles or {})})
    await set_unit(conn, clinic.unit_id, scope="national")
    case_type_id = await add_case_type(conn, clinic.unit_id)
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/webhooks",
        headers=clinic["admin"].headers,
        json={"url": receiver.url, "events": events or ALL_EVENTS, "description": "Helpdesk"},
    )
    assert r.status_code == 201, r.text
    return Hooked(clinic, r.json(), case_type_id)


async def citizen_case(client: httpx.AsyncClient, hooked: Hooked, message: str = "Hej") -> dict[str, Any]:
    who = await citizen(client)
    body = new_case_body(type("S", (), {"unit_id": hooked.unit_id, "case_type_id": hooked.case_type_id})())
    body["message"] = message
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def make_due(conn: AsyncConnection) -> None:
    """Time passes: every pending delivery is due now."""
    await conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.status == "pending")
        .values(next_attempt_at=func.now())
    )


async def deliveries(conn: AsyncConnection) -> list[Any]:
    stmt = (
        select(webhook_deliveries, domain_events.c.type, domain_events.c.envelope_id)
        .join(domain_events, domain_events.c.id == webhook_deliveries.c.event_id)
        .order_by(webhook_deliveries.c.event_id)
    )
    return list((await conn.execute(stmt)).all())


STREAM_ROLES = {
    "karin": ["case_receiver"],
    "hans": ["case_handler"],
    "sara": ["case_handler"],
    "admin": ["local_admin"],
}


@dataclass
class Inbox:
    clinic: Clinic
    hans_case: UUID
    sara_case: UUID

    @property
    def unit_id(self) -> str:
        return self.clinic.unit_id


@pytest.fixture
async def inbox(committed_client: httpx.AsyncClient, committed_services: Services) -> Inbox:
    clinic = await make_clinic(committed_client, STREAM_ROLES)
    async with committed_services.db.engine.begin() as c:
        citizen_id, _ = await add_citizen(c)
        hans = await add_case(
            c, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=clinic["hans"].staff_id
        )
        sara = await add_case(
            c, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=clinic["sara"].staff_id
        )
    return Inbox(clinic, hans, sara)


def header(request: dict[str, Any], name: str) -> str:
    return next(v for k, v in request["headers"].items() if k.lower() == name)
