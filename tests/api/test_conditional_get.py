"""If-None-Match → 304 on the case and settings reads (issue 11, point 5): the ETag a read gave
answers 304 with no body while nothing changed, and 200 again after a change."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import audit_events
from tests.fixtures.citizen import citizen, open_clinic, send_case
from tests.fixtures.clinic import API


async def _conditional(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> str:
    first = await client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    again = await client.get(url, headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"", url
    for r in (first, again):  # personal data: neither a browser nor a proxy keeps a copy
        assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    assert again.headers["etag"] == tag
    assert (await client.get(url, headers={**headers, "If-None-Match": '"nope"'})).status_code == 200
    return tag


async def test_case_reads_answer_304_until_the_case_changes(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"rita": ["case_receiver", "case_handler"]})
    rita = setup.clinic.people["rita"]
    tolvan = await citizen(client)
    case = await send_case(client, tolvan, setup)
    staff_url = f"{API}/units/{setup.unit_id}/cases/{case['id']}"
    tag = await _conditional(client, staff_url, rita.headers)
    assert tag == f'"{case["version"]}"'
    # A 304 still showed that the case is as read before: PDL logs each of the three reads.
    reads = select(func.count()).where(
        audit_events.c.case_id == case["id"], audit_events.c.action == "case_read"
    )
    assert (await conn.execute(reads)).scalar_one() == 3
    citizen_tag = await _conditional(client, f"{API}/citizen/cases/{case['id']}", tolvan.headers)
    assert citizen_tag == tag
    r = await client.post(f"{staff_url}/notes", headers=rita.headers, json={"body": "Ringer upp imorgon."})
    assert r.status_code == 201, r.text
    r = await client.get(staff_url, headers={**rita.headers, "If-None-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] != tag


async def test_settings_reads_answer_304_until_the_settings_change(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn, {"lars": ["local_admin"]})
    lars = setup.clinic.people["lars"]
    tag = await _conditional(client, f"{API}/me", lars.headers)
    r = await client.patch(
        f"{API}/me/settings", headers=lars.headers, json={"signature": "Lars, verksamhetschef"}
    )
    assert r.status_code == 200, r.text
    assert (await client.get(f"{API}/me", headers={**lars.headers, "If-None-Match": tag})).status_code == 200

    unit_url = f"{API}/units/{setup.unit_id}"
    tag = await _conditional(client, unit_url, lars.headers)
    r = await client.patch(
        f"{unit_url}/settings", headers=lars.headers, json={"citizen_reminder_after_days": 5}
    )
    assert r.status_code == 200, r.text
    assert (await client.get(unit_url, headers={**lars.headers, "If-None-Match": tag})).status_code == 200

    tolvan = await citizen(client)
    tag = await _conditional(client, f"{API}/citizen/me", tolvan.headers)
    sms = (await client.get(f"{API}/citizen/me", headers=tolvan.headers)).json()["notify_by_sms"]
    r = await client.patch(f"{API}/citizen/me", headers=tolvan.headers, json={"notify_by_sms": not sms})
    assert r.status_code == 200 and r.json()["notify_by_sms"] is not sms, r.text
    r = await client.get(f"{API}/citizen/me", headers={**tolvan.headers, "If-None-Match": tag})
    assert r.status_code == 200
