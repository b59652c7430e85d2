"""Reminders per unit settings (domain.md "Notifications"), scheduled by the worker with an
injected clock: the citizen when a clinic message waits for them, the care provider when a case
passes its deadline; each at most once per case and triggering event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.db.tables import cases, citizens, messages, outbox, units
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.citizen import staff_writes
from tests.fixtures.clinic import make_clinic
from tests.notify.conftest import make_worker


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def _rows(conn: AsyncConnection, template: str) -> list[Any]:
    stmt = select(outbox).where(outbox.c.template == template).order_by(outbox.c.recipient, outbox.c.channel)
    return list((await conn.execute(stmt)).all())


async def _unit(conn: AsyncConnection, unit_id: str, **values: Any) -> None:
    await conn.execute(update(units).where(units.c.id == unit_id).values(**values))


async def test_citizen_reminder_once_per_waiting_message(
    client: httpx.AsyncClient, conn: AsyncConnection, settings: Settings, services: Services
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    await _unit(conn, clinic.unit_id, citizen_reminder_after_days=2)
    h = clinic["h"].staff_id
    assert h is not None
    sven, _ = await add_citizen(conn, email="sven@example.se", notify_by_email=True)
    await conn.execute(
        update(citizens).where(citizens.c.id == sven).values(phone="+46701234567", notify_by_sms=True)
    )
    quiet, _ = await add_citizen(conn, email="tyst@example.se", notify_by_email=False)

    unread = await add_case(conn, clinic.unit_id, sven, status="assigned", assignee_staff_id=h)
    await staff_writes(conn, str(unread), h, kind="partial_reply", status="assigned")
    asked = await add_case(conn, clinic.unit_id, sven, status="assigned", assignee_staff_id=h)
    await staff_writes(conn, str(asked), h, kind="counter_question", status="awaiting_citizen")
    answered = await add_case(conn, clinic.unit_id, sven, status="assigned", assignee_staff_id=h)
    await staff_writes(conn, str(answered), h, kind="answer", status="closed")
    nobody = await add_case(conn, clinic.unit_id, quiet, status="assigned", assignee_staff_id=h)
    await staff_writes(conn, str(nobody), h, kind="partial_reply", status="assigned")
    # The citizen read both the counter-question (but has not answered it) and the answer.
    await conn.execute(
        update(messages).where(messages.c.case_id.in_([asked, answered])).values(read_at=func.now())
    )

    clock = Clock()
    worker = make_worker(settings, services.db, clock=clock)
    clock.now += timedelta(days=1, hours=23)
    assert await worker.schedule_reminders() == 0  # not yet two days

    clock.now += timedelta(hours=2)
    assert await worker.schedule_reminders() == 4
    rows = await _rows(conn, "citizen_reminder")
    assert sorted((r.payload["case_id"], r.channel, r.recipient) for r in rows) == sorted(
        [
            (str(unread), "email", "sven@example.se"),
            (str(unread), "sms", "+46701234567"),
            (str(asked), "email", "sven@example.se"),
            (str(asked), "sms", "+46701234567"),
        ]
    )
    waited_for = {
        r.case_id: r.id for r in (await conn.execute(select(messages.c.case_id, messages.c.id))).all()
    }
    for r in rows:
        message_id = waited_for[UUID(r.payload["case_id"])]
        assert r.payload == {"case_id": r.payload["case_id"], "message_id": str(message_id)}
        assert r.dedup_key == f"citizen_reminder:{message_id}:{r.channel}"

    clock.now += timedelta(days=1)
    assert await worker.schedule_reminders() == 0  # once per message, however often it runs
    # A later clinic message is a new event with its own clock.
    await staff_writes(conn, str(unread), h, kind="partial_reply", status="assigned", body="Påminnelse 2")
    await conn.execute(update(cases).where(cases.c.id == unread).values(updated_at=func.clock_timestamp()))
    clock.now = datetime.now(UTC) + timedelta(days=1)
    assert await worker.schedule_reminders() == 0  # a day after it: not yet
    clock.now += timedelta(days=1, minutes=1)
    assert await worker.schedule_reminders() == 2
    assert await worker.schedule_reminders() == 0
    # Switched off at the unit: nothing more.
    await _unit(conn, clinic.unit_id, citizen_reminder_after_days=None)
    await staff_writes(conn, str(asked), h, kind="counter_question", status="awaiting_citizen", body="Nu?")
    await conn.execute(update(cases).where(cases.c.id == asked).values(updated_at=func.clock_timestamp()))
    clock.now += timedelta(days=3)
    assert await worker.schedule_reminders() == 0


async def test_provider_reminder_when_a_case_passes_its_deadline(
    client: httpx.AsyncClient, conn: AsyncConnection, settings: Settings, services: Services
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"], "h2": ["case_handler"]})
    unit = clinic.unit_id
    await _unit(conn, unit, provider_reminder_enabled=True, notification_emails=["inbox@vc.example.se"])
    h, h2 = clinic["h"].staff_id, clinic["h2"].staff_id
    assert h is not None and h2 is not None
    group = await add_group(conn, unit, [h, h2])
    citizen, _ = await add_citizen(conn)
    now = datetime.now(UTC)
    past, future = now - timedelta(hours=1), now + timedelta(hours=1)

    to_h = await add_case(conn, unit, citizen, status="assigned", assignee_staff_id=h, due_at=past)
    to_group = await add_case(conn, unit, citizen, status="assigned", assignee_group_id=group, due_at=past)
    unassigned = await add_case(conn, unit, citizen, status="new", due_at=past)
    await add_case(conn, unit, citizen, status="closed", closure="answered", due_at=past)
    await add_case(conn, unit, citizen, status="new", due_at=future)
    other = await make_clinic(client)  # reminders not enabled there
    await _unit(conn, other.unit_id, notification_emails=["other@vc.example.se"])
    await add_case(conn, other.unit_id, citizen, status="new", due_at=past)

    clock = Clock()
    worker = make_worker(settings, services.db, clock=clock)
    assert await worker.schedule_reminders() == 4
    rows = await _rows(conn, "provider_overdue")
    h_mail, h2_mail = (f"{clinic[n].hsa_id.lower()}@example.se" for n in ("h", "h2"))
    assert sorted((r.payload["case_id"], r.recipient) for r in rows) == sorted(
        [
            (str(to_h), h_mail),
            (str(to_group), h_mail),
            (str(to_group), h2_mail),
            (str(unassigned), "inbox@vc.example.se"),
        ]
    )
    assert all(r.channel == "email" and set(r.payload) == {"case_id", "unit_id"} for r in rows)
    assert await worker.schedule_reminders() == 0  # once per case and deadline
    clock.now += timedelta(hours=5)
    assert await worker.schedule_reminders() == 1  # the case due in an hour, now past it
    assert len(await _rows(conn, "provider_overdue")) == 5
