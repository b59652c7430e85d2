"""Case views list each message's attachments (docs/attachments.md) in the statements they took
before: the count does not grow with messages or files (no query per message)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.fixtures.attachments import PDF, PNG, case_setup, staff_message, upload
from tests.fixtures.clinic import API
from tests.fixtures.volume import capture


async def test_case_views_list_attachments_in_a_constant_number_of_statements(
    client: httpx.AsyncClient, conn: AsyncConnection, engine: AsyncEngine
) -> None:
    s = await case_setup(client, conn)
    staff_url, citizen_url = f"{API}{s.unit}/cases/{s.case_id}", f"{API}/citizen/cases/{s.case_id}"
    counts: dict[str, list[int]] = {"staff": [], "citizen": []}
    for messages in (1, 4):
        while len((await client.get(citizen_url, headers=s.citizen)).json()["messages"]) < messages:
            ids = []
            for data in (PDF, PNG):
                r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, data)
                ids.append(r.json()["id"])
            assert (await staff_message(client, s, "h1", ids)).status_code == 201
        with capture(engine) as seen:
            r = await client.get(staff_url, headers=s.clinic["rec"].headers)
        assert [len(m["attachments"]) for m in r.json()["messages"]] == [2] * messages
        counts["staff"].append(len(seen))
        with capture(engine) as seen:
            r = await client.get(citizen_url, headers=s.citizen)
        assert [len(m["attachments"]) for m in r.json()["messages"]] == [2] * messages
        counts["citizen"].append(len(seen))
    for side, (one, four) in counts.items():
        assert one == four, (side, counts)
