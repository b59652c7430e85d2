"""The PDL ledger over one whole case life cycle: every staff read, search and change writes
exactly one audit event with the right who/where/whom; an inbox page one naming the citizens it
showed; a refused read one with outcome `denied`; the follow-up's counts, other failed requests
and the citizen's own actions write none.

Runs the walk-through of docs/walkthrough.md through the API: citizen sends → receiver distributes with a
partial reply → handler counter-questions → citizen answers → handler answers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import audit_events
from tests.fixtures.citizen import add_case_type, citizen, set_unit
from tests.fixtures.clinic import API, make_clinic


class Ledger:
    """The audit events written since the last look."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.seen = 0

    async def new(self) -> list[dict[str, Any]]:
        a = audit_events
        rows = await self.conn.execute(
            select(
                a.c.id,
                a.c.action,
                a.c.staff_hsa_id,
                a.c.unit_hsa_id,
                a.c.personal_number,
                a.c.case_id,
                a.c.outcome,
            )
            .where(a.c.id > self.seen)
            .order_by(a.c.id)
        )
        out = [dict(r._mapping) for r in rows]
        if out:
            self.seen = out[-1]["id"]
        return out

    async def actions(self) -> Counter[str]:
        return Counter(e["action"] for e in await self.new())


async def test_one_event_per_access_through_the_life_cycle(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(
        client, {"receiver": ["case_receiver"], "handler": ["case_handler"], "reviewer": ["reviewer"]}
    )
    await set_unit(conn, clinic.unit_id, scope="national")
    case_type_id = await add_case_type(conn, clinic.unit_id)
    unit_hsa = (
        await conn.execute(text("SELECT hsa_id FROM units WHERE id = :u"), {"u": clinic.unit_id})
    ).scalar()
    maja = await citizen(client)
    ledger = Ledger(conn)
    await ledger.new()
    rec, han = clinic["receiver"], clinic["handler"]
    base = f"{API}/units/{clinic.unit_id}/cases"

    # The citizen sends: no staff access, no audit event.
    r = await client.post(
        f"{API}/citizen/cases",
        headers=maja.headers,
        json={
            "unit_id": clinic.unit_id,
            "case_type_id": case_type_id,
            "answers": {"medicine": "Levaxin"},
            "message": "Jag behöver förnya mitt recept.",
            "terms_accepted": True,
        },
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert await ledger.actions() == Counter()

    # An inbox page shows the citizen's personal number and name: one list event naming them
    #. The follow-up has no overdue case yet: its counts name nobody.
    assert (await client.get(base, headers=rec.headers)).status_code == 200
    assert (
        await client.get(f"{API}/units/{clinic.unit_id}/follow-up", headers=rec.headers)
    ).status_code == 200
    [listed] = await ledger.new()
    assert (listed["action"], listed["personal_number"], listed["case_id"]) == ("case_list_read", None, None)
    assert (listed["staff_hsa_id"], listed["outcome"]) == (rec.hsa_id, "success")

    # A personal-number search, in 10-digit form: one event naming the citizen, no case.
    short = maja.personal_number[2:8] + "-" + maja.personal_number[8:]
    r = await client.get(base, headers=rec.headers, params={"personal_number": short})
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    [search] = await ledger.new()
    assert search["action"] == "case_list_search"
    assert (search["personal_number"], search["case_id"], search["staff_hsa_id"]) == (
        maja.personal_number,
        None,
        rec.hsa_id,
    )
    assert (search["unit_hsa_id"], search["outcome"]) == (unit_hsa, "success")

    # Reading the case: exactly one case_read.
    r = await client.get(f"{base}/{case_id}", headers=rec.headers)
    assert r.status_code == 200
    version = r.headers["etag"]
    [read] = await ledger.new()
    assert (read["action"], str(read["case_id"]), read["personal_number"]) == (
        "case_read",
        case_id,
        maja.personal_number,
    )

    # Distribute with a partial reply: one change, one event.
    r = await client.post(
        f"{base}/{case_id}/assignment",
        headers={**rec.headers, "If-Match": version},
        json={
            "assignee": {"type": "staff", "id": han.staff_id},
            "partial_reply": {"body": "Vi tittar på det."},
        },
    )
    assert r.status_code == 200, r.text
    assert await ledger.actions() == Counter({"case_distributed": 1})

    # A stale If-Match fails (412) and writes nothing.
    r = await client.post(
        f"{base}/{case_id}/messages",
        headers={**han.headers, "If-Match": version},
        json={"kind": "counter_question", "body": "Vilken dos?"},
    )
    assert r.status_code == 412
    assert await ledger.actions() == Counter()

    # The handler reads, counter-questions and notes: one event each.
    r = await client.get(f"{base}/{case_id}", headers=han.headers)
    assert r.status_code == 200
    r = await client.post(
        f"{base}/{case_id}/messages",
        headers=han.headers,
        json={"kind": "counter_question", "body": "Vilken dos?"},
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"{base}/{case_id}/notes", headers=han.headers, json={"body": "Kolla journalen."})
    assert r.status_code in (200, 201), r.text
    events = await ledger.new()
    assert [e["action"] for e in events] == ["case_read", "message_sent", "note_added"]
    assert {e["staff_hsa_id"] for e in events} == {han.hsa_id}
    assert {str(e["case_id"]) for e in events} == {case_id}

    # The citizen reads and answers: citizens' own actions are not PDL staff access.
    assert (await client.get(f"{API}/citizen/cases/{case_id}", headers=maja.headers)).status_code == 200
    r = await client.post(
        f"{API}/citizen/cases/{case_id}/messages", headers=maja.headers, json={"body": "10 mg."}
    )
    assert r.status_code == 201, r.text
    assert await ledger.actions() == Counter()

    # The handler answers (closes); a further message to the closed case is 409 and not logged.
    r = await client.post(
        f"{base}/{case_id}/messages",
        headers=han.headers,
        json={"kind": "answer", "body": "Receptet är förnyat."},
    )
    assert r.status_code == 201, r.text
    assert await ledger.actions() == Counter({"message_sent": 1})
    r = await client.post(
        f"{base}/{case_id}/messages", headers=han.headers, json={"kind": "answer", "body": "Igen."}
    )
    assert r.status_code == 409
    assert await ledger.actions() == Counter()

    # The reviewer holds no case content: 403, logged as a denied attempt.
    assert (await client.get(f"{base}/{case_id}", headers=clinic["reviewer"].headers)).status_code == 403
    [denied] = await ledger.new()
    assert (denied["action"], denied["outcome"], str(denied["case_id"])) == ("case_read", "denied", case_id)

    # The citizen's extract shows the accesses to their data, newest first, without the search's
    # or anyone's HSA-id; the reviewer's refused attempt read nothing of theirs.
    log = (await client.get(f"{API}/citizen/access-log", headers=maja.headers)).json()["items"]
    assert [e["action"] for e in log] == [
        "message_sent",
        "note_added",
        "message_sent",
        "case_read",
        "case_distributed",
        "case_read",
        "case_list_search",
        "case_list_read",
    ]
    assert {e["unit"]["id"] for e in log} == {clinic.unit_id}

    # The reviewer sees the same eight for this citizen, and the denied attempt.
    r = await client.get(
        f"{API}/units/{clinic.unit_id}/audit-events",
        headers=clinic["reviewer"].headers,
        params={"personal_number": maja.personal_number},
    )
    assert [e["action"] for e in r.json()["items"]] == ["case_read"] + [e["action"] for e in log]
    assert r.json()["items"][0]["outcome"] == "denied"
    assert UUID(r.json()["items"][0]["case_id"]) == UUID(case_id)
