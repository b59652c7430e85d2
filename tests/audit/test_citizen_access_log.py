"""The citizen's own PDL extract at /citizen/access-log: when, which unit, what was done, and the
staff member's name only where they let citizens see it (never for protected identity)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.audit.test_reviewer_read import T0, log
from tests.fixtures.clinic import API, add_staff, bearer, citizen_token, make_clinic, pnr

URL = f"{API}/citizen/access-log"


@pytest.fixture
async def world(client: httpx.AsyncClient, conn: AsyncConnection) -> dict[str, Any]:
    clinic = await make_clinic(client, {"open": ["case_handler"], "shy": ["case_handler"]})
    clinic.people["hidden"] = await add_staff(
        client, clinic, ["case_handler"], protected=True, title="Läkare"
    )
    clinic.people["proud"] = await add_staff(
        client, clinic, ["case_handler"], protected=True, title="Kurator"
    )
    other = await make_clinic(client, {"open": ["case_receiver"]})
    # "shy" turns the name off; "proud" (protected identity) turns it on, which the extract ignores.
    r = await client.patch(
        f"{API}/me/settings", headers=clinic["shy"].headers, json={"show_name_to_citizens": False}
    )
    assert r.status_code == 200, r.text
    r = await client.patch(
        f"{API}/me/settings", headers=clinic["proud"].headers, json={"show_name_to_citizens": True}
    )
    assert r.status_code == 200, r.text
    alice, bob = pnr(1980, 1, 2), pnr(1975, 6, 7)
    await log(conn, clinic, clinic["open"], alice, "case_read", T0)
    await log(conn, clinic, clinic["shy"], alice, "message_sent", T0 + timedelta(hours=1))
    await log(conn, clinic, clinic["hidden"], alice, "case_read", T0 + timedelta(hours=2))
    await log(conn, clinic, clinic["proud"], alice, "case_read", T0 + timedelta(hours=3))
    await log(conn, other, other["open"], alice, "case_list_search", T0 + timedelta(hours=4))
    await log(conn, clinic, clinic["open"], bob, "case_read", T0 + timedelta(hours=5))
    return {"clinic": clinic, "other": other, "alice": alice, "bob": bob}


async def test_the_citizen_sees_their_own_events_with_unit_and_action(
    client: httpx.AsyncClient, world: Any
) -> None:
    token = await citizen_token(client, world["alice"])
    r = await client.get(URL, headers=bearer(token))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["action"], i["unit"]["id"]) for i in items] == [
        ("case_list_search", world["other"].unit_id),
        ("case_read", world["clinic"].unit_id),
        ("case_read", world["clinic"].unit_id),
        ("message_sent", world["clinic"].unit_id),
        ("case_read", world["clinic"].unit_id),
    ]
    assert items[1]["unit"]["name"].startswith("Vårdcentralen")
    assert items[-1]["description"] == "Läste ditt ärende"
    assert items[-1]["occurred_at"].startswith("2026-11-20T09:00:00")
    staff = [i["staff"] for i in items]
    assert staff[-1] == {"title": "Sjuksköterska", "name": "Anna Andersson"}  # shows the name
    assert staff[-2] == {"title": "Sjuksköterska", "name": None}  # turned it off
    assert staff[-3] == {"title": "Läkare", "name": None}  # protected identity
    assert staff[-4] == {"title": "Kurator", "name": None}  # protected, even though it asked to show
    assert "personal_number" not in items[0] and "staff_hsa_id" not in items[0]


async def test_another_citizen_sees_only_theirs(client: httpx.AsyncClient, world: Any) -> None:
    token = await citizen_token(client, world["bob"])
    items = (await client.get(URL, headers=bearer(token))).json()["items"]
    assert [i["action"] for i in items] == ["case_read"]
    stranger = await citizen_token(client, pnr(1999, 9, 9))
    assert (await client.get(URL, headers=bearer(stranger))).json() == {"items": [], "next_cursor": None}


async def test_pages(client: httpx.AsyncClient, world: Any) -> None:
    token = await citizen_token(client, world["alice"])
    r1 = await client.get(URL, headers=bearer(token), params={"limit": 3})
    r2 = await client.get(URL, headers=bearer(token), params={"limit": 3, "cursor": r1.json()["next_cursor"]})
    ids = [i["id"] for i in r1.json()["items"] + r2.json()["items"]]
    assert len(ids) == 5 == len(set(ids))
    assert r2.json()["next_cursor"] is None


async def test_staff_tokens_and_no_token_are_401(client: httpx.AsyncClient, world: Any) -> None:
    assert (await client.get(URL, headers=world["clinic"]["open"].headers)).status_code == 401
    assert (await client.get(URL)).status_code == 401


async def test_a_bad_cursor_is_422(client: httpx.AsyncClient, world: Any) -> None:
    token = await citizen_token(client, world["alice"])
    assert (await client.get(URL, headers=bearer(token), params={"cursor": "%%%"})).status_code == 422


async def test_no_cursor_or_limit_makes_a_500(client: httpx.AsyncClient, world: Any) -> None:
    from tests.audit.test_reviewer_read import NASTY

    token = await citizen_token(client, world["alice"])
    for param in ("cursor", "limit"):
        for value in NASTY:
            r = await client.get(URL, headers=bearer(token), params={param: value})
            assert r.status_code in (200, 422), (param, value, r.status_code, r.text)
