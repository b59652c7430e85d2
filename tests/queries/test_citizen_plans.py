"""Citizen reads and writes are served by indexes: no sequential scan of cases or messages.

Every statement a request sends is captured and EXPLAINed with sequential scans disabled, so a
plan that still scans a whole table there has no index to use (it would at volume, too).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.citizen import citizen, open_clinic, send_case, staff_writes
from tests.fixtures.clinic import API

WATCHED = ("cases", "messages", "case_events", "citizen_grants", "attachments", "outbox")


async def _plans(conn: AsyncConnection, request: Callable[[], Awaitable[httpx.Response]]) -> list[str]:
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "WITH")):
            captured.append((statement, parameters))

    event.listen(conn.sync_connection, "before_cursor_execute", capture)  # type: ignore[arg-type]
    try:
        r = await request()
        assert r.status_code < 300, r.text
    finally:
        event.remove(conn.sync_connection, "before_cursor_execute", capture)  # type: ignore[arg-type]
    plans = []
    async with conn.begin_nested() as sp:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        for statement, parameters in captured:
            rows = await conn.exec_driver_sql("EXPLAIN " + statement, parameters)
            plans.append("\n".join(r[0] for r in rows))
        await sp.rollback()
    return plans


def _seq_scans(plans: list[str]) -> list[str]:
    return [
        line
        for plan in plans
        for line in plan.splitlines()
        if any(f"Seq Scan on {t} " in line + " " for t in WATCHED)
    ]


async def test_citizen_requests_use_indexes(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who = await citizen(client)
    body = {
        "unit_id": setup.unit_id,
        "case_type_id": setup.case_type_id,
        "answers": {"medicine": "x"},
        "terms_accepted": True,
        "message": "Hej",
    }
    plans = await _plans(conn, lambda: client.post(f"{API}/citizen/cases", headers=who.headers, json=body))
    assert not _seq_scans(plans), plans
    case = await send_case(client, who, setup)
    assert setup.clinic["nurse"].staff_id is not None
    await staff_writes(conn, case["id"], setup.clinic["nurse"].staff_id)
    for request in (
        lambda: client.get(f"{API}/citizen/cases", headers=who.headers),
        lambda: client.get(f"{API}/citizen/cases/{case['id']}", headers=who.headers),
        lambda: client.get(f"{API}/citizen/units", headers=who.headers, params={"q": "vård"}),
        lambda: client.get(f"{API}/citizen/units/{setup.unit_id}/case-types", headers=who.headers),
        lambda: client.post(
            f"{API}/citizen/cases/{case['id']}/messages", headers=who.headers, json={"body": "Svar"}
        ),
    ):
        plans = await _plans(conn, request)
        assert plans and not _seq_scans(plans), plans
