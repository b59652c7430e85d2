"""Races between the citizen and the clinic on one case, with real commits on two connections."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.container import Services
from app.db.repos import citizen_threads
from app.db.tables import cases, messages
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import make_clinic
from tests.fixtures.locks import backend_pid, until_blocked_by


async def _staff_message(conn, case_id, body: str) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(
        insert(messages).values(
            case_id=case_id,
            kind="partial_reply",
            body=body,
            author_type="staff",
            author_display_name="Mottagningen",
        )
    )
    await conn.execute(
        update(cases).where(cases.c.id == case_id).values(unread_by_citizen=cases.c.unread_by_citizen + 1)
    )


async def test_a_message_committed_while_the_citizen_reads_stays_unread(
    committed_client: httpx.AsyncClient, committed_services: Services, engine: AsyncEngine
) -> None:
    clinic = await make_clinic(committed_client)
    async with engine.begin() as setup:
        citizen_id, _ = await add_citizen(setup)
        case_id = await add_case(setup, clinic.unit_id, citizen_id, status="assigned")
        await _staff_message(setup, case_id, "Första svaret.")

    async with engine.connect() as staff_conn, engine.connect() as citizen_conn:
        staff_tx = await staff_conn.begin()
        await _staff_message(staff_conn, case_id, "Andra svaret.")  # holds the case row lock
        citizen_tx = await citizen_conn.begin()
        reading = asyncio.create_task(citizen_threads.thread_marking_read(citizen_conn, citizen_id, case_id))
        await until_blocked_by(engine, await backend_pid(staff_conn))  # the citizen's read waits
        assert not reading.done()
        await staff_tx.commit()
        await reading
        await citizen_tx.commit()

    async with engine.connect() as check:
        unread = (
            await check.execute(select(cases.c.unread_by_citizen).where(cases.c.id == case_id))
        ).scalar()
        unread_rows = (
            (
                await check.execute(
                    select(messages.c.body).where(messages.c.case_id == case_id, messages.c.read_at.is_(None))
                )
            )
            .scalars()
            .all()
        )
    assert list(unread_rows) == ["Andra svaret."]
    assert unread == 1  # writing 0 would hide the second message from the citizen's list


async def test_reading_another_citizens_case_marks_nothing(
    committed_client: httpx.AsyncClient, committed_services: Services, engine: AsyncEngine
) -> None:
    clinic = await make_clinic(committed_client)
    async with engine.begin() as conn:
        owner, _ = await add_citizen(conn)
        other, _ = await add_citizen(conn)
        case_id = await add_case(conn, clinic.unit_id, owner, status="assigned")
        await _staff_message(conn, case_id, "Svar.")
        assert await citizen_threads.thread_marking_read(conn, other, case_id) == []
        assert await citizen_threads.status_history(conn, other, case_id) == []
        unread = (await conn.execute(select(cases.c.unread_by_citizen).where(cases.c.id == case_id))).scalar()
    assert unread == 1
