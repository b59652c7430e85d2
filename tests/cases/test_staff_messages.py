"""Staff messages, close without answer and internal notes: life cycle, signature, outbox, audit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import ANSWER_TEMPLATES, add_case, add_case_type, add_citizen
from tests.fixtures.clinic import API, Clinic, add_staff, make_clinic

ROLES = {
    "rec": ["case_receiver"],
    "h1": ["case_handler"],
    "h2": ["case_handler"],
    "both": ["case_receiver", "case_handler"],
    "admin": ["local_admin"],
}


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


async def _post(
    client: httpx.AsyncClient, clinic: Clinic, who: str, case: UUID, action: str, body: Any, **headers: str
) -> httpx.Response:
    return await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/{action}",
        headers={**clinic[who].headers, **headers},
        json=body,
    )


async def _case(client: httpx.AsyncClient, clinic: Clinic, case: UUID) -> dict[str, Any]:
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case}", headers=clinic["rec"].headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def _scalar(conn: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await conn.execute(text(sql), params)).scalar()


async def test_partial_reply_counter_question_answer(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, number = await add_citizen(conn)
    h1 = clinic["h1"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    r = await _post(
        client, clinic, "h1", case, "messages", {"kind": "partial_reply", "body": "Vi återkommer."}
    )
    assert r.status_code == 201, r.text
    message = r.json()
    assert message["kind"] == "partial_reply" and r.headers["etag"] == '"2"'
    assert message["body"] == "Vi återkommer.\n\nMed vänlig hälsning\nAnna Andersson\nSjuksköterska"
    assert message["author"]["citizen_facing_name"] == "Anna Andersson, Sjuksköterska"
    assert message["read_at"] is None and message["attachments"] == []
    r = await _post(
        client, clinic, "h1", case, "messages", {"kind": "counter_question", "body": "Vilken dos?"}
    )
    assert r.status_code == 201
    assert (await _case(client, clinic, case))["status"] == "awaiting_citizen"
    r = await _post(client, clinic, "h1", case, "messages", {"kind": "partial_reply", "body": "Hallå?"})
    assert r.status_code == 409 and r.json()["case_status"] == "awaiting_citizen"
    r = await _post(
        client, clinic, "h1", case, "messages", {"kind": "answer", "body": "Receptet är förnyat."}
    )
    assert r.status_code == 201
    after = await _case(client, clinic, case)
    assert after["status"] == "closed" and after["closure"] == "answered" and after["closed_at"]
    assert after["unread_by_citizen"] == 3 and after["version"] == 4
    assert [m["kind"] for m in after["messages"]] == ["partial_reply", "counter_question", "answer"]
    assert [(e["action"], e["to_status"]) for e in after["events"]] == [
        ("partial_reply", "assigned"),
        ("counter_question", "awaiting_citizen"),
        ("answered", "closed"),
    ]
    # A closed case takes nothing more, from anyone.
    for who, action, body in (
        ("h1", "messages", {"kind": "answer", "body": "Igen"}),
        ("both", "messages", {"kind": "answer", "body": "Igen"}),
        ("h1", "close", {"reason": "closed_without_answer"}),
        ("h1", "notes", {"body": "Efterhand"}),
    ):
        r = await _post(client, clinic, who, case, action, body)
        assert r.status_code == 409 and r.json()["case_status"] == "closed", (who, action)
    audited = await _scalar(
        conn,
        "SELECT count(*) FROM audit_events "
        "WHERE case_id = :c AND action = 'message_sent' AND personal_number = :p",
        c=case,
        p=number,
    )
    assert audited == 3


async def test_who_may_write(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    citizen, _ = await add_citizen(conn)
    h1, h2 = clinic["h1"].staff_id, clinic["h2"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    msg = {"kind": "answer", "body": "Svar"}
    assert (await _post(client, clinic, "rec", case, "messages", msg)).status_code == 403  # receiver only
    assert (await _post(client, clinic, "admin", case, "messages", msg)).status_code == 403
    assert (await _post(client, clinic, "h2", case, "messages", msg)).status_code == 404  # out of reach
    await conn.execute(text("INSERT INTO case_participants VALUES (:c, :s)"), {"c": case, "s": h2})
    assert (await _post(client, clinic, "h2", case, "messages", msg)).status_code == 403  # not the assignee
    assert (
        await _post(client, clinic, "h2", case, "close", {"reason": "closed_without_answer"})
    ).status_code == 403
    other = await make_clinic(client, {"h": ["case_handler"]})
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages", headers=other["h"].headers, json=msg
    )
    assert r.status_code == 404
    # A receiver who is also a handler answers a new case directly; it becomes theirs.
    fresh = await add_case(conn, clinic.unit_id, citizen)
    r = await _post(client, clinic, "both", fresh, "messages", msg)
    assert r.status_code == 201, r.text
    done = await _case(client, clinic, fresh)
    assert done["status"] == "closed" and done["assignee"]["id"] == clinic["both"].staff_id


async def test_bad_message_bodies(client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic) -> None:
    citizen, _ = await add_citizen(conn)
    case = await add_case(
        conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=clinic["h1"].staff_id
    )
    for body in (
        {"kind": "answer"},  # no body, no template
        {"kind": "answer", "body": "  \u200b "},
        {"kind": "citizen", "body": "x"},
        {"kind": "answer", "body": "x", "attachment_ids": ["00000000-0000-0000-0000-000000000001"]},
        {
            "kind": "answer",
            "body": "x",
            "answer_template_id": ANSWER_TEMPLATES[0]["id"],
        },  # the case has no case type
        {"kind": "answer", "body": "x", "signature": "me"},
        {"kind": "answer", "body": "x" * 20001},
    ):
        r = await _post(client, clinic, "h1", case, "messages", body)
        assert r.status_code == 422, (body, r.text)
    assert (await _case(client, clinic, case))["version"] == 1


async def test_answer_from_template_and_text_normalised(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    case_type = await add_case_type(conn, clinic.unit_id)
    h1 = clinic["h1"].staff_id
    case = await add_case(
        conn, clinic.unit_id, citizen, case_type_id=case_type, status="assigned", assignee_staff_id=h1
    )
    r = await _post(
        client, clinic, "h1", case, "messages", {"kind": "answer", "answer_template_id": "tpl-nope"}
    )
    assert r.status_code == 422
    r = await _post(
        client, clinic, "h1", case, "messages", {"kind": "partial_reply", "body": "Hej\u200b\r\nigen"}
    )
    assert r.json()["body"].startswith("Hej\nigen\n\n")
    renewed = ANSWER_TEMPLATES[0]["id"].upper()  # any spelling of the template's UUID names it
    r = await _post(client, clinic, "h1", case, "messages", {"kind": "answer", "answer_template_id": renewed})
    assert r.status_code == 201, r.text
    assert r.json()["body"].startswith("Ditt recept är förnyat.\n\nMed vänlig hälsning")


async def test_protected_staff_name_never_reaches_the_citizen(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    hidden = await add_staff(
        client, clinic, ["case_handler"], protected=True, given="Hemlig", family="Person", title="Läkare"
    )
    clinic.people["hidden"] = hidden
    citizen, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=hidden.staff_id)
    r = await _post(
        client, clinic, "hidden", case, "messages", {"kind": "answer", "body": "Allt ser bra ut."}
    )
    assert r.status_code == 201, r.text
    stored = (
        await conn.execute(
            text("SELECT body, author_display_name FROM messages WHERE case_id = :c"), {"c": case}
        )
    ).one()
    assert "Hemlig" not in stored.body and "Person" not in stored.body
    assert "Hemlig" not in stored.author_display_name
    assert stored.author_display_name.startswith("Läkare, Vårdcentralen")
    assert stored.body.endswith(
        "Med vänlig hälsning\nLäkare\n" + stored.author_display_name.split(", ", 1)[1]
    )


async def test_outbox_row_without_case_content(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn, email="sven@example.se", notify_by_email=True)
    quiet, _ = await add_citizen(conn, email="tyst@example.se", notify_by_email=False)
    h1 = clinic["h1"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    other = await add_case(conn, clinic.unit_id, quiet, status="assigned", assignee_staff_id=h1)
    for c in (case, other):
        r = await _post(
            client, clinic, "h1", c, "messages", {"kind": "partial_reply", "body": "Hemligt innehåll"}
        )
        assert r.status_code == 201
    rows = (await conn.execute(text("SELECT channel, recipient, template, payload::text FROM outbox"))).all()
    assert len(rows) == 1
    channel, recipient, template, payload = rows[0]
    assert (channel, recipient, template) == ("email", "sven@example.se", "citizen_new_message")
    assert "Hemligt" not in payload and "Anna" not in payload and "Vårdcentralen" not in payload


async def test_close_without_answer_and_notes(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, number = await add_citizen(conn)
    h1 = clinic["h1"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    assert (
        await _post(client, clinic, "rec", case, "close", {"reason": "closed_without_answer"})
    ).status_code == 403
    assert (await _post(client, clinic, "h1", case, "close", {"reason": "answered"})).status_code == 422
    r = await _post(client, clinic, "rec", case, "notes", {"body": "Intern: ring patienten"})
    assert r.status_code == 201 and r.json()["author"]["name"] == "Anna Andersson"
    assert (await _post(client, clinic, "admin", case, "notes", {"body": "x"})).status_code == 403
    assert (await _post(client, clinic, "h1", case, "notes", {"body": ""})).status_code == 422
    r = await _post(
        client, clinic, "h1", case, "close", {"reason": "closed_without_answer", "note": "Dubblett"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed" and r.json()["closure"] == "closed_without_answer"
    assert r.json()["unread_by_citizen"] == 0
    view = await _case(client, clinic, case)
    assert [n["body"] for n in view["notes"]] == ["Intern: ring patienten", "Dubblett"]
    assert view["messages"] == []
    actions = (
        await conn.execute(
            text(
                "SELECT action, outcome FROM audit_events WHERE case_id = :c AND personal_number = :p"
                " ORDER BY id"
            ),
            {"c": case, "p": number},
        )
    ).all()
    # The receiver's and the administrator's 403s on the case are denied accesses; the 422s
    # (bad input, nothing read) are not logged.
    assert [tuple(a) for a in actions] == [
        ("case_closed", "denied"),
        ("note_added", "success"),
        ("note_added", "denied"),
        ("case_closed", "success"),
        ("case_read", "success"),
    ]


async def test_idempotency_key_on_staff_messages(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    citizen, _ = await add_citizen(conn)
    h1 = clinic["h1"].staff_id
    case = await add_case(conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=h1)
    body = {"kind": "partial_reply", "body": "Vi tittar på det."}
    first = await _post(client, clinic, "h1", case, "messages", body, **{"Idempotency-Key": "k-1"})
    again = await _post(client, clinic, "h1", case, "messages", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["etag"] == '"2"'
    other = await _post(
        client, clinic, "h1", case, "messages", {**body, "body": "Annat"}, **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert await _scalar(conn, "SELECT count(*) FROM messages WHERE case_id = :c", c=case) == 1
