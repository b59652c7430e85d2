"""Review findings: terms must be exactly true, /me shows the signature messages carry, and a
citizen's If-Match may list several tags."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_fixtures import add_case, add_citizen
from tests.citizen_fixtures import citizen, new_case_body, open_clinic, send_case, staff_writes
from tests.helpers import API, make_clinic


@pytest.mark.parametrize("value", [1, 1.0])
async def test_terms_accepted_is_the_json_value_true(
    client: httpx.AsyncClient, conn: AsyncConnection, value: Any
) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    r = await client.post(
        f"{API}/citizen/cases", headers=who.headers, json=new_case_body(setup, terms_accepted=value)
    )
    assert r.status_code == 422, r.text


async def test_me_shows_the_signature_messages_carry(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    h = clinic["h"]
    r = await client.patch(f"{API}/me/settings", headers=h.headers, json={"show_name_to_citizens": False})
    assert r.status_code == 200, r.text
    shown = r.json()["settings"]["signature"]
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=h.staff_id)
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages",
        headers=h.headers,
        json={"kind": "partial_reply", "body": "Vi återkommer."},
    )
    assert r.status_code == 201, r.text
    assert "Andersson" not in r.json()["body"]
    assert r.json()["body"] == f"Vi återkommer.\n\n{shown}"


async def test_citizen_if_match_takes_a_list_of_tags(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"nurse": ["case_handler"]})
    who = await citizen(client)
    case = await send_case(client, who, setup)
    nurse = setup.clinic["nurse"].staff_id
    assert nurse is not None
    await staff_writes(conn, case["id"], nurse)  # version 2, awaiting the citizen
    r = await client.post(
        f"{API}/citizen/cases/{case['id']}/messages",
        headers={**who.headers, "If-Match": '"1", "2"'},
        json={"body": "Sedan i måndags."},
    )
    assert r.status_code == 201, r.text
