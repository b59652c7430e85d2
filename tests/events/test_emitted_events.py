"""Which events each change emits, and that none carries patient data: a whole case walked
through the API, its envelopes checked against the contract and scanned for anything personal.
Also outbound sends, and the retention purge."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.schemas.events import ENVELOPES
from app.db.repos import events as repo
from app.db.tables import domain_events, event_retention
from app.domain.events import DATA_KEYS, CaseRef, EventType, case_created
from app.events.envelope import body, envelope
from tests.events.conftest import deliveries, hooked_clinic
from tests.fixtures.cases import add_case, add_citizen, add_group
from tests.fixtures.citizen import citizen
from tests.fixtures.clinic import API, pnr
from tests.fixtures.servers import HttpReceiver

ROLES = {"karin": ["case_receiver"], "hans": ["case_handler"], "sara": ["case_handler"]}
SECRET_WORDS = [
    "Levaxin",
    "Ont i halsen sedan i tisdags",
    "Har du feber?",
    "Ja, 39 grader",
    "Receptet är förnyat",
]


async def _events(conn: AsyncConnection, case_id: Any = None) -> list[dict[str, Any]]:
    stmt = select(*repo.ROW).order_by(domain_events.c.id)
    if case_id is not None:
        stmt = stmt.where(domain_events.c.case_id == case_id)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


def _summary(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["type"], r["data"]["status"]) for r in rows]


async def test_a_whole_case_emits_ids_and_statuses_only(
    client: httpx.AsyncClient, conn: AsyncConnection, receiver: HttpReceiver
) -> None:
    hooked = await hooked_clinic(client, conn, receiver, roles=ROLES)
    clinic, unit = hooked.clinic, hooked.unit_id
    group = await add_group(conn, unit, [clinic["hans"].staff_id], name="Sjuksköterskor")
    who = await citizen(client, given_name="Tolvan", family_name="Tolvansson")
    r = await client.post(
        f"{API}/citizen/cases",
        headers=who.headers,
        json={
            "unit_id": unit,
            "case_type_id": hooked.case_type_id,
            "answers": {"medicine": "Levaxin"},
            "message": f"Ont i halsen sedan i tisdags. Mitt nummer är {who.personal_number}.",
            "terms_accepted": True,
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    path = f"{API}/units/{unit}/cases/{case['id']}"

    async def staff(who: str, action: str, payload: dict[str, Any]) -> None:
        resp = await client.post(f"{path}/{action}", headers=clinic[who].headers, json=payload)
        assert resp.status_code in (200, 201), resp.text

    await staff(
        "karin",
        "assignment",
        {
            "assignee": {"type": "group", "id": str(group)},
            "partial_reply": {"body": "Vi har fått ditt ärende."},
        },
    )
    await staff("hans", "claim", {})
    await staff("hans", "messages", {"kind": "counter_question", "body": "Har du feber?"})
    resp = await client.post(
        f"{API}/citizen/cases/{case['id']}/messages", headers=who.headers, json={"body": "Ja, 39 grader"}
    )
    assert resp.status_code == 201, resp.text
    await staff("hans", "assignment", {"assignee": {"type": "staff", "id": clinic["sara"].staff_id}})
    await staff("sara", "messages", {"kind": "answer", "body": "Receptet är förnyat."})

    rows = await _events(conn, case["id"])
    assert _summary(rows) == [
        ("case.created", "new"),
        ("case.assigned", "assigned"),  # to the group, with a partial reply
        ("message.created", "assigned"),
        ("case.status_changed", "assigned"),
        ("case.assigned", "assigned"),  # claimed: the status stays
        ("message.created", "awaiting_citizen"),  # counter-question
        ("case.status_changed", "awaiting_citizen"),
        ("message.created", "assigned"),  # the citizen's answer
        ("case.status_changed", "assigned"),
        ("case.assigned", "assigned"),  # reassigned to Sara
        ("message.created", "closed"),  # the answer
        ("case.status_changed", "closed"),
    ]
    assert rows[1]["data"]["assignee"] == {"type": "group", "id": str(group)}
    assert rows[4]["data"]["assignee"] == {"type": "staff", "id": clinic["hans"].staff_id}
    assert rows[3]["data"]["previous_status"] == "new" and rows[11]["data"]["closure"] == "answered"
    assert [r["data"]["author_type"] for r in rows if r["type"] == "message.created"] == [
        "staff",
        "staff",
        "citizen",
        "staff",
    ]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)

    # Every envelope is one the contract describes, with exactly the keys of its type, and
    # holds nothing personal: not the personal number, names, texts, subject or unit name.
    unit_name = (await conn.execute(text("SELECT name FROM units WHERE id = :u"), {"u": unit})).scalar_one()
    forbidden = [
        who.personal_number,
        who.personal_number[2:],
        "Tolvan",
        "Tolvansson",
        case["subject"],
        unit_name,
    ]
    forbidden += [*SECRET_WORDS, "Vi har fått", "Anna", "Andersson", "Sjuksköterskor", "Förnya recept"]
    for row in rows:
        doc = envelope(row)
        ENVELOPES[EventType(row["type"])].model_validate(orjson.loads(body(row)))
        assert set(doc["data"]) == DATA_KEYS[EventType(row["type"])]
        raw = body(row).decode()
        assert not [word for word in forbidden if word in raw], raw
    # ... and what reached the partner is those envelopes.
    assert {orjson.loads(body(r))["id"] for r in rows} == {str(d.envelope_id) for d in await deliveries(conn)}


async def test_closing_without_answer_and_taking_over(
    client: httpx.AsyncClient, conn: AsyncConnection, receiver: HttpReceiver
) -> None:
    hooked = await hooked_clinic(
        client, conn, receiver, roles={"both": ["case_receiver", "case_handler"], "hans": ["case_handler"]}
    )
    clinic, unit = hooked.clinic, hooked.unit_id
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(
        conn, unit, citizen_id, status="assigned", assignee_staff_id=clinic["hans"].staff_id
    )
    r = await client.post(
        f"{API}/units/{unit}/cases/{case}/close",
        headers=clinic["both"].headers,
        json={"reason": "closed_without_answer", "note": "Dubblett"},
    )
    assert r.status_code == 200, r.text
    rows = await _events(conn, case)
    assert [r["type"] for r in rows] == ["case.assigned", "case.status_changed"]  # taken over, then closed
    assert rows[0]["data"]["assignee"] == {"type": "staff", "id": clinic["both"].staff_id}
    assert rows[1]["data"] == {
        "case_id": str(case),
        "reference": rows[1]["data"]["reference"],
        "status": "closed",
        "previous_status": "assigned",
        "closure": "closed_without_answer",
    }
    # An internal note is no event.
    case2 = await add_case(
        conn, unit, citizen_id, status="assigned", assignee_staff_id=clinic["hans"].staff_id
    )
    r = await client.post(
        f"{API}/units/{unit}/cases/{case2}/notes", headers=clinic["hans"].headers, json={"body": "Ring upp"}
    )
    assert r.status_code == 201, r.text
    assert await _events(conn, case2) == []


async def test_an_outbound_send_emits_one_outbound_sent_per_case_in_its_own_statement(
    client: httpx.AsyncClient, conn: AsyncConnection, receiver: HttpReceiver
) -> None:
    """An outbound send writes `outbound.sent` for each recipient's case (and the webhook
    deliveries) in the send's one statement, with ids and statuses only."""
    hooked = await hooked_clinic(
        client, conn, receiver, events=["outbound.sent"], roles={"handler": ["case_handler"]}
    )
    other_citizen, _ = await add_citizen(conn)
    await add_case(conn, hooked.unit_id, other_citizen)  # not of the send
    r = await client.post(
        f"{API}/units/{hooked.unit_id}/outbound",
        headers=hooked.clinic["handler"].headers,
        json={"recipients": [pnr(), pnr()], "subject": "Influensavaccination", "body": "Hej!",
              "kind": "information"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    send, made = r.json()["id"], r.json()["case_ids"]
    rows = await _events(conn)
    assert sorted(str(r["case_id"]) for r in rows) == sorted(made)
    for row in rows:
        assert row["type"] == "outbound.sent" and row["unit_id"] == uuid.UUID(hooked.unit_id)
        assert set(row["data"]) == DATA_KEYS[EventType.OUTBOUND_SENT]
        assert row["data"]["outbound_id"] == send and row["data"]["status"] == "closed"
        assert "Influensa" not in body(row).decode()
        ENVELOPES[EventType.OUTBOUND_SENT].model_validate(orjson.loads(body(row)))
    assert len(await deliveries(conn)) == 2  # the webhook asked for outbound.sent


async def test_the_purge_drops_old_events_and_remembers_how_far(
    conn: AsyncConnection, client: httpx.AsyncClient, receiver: HttpReceiver
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(conn, hooked.unit_id, citizen_id)
    for _ in range(3):
        await repo.emit(
            conn, uuid.UUID(hooked.unit_id), case, [case_created(CaseRef(case, "R"), "citizen", None)]
        )
    ids = [r["id"] for r in await _events(conn)]
    await conn.execute(
        update(domain_events)
        .where(domain_events.c.id.in_(ids[:2]))
        .values(occurred_at=func.now() - text("interval '8 days'"))
    )
    assert await repo.purged_through(conn) == 0
    assert await repo.purge(conn, 7) == 2
    assert [r["id"] for r in await _events(conn)] == ids[2:]
    assert await repo.purged_through(conn) == ids[1]
    assert len(await deliveries(conn)) == 1  # the purged events' deliveries went with them
    assert await repo.purge(conn, 7) == 0 and await repo.purged_through(conn) == ids[1]
    assert (await conn.execute(select(func.count()).select_from(event_retention))).scalar_one() == 1


def test_the_contract_spells_out_the_data_of_each_type() -> None:
    for event_type, model in ENVELOPES.items():
        data_model = model.model_fields["data"].annotation
        assert data_model is not None
        assert set(data_model.model_fields) == DATA_KEYS[event_type], event_type  # type: ignore[union-attr]
        assert model.model_fields["type"].annotation.__args__ == (event_type.value,)  # type: ignore[union-attr]
