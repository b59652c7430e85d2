"""Review findings in files another helper owns: each test states the expected behaviour and is
marked xfail(strict) until the owner fixes it (then drop the marker)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_fixtures import add_case, add_citizen
from tests.citizen_fixtures import citizen, new_case_body, open_clinic, send_case, staff_writes
from tests.helpers import API, make_clinic


@pytest.mark.xfail(
    strict=True,
    reason="app/api/routes/citizen_cases.py NewCaseIn.terms_accepted is Literal[True], which pydantic "
    "also satisfies with 1 and 1.0; accept only the JSON value true (e.g. a BeforeValidator "
    "that refuses anything but `True`)",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="app/services/identity.py me(): the default signature shown in /me is built from "
    "protected_identity only, while app/services/case_messages.py signs messages name-free also "
    "when show_name_to_citizens is false; /me must show the signature messages will carry",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="app/services/cases_citizen.py expected_version() reads one tag only, so an If-Match list "
    '(`"1", "2"`, RFC 9110) is a 412 even when it names the current version; the staff side '
    "(app/api/etag.py parse_if_match) accepts lists: use it here too",
)
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
