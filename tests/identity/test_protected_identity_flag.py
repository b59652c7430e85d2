"""Staff who the HSA catalog newly flags with protected identity stop showing their name to
citizens (domain.md "Staff with protected identity"); they may turn it on again themselves."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import API, make_clinic


async def test_newly_protected_staff_hide_their_name(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    person = clinic["h"]
    me = (await client.get(f"{API}/me", headers=person.headers)).json()
    assert me["settings"]["show_name_to_citizens"] is True
    custom = {"signature": "Hälsningar\nAnna Andersson"}
    assert (await client.patch(f"{API}/me/settings", headers=person.headers, json=custom)).status_code == 200
    entry = {
        "hsa_id": person.hsa_id,
        "given_name": "Anna",
        "family_name": "Andersson",
        "title": "Sjuksköterska",
        "protected_identity": True,
    }
    r = await client.post(f"{API}/admin/directory/staff", headers=clinic.admin.headers, json=entry)
    assert r.status_code == 204, r.text
    r = await client.post(f"{API}/me/directory-sync", headers=person.headers)
    assert r.status_code == 200, r.text
    assert r.json()["protected_identity"] is True
    assert r.json()["settings"]["show_name_to_citizens"] is False
    assert (
        r.json()["settings"]["signature"]
        == "Med vänlig hälsning\nSjuksköterska\n" + r.json()["units"][0]["unit_name"]
    )
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(
        conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=person.staff_id
    )
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages",
        headers=person.headers,
        json={"kind": "partial_reply", "body": "Vi återkommer."},
    )
    assert r.status_code == 201, r.text
    assert "Andersson" not in r.json()["body"]
    assert "Andersson" not in r.json()["author"]["citizen_facing_name"]
    # Their own choice afterwards sticks, through later syncs and log-ins.
    r = await client.patch(f"{API}/me/settings", headers=person.headers, json={"show_name_to_citizens": True})
    assert r.json()["settings"]["show_name_to_citizens"] is True
    await client.patch(f"{API}/me/settings", headers=person.headers, json=custom)
    r = await client.post(f"{API}/me/directory-sync", headers=person.headers)
    assert r.json()["settings"]["show_name_to_citizens"] is True
    assert r.json()["settings"]["signature"] == custom["signature"]
    r = await client.post(f"{API}/auth/staff/token", json={"hsa_id": person.hsa_id})
    me = (await client.get(f"{API}/me", headers=person.headers)).json()
    assert me["settings"]["show_name_to_citizens"] is True
