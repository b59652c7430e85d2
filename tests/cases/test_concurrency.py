"""Concurrent transitions on one case, with real commits: exactly one wins where one may, and
no update is lost without If-Match either (the row lock serialises them)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import text

from app.container import Services
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.clinic import API, Clinic, Person, add_staff, make_clinic

N = 20


async def _team(client: httpx.AsyncClient, n: int) -> tuple[Clinic, list[Person]]:
    clinic = await make_clinic(client, {"rec": ["case_receiver"]})
    members = [await add_staff(client, clinic, ["case_handler"]) for _ in range(n)]
    return clinic, members


async def _post_all(
    client: httpx.AsyncClient,
    clinic: Clinic,
    case: UUID,
    calls: list[tuple[Person, str, Any, dict[str, str]]],
) -> list[httpx.Response]:
    url = f"{API}/units/{clinic.unit_id}/cases/{case}"
    return list(
        await asyncio.gather(
            *(
                client.post(f"{url}/{action}", headers={**p.headers, **h}, json=body)
                for p, action, body, h in calls
            )
        )
    )


async def _scalar(services: Services, sql: str, **params: Any) -> Any:
    async with services.db.engine.connect() as c:
        return (await c.execute(text(sql), params)).scalar()


async def test_twenty_group_members_claim_one_case(
    committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    clinic, members = await _team(committed_client, N)
    async with committed_services.db.engine.begin() as c:
        citizen, _ = await add_citizen(c)
        group = await add_group(c, clinic.unit_id, [m.staff_id for m in members if m.staff_id])
        case = await add_case(c, clinic.unit_id, citizen, status="assigned", assignee_group_id=group)
    responses = await _post_all(committed_client, clinic, case, [(m, "claim", None, {}) for m in members])
    assert Counter(r.status_code for r in responses) == {200: 1, 409: N - 1}
    winner = next(r for r in responses if r.status_code == 200).json()["assignee"]["id"]
    assert winner in {m.staff_id for m in members}
    assert (
        await _scalar(committed_services, "SELECT assignee_staff_id::text FROM cases WHERE id = :c", c=case)
        == winner
    )
    assert await _scalar(committed_services, "SELECT version FROM cases WHERE id = :c", c=case) == 2
    assert (
        await _scalar(committed_services, "SELECT count(*) FROM case_events WHERE case_id = :c", c=case) == 1
    )
    audited = "SELECT count(*) FROM audit_events WHERE case_id = :c AND action = 'case_claimed'"
    assert await _scalar(committed_services, audited, c=case) == 1


async def test_twenty_answers_close_the_case_once(
    committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    clinic, members = await _team(committed_client, 1)
    handler = members[0]
    async with committed_services.db.engine.begin() as c:
        citizen, _ = await add_citizen(c)
        case = await add_case(
            c, clinic.unit_id, citizen, status="assigned", assignee_staff_id=handler.staff_id
        )
    calls = [(handler, "messages", {"kind": "answer", "body": f"Svar {i}"}, {}) for i in range(N)]
    responses = await _post_all(committed_client, clinic, case, calls)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: N - 1}
    assert all(r.json()["case_status"] == "closed" for r in responses if r.status_code == 409)
    assert await _scalar(committed_services, "SELECT count(*) FROM messages WHERE case_id = :c", c=case) == 1
    assert await _scalar(committed_services, "SELECT unread_by_citizen FROM cases WHERE id = :c", c=case) == 1
    assert await _scalar(committed_services, "SELECT status FROM cases WHERE id = :c", c=case) == "closed"


async def test_no_lost_update_without_if_match_and_one_winner_with_it(
    committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    clinic, members = await _team(committed_client, 1)
    handler = members[0]
    async with committed_services.db.engine.begin() as c:
        citizen, _ = await add_citizen(c)
        case = await add_case(
            c, clinic.unit_id, citizen, status="assigned", assignee_staff_id=handler.staff_id
        )
    # Twenty notes at once, no If-Match: every one lands, each bumps the version once.
    calls = [(handler, "notes", {"body": f"Anteckning {i}"}, {}) for i in range(N)]
    responses = await _post_all(committed_client, clinic, case, calls)
    assert Counter(r.status_code for r in responses) == {201: N}
    assert sorted(int(r.headers["etag"].strip('"')) for r in responses) == list(range(2, N + 2))
    assert await _scalar(committed_services, "SELECT version FROM cases WHERE id = :c", c=case) == N + 1
    assert (
        await _scalar(committed_services, "SELECT count(*) FROM case_events WHERE case_id = :c", c=case) == N
    )
    # Twenty with the same (current) If-Match: one wins, the others see a stale tag.
    tag = {"If-Match": f'"{N + 1}"'}
    calls = [(handler, "notes", {"body": f"Villkorad {i}"}, tag) for i in range(N)]
    responses = await _post_all(committed_client, clinic, case, calls)
    assert Counter(r.status_code for r in responses) == {201: 1, 412: N - 1}
    assert (
        await _scalar(committed_services, "SELECT count(*) FROM case_notes WHERE case_id = :c", c=case)
        == N + 1
    )
