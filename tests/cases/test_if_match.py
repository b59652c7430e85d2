"""Every case-changing staff request honours If-Match (api.md "Conventions", Concurrency): a
stale tag is a 412 problem naming the current version and changes nothing (no status,
assignee, message, note, case event or audit event); the current tag lets the same request
through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, Clinic, make_clinic

# route: who calls it, its body (given h1's staff id), how the case starts (status, assigned to h1
# or to h1's group) and the status of the request when its tag is current
CHANGES: dict[str, tuple[str, Callable[[str], Any], tuple[str, str | None], int]] = {
    "assignment": ("rec", lambda h1: {"assignee": {"type": "staff", "id": h1}}, ("new", None), 200),
    "claim": ("h1", lambda _: None, ("assigned", "group"), 200),
    "messages": (
        "h1",
        lambda _: {"kind": "partial_reply", "body": "Vi tittar på det."},
        ("assigned", "h1"),
        201,
    ),
    "close": (
        "h1",
        lambda _: {"reason": "closed_without_answer", "note": "Dubblett."},
        ("assigned", "h1"),
        200,
    ),
    "notes": ("h1", lambda _: {"body": "Ring upp i morgon."}, ("assigned", "h1"), 201),
}

_STATE = text(
    "SELECT c.status, c.version, c.assignee_staff_id::text, c.assignee_group_id::text, c.closure,"
    " (SELECT count(*) FROM messages m WHERE m.case_id = c.id),"
    " (SELECT count(*) FROM case_notes n WHERE n.case_id = c.id),"
    " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id),"
    " (SELECT count(*) FROM audit_events a WHERE a.case_id = c.id)"
    " FROM cases c WHERE c.id = :c"
)


async def _state(conn: AsyncConnection, case: UUID) -> tuple[Any, ...]:
    return tuple((await conn.execute(_STATE, {"c": case})).one())


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, {"rec": ["case_receiver"], "h1": ["case_handler"]})


@pytest.mark.parametrize("route", sorted(CHANGES))
async def test_a_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, route: str
) -> None:
    who, make_body, (status, assignee), success = CHANGES[route]
    h1 = clinic["h1"].staff_id
    assert h1 is not None
    body = make_body(h1)
    citizen, _ = await add_citizen(conn)
    group = await add_group(conn, clinic.unit_id, [h1])
    case = await add_case(
        conn,
        clinic.unit_id,
        citizen,
        status=status,
        assignee_staff_id=h1 if assignee == "h1" else None,
        assignee_group_id=group if assignee == "group" else None,
    )
    url = f"{API}/units/{clinic.unit_id}/cases/{case}/{route}"
    before = await _state(conn, case)
    assert before[1] == 1

    for stale in ('"7"', 'W/"0"', '"2", "3"'):
        r = await client.post(url, headers={**clinic[who].headers, "If-Match": stale}, json=body)
        assert r.status_code == 412, (stale, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["current_version"] == 1
        assert await _state(conn, case) == before

    r = await client.post(url, headers={**clinic[who].headers, "If-Match": '"1"'}, json=body)
    assert r.status_code == success, r.text
    assert (await _state(conn, case))[1] == 2
