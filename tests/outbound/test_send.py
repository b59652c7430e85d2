"""Outbound sends (domain.md "Rules with numbers", outbound to at most 250): who may send, all or
nothing, what one send writes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.notifications import enqueue_citizen_notice
from tests.fixtures.clinic import Clinic, make_clinic, pnr
from tests.fixtures.outbound import INFORMATION, QUESTIONNAIRE, ROLES, counts, numbers, send, url


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await conn.execute(text(sql), params)]


async def test_information_send_closes_every_case_and_writes_everything_once(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    a, b, c = numbers(3)
    # Any written form; two spellings of `a` are one recipient.
    written = [a, f"{b[2:8]}-{b[8:]}", f"{c[:8]}-{c[8:]}", f"{a[2:8]}{a[8:]}"]
    r = await send(client, clinic, clinic["handler"], written)
    body = r.json()
    assert body["recipient_count"] == 3 and len(body["case_ids"]) == 3
    assert r.headers["Location"].endswith(f"/units/{clinic.unit_id}/outbound/{body['id']}")
    cases = await _rows(
        conn,
        "SELECT c.id, c.status, c.closure, c.closed_at, c.origin, c.subject, c.outbound_id, c.reference,"
        " c.assignee_staff_id, c.unread_by_citizen, z.personal_number FROM cases c"
        " JOIN citizens z ON z.id = c.citizen_id WHERE c.outbound_id = :s",
        s=UUID(body["id"]),
    )
    assert {str(x["id"]) for x in cases} == set(body["case_ids"])
    # In the order first written: the case ids follow the recipients.
    by_id = {str(x["id"]): x["personal_number"] for x in cases}
    assert [by_id[i] for i in body["case_ids"]] == [a, b, c]
    for case in cases:
        assert (case["status"], case["closure"], case["origin"]) == ("closed", "information_sent", "outbound")
        assert case["closed_at"] is not None and case["assignee_staff_id"] is None
        assert case["subject"] == INFORMATION["subject"] and case["unread_by_citizen"] == 1
    assert len({x["reference"] for x in cases}) == 3
    ids = [UUID(i) for i in body["case_ids"]]
    msgs = await _rows(conn, "SELECT * FROM messages WHERE case_id = ANY(:ids)", ids=ids)
    assert len(msgs) == 3
    assert all(m["kind"] == "information" and m["author_type"] == "staff" for m in msgs)
    assert all(m["body"].startswith(INFORMATION["body"]) and "Anna Andersson" in m["body"] for m in msgs)
    events = await _rows(conn, "SELECT * FROM case_events WHERE case_id = ANY(:ids)", ids=ids)
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("created", None, "closed")
    ] * 3
    audits = await _rows(conn, "SELECT * FROM audit_events WHERE case_id = ANY(:ids)", ids=ids)
    assert sorted(x["personal_number"] for x in audits) == sorted([a, b, c])
    assert {x["action"] for x in audits} == {"outbound_sent"}
    assert {x["staff_hsa_id"] for x in audits} == {clinic["handler"].hsa_id}


async def test_questions_send_awaits_the_citizen_assigned_to_the_sender(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    r = await send(client, clinic, clinic["handler"], numbers(2), **QUESTIONNAIRE)
    cases = await _rows(
        conn,
        "SELECT status, closure, assignee_staff_id, form FROM cases WHERE outbound_id = :s",
        s=UUID(r.json()["id"]),
    )
    assert len(cases) == 2
    for case in cases:
        assert (case["status"], case["closure"]) == ("awaiting_citizen", None)
        assert str(case["assignee_staff_id"]) == clinic["handler"].staff_id
        assert [q["key"] for q in case["form"]] == ["feeling", "fever"]


async def test_the_citizen_is_told_by_the_channels_they_chose_with_ids_only(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    both, mail, none = numbers(3, 1960)
    await conn.execute(
        text(
            "INSERT INTO citizens (personal_number, email, phone, notify_by_email, notify_by_sms) VALUES"
            " (:a, 'a@example.se', '+46701111111', true, true), (:b, 'b@example.se', '+46702222222', true,"
            " false), (:c, 'c@example.se', NULL, false, true)"
        ),
        {"a": both, "b": mail, "c": none},
    )
    r = await send(client, clinic, clinic["handler"], [both, mail, none])
    rows = await _rows(
        conn,
        "SELECT o.channel, o.recipient, o.template, o.payload, o.dedup_key FROM outbox o"
        " WHERE o.payload->>'case_id' = ANY(:ids) ORDER BY o.recipient",
        ids=r.json()["case_ids"],
    )
    assert [(x["channel"], x["recipient"]) for x in rows] == [
        ("sms", "+46701111111"),
        ("email", "a@example.se"),
        ("email", "b@example.se"),
    ]
    for row in rows:
        assert row["template"] == "citizen_new_message"
        assert set(row["payload"]) == {"case_id", "message_id"}
        assert row["dedup_key"] == f"citizen_new_message:{row['payload']['message_id']}:{row['channel']}"
    # One rule (notifications.py): the single-message path, asked about the same first message,
    # decides the same rows with the same keys, so it adds nothing.
    before = (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    for row in rows:
        payload = row["payload"]
        await enqueue_citizen_notice(conn, UUID(payload["case_id"]), UUID(payload["message_id"]))
    assert (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == before


async def test_a_protected_sender_signs_without_the_name(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    from tests.fixtures.clinic import add_staff

    sara = await add_staff(client, clinic, ["case_handler"], protected=True, given="Sara", family="Skyddad",
                           title="Läkare")  # fmt: skip
    r = await send(client, clinic, sara, numbers(2))
    msgs = await _rows(
        conn, "SELECT body, author_display_name FROM messages WHERE case_id = ANY(:ids)",
        ids=[UUID(i) for i in r.json()["case_ids"]],
    )  # fmt: skip
    for m in msgs:
        assert "Sara" not in m["body"] and "Skyddad" not in m["body"] and "Läkare" in m["body"]
        assert "Sara" not in m["author_display_name"]


@pytest.mark.parametrize("who", ["receiver", "admin", "reviewer"])
async def test_only_case_handlers_send(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, who: str
) -> None:
    before = await counts(conn)
    await send(client, clinic, clinic[who], numbers(1), expect=403)
    assert await counts(conn) == before


async def test_another_units_handler_gets_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    other = await make_clinic(client, {"handler": ["case_handler"]})
    await send(client, clinic, other["handler"], numbers(1), expect=404)


async def test_251_distinct_recipients_are_refused_as_a_whole(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    before = await counts(conn)
    r = await send(client, clinic, clinic["handler"], numbers(251), expect=422)
    assert r.json()["errors"][0]["loc"] == ["body", "recipients"]
    assert "250" in r.json()["errors"][0]["msg"]
    assert await counts(conn) == before


async def test_250_distinct_with_duplicates_is_one_send_of_250(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    recipients = numbers(250)
    again = [f"{n[2:8]}-{n[8:]}" for n in recipients[:30]]  # the same people, written shorter
    r = await send(client, clinic, clinic["handler"], recipients + again)
    assert r.json()["recipient_count"] == 250 and len(r.json()["case_ids"]) == 250
    sql = text("SELECT count(*) FROM cases WHERE outbound_id = :s")
    assert (await conn.execute(sql, {"s": UUID(r.json()["id"])})).scalar_one() == 250


async def test_invalid_numbers_are_named_with_their_positions_and_nothing_is_created(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    good = numbers(20)
    bad_check = good[17][:-1] + str((int(good[17][-1]) + 1) % 10)
    recipients = [*good[:3], "12345", *good[4:17], bad_check, *good[18:], "19991340-1234"]
    before = await counts(conn)
    r = await send(client, clinic, clinic["handler"], recipients, expect=422)
    errors = r.json()["errors"]
    assert [e["loc"] for e in errors] == [["body", "recipients", 3], ["body", "recipients", 17],
                                          ["body", "recipients", 20]]  # fmt: skip
    assert errors[1]["msg"].startswith(bad_check) and "check digit" in errors[1]["msg"]
    assert await counts(conn) == before


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        ({"subject": "Hej", "kind": "information"}, ["body", "body"]),
        ({"body": "Hej", "subject": "Hej"}, ["body", "kind"]),
        ({**QUESTIONNAIRE, "questions": []}, ["body", "questions"]),
        ({**INFORMATION, "questions": QUESTIONNAIRE["questions"]}, ["body", "questions"]),
        ({**QUESTIONNAIRE, "questions": [{"key": "a", "label": "A", "type": "single_choice",
                                          "options": ["x"]}]}, ["body", "questions", 0, "options"]),
        ({**INFORMATION, "kind": "survey"}, ["body", "kind"]),
        ({**INFORMATION, "template_id": "8a3c0f7e-0000-4000-8000-000000000000"}, ["body", "template_id"]),
    ],
)  # fmt: skip
async def test_bad_content_is_422_and_creates_nothing(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, content: dict[str, Any], loc: list[Any]
) -> None:
    before = await counts(conn)
    r = await send(client, clinic, clinic["handler"], numbers(2), expect=422, **content)
    assert loc in [e["loc"] for e in r.json()["errors"]], r.json()
    assert await counts(conn) == before


async def _template(client: httpx.AsyncClient, c: Clinic, body: dict[str, Any]) -> str:
    r = await client.post(
        f"/api/v1/units/{c.unit_id}/message-templates", headers=c["admin"].headers, json=body
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_template_of_the_unit_is_sent_as_it_is(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    template_id = await _template(client, clinic, {"name": "Hälsodeklaration", **QUESTIONNAIRE})
    r = await send(client, clinic, clinic["handler"], numbers(2), template_id=template_id)
    rows = await _rows(
        conn, "SELECT status, subject, form FROM cases WHERE outbound_id = :s", s=UUID(r.json()["id"])
    )
    assert {(x["status"], x["subject"]) for x in rows} == {("awaiting_citizen", "Hälsodeklaration")}
    view = (await client.get(url(clinic, f"/{r.json()['id']}"), headers=clinic["handler"].headers)).json()
    assert view["template"] == {"id": template_id, "name": "Hälsodeklaration"}
    assert view["kind"] == "questions" and [q["key"] for q in view["questions"]] == ["feeling", "fever"]


async def test_another_units_template_or_a_deleted_one_is_422(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    other = await make_clinic(client, {"admin": ["local_admin"]})
    foreign = await _template(client, other, {"name": "Annan", **INFORMATION})
    deleted = await _template(client, clinic, {"name": "Borttagen", **INFORMATION})
    r = await client.delete(
        f"/api/v1/units/{clinic.unit_id}/message-templates/{deleted}", headers=clinic["admin"].headers
    )
    assert r.status_code == 204
    before = await counts(conn)
    for template_id in (foreign, deleted):
        r = await send(client, clinic, clinic["handler"], numbers(2), expect=422, template_id=template_id)
        assert r.json()["errors"][0]["loc"] == ["body", "template_id"]
    assert await counts(conn) == before


async def test_a_template_and_free_text_together_are_422(client: httpx.AsyncClient, clinic: Clinic) -> None:
    template_id = await _template(client, clinic, {"name": "Info", **INFORMATION})
    r = await send(
        client, clinic, clinic["handler"], numbers(1), expect=422, template_id=template_id, subject="X"
    )
    assert r.json()["errors"][0]["loc"] == ["body", "template_id"]


async def test_a_recipient_never_seen_becomes_a_citizen_from_the_register_and_finds_the_case(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    known, unknown = pnr(1944, 5, 6), pnr(1955, 7, 8)
    await conn.execute(
        text(
            "INSERT INTO register_entries (personal_number, given_name, family_name, county_code)"
            " VALUES (:p, 'Greta', 'Garbo', '01')"
        ),
        {"p": known},
    )
    r = await send(client, clinic, clinic["handler"], [known, unknown])
    people = await _rows(
        conn,
        "SELECT personal_number, given_name, family_name, county_code FROM citizens"
        " WHERE personal_number IN (:a, :b) ORDER BY personal_number",
        a=known,
        b=unknown,
    )
    assert people == [
        {"personal_number": known, "given_name": "Greta", "family_name": "Garbo", "county_code": "01"},
        {"personal_number": unknown, "given_name": "", "family_name": "", "county_code": None},
    ]
    from tests.fixtures.clinic import bearer, citizen_token

    for number, case_id in zip((known, unknown), r.json()["case_ids"], strict=True):
        token = await citizen_token(client, number)
        mine = (await client.get("/api/v1/citizen/cases", headers=bearer(token))).json()["items"]
        assert [c["id"] for c in mine] == [case_id]
