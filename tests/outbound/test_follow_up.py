"""After a send (api.md "Cases, citizen side"; domain.md "Audit (PDL)"): the citizen reads and
answers, the clinic follows the send up, and every citizen's PDL extract shows it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.attachments import PDF, upload
from tests.fixtures.clinic import API, Clinic, bearer, citizen_token, make_clinic
from tests.fixtures.outbound import INFORMATION, QUESTIONNAIRE, ROLES, numbers, send, url


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


async def _citizen(client: httpx.AsyncClient, number: str) -> dict[str, str]:
    return bearer(await citizen_token(client, number))


async def test_information_is_read_and_cannot_be_answered(client: httpx.AsyncClient, clinic: Clinic) -> None:
    number = numbers(1)[0]
    case_id = (await send(client, clinic, clinic["handler"], [number])).json()["case_ids"][0]
    me = await _citizen(client, number)
    listed = (await client.get(f"{API}/citizen/cases", headers=me)).json()["items"]
    assert [(c["id"], c["status"], c["unread_count"]) for c in listed] == [(case_id, "closed", 1)]
    case = (await client.get(f"{API}/citizen/cases/{case_id}", headers=me)).json()
    assert case["origin"] == "outbound" and case["closure"] == "information_sent"
    assert case["subject"] == INFORMATION["subject"]
    [message] = case["messages"]
    assert message["kind"] == "information" and message["body"].startswith(INFORMATION["body"])
    assert message["author"]["display_name"] == "Anna Andersson, Sjuksköterska"
    r = await client.post(f"{API}/citizen/cases/{case_id}/messages", headers=me, json={"body": "Tack!"})
    assert r.status_code == 409, r.text


async def test_the_citizen_answers_the_form_and_the_case_returns_to_the_sender(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    number = numbers(1, 1970)[0]
    case_id = (await send(client, clinic, clinic["handler"], [number], **QUESTIONNAIRE)).json()["case_ids"][0]
    me = await _citizen(client, number)
    case = (await client.get(f"{API}/citizen/cases/{case_id}", headers=me)).json()
    assert (case["status"], case["messages"][0]["kind"]) == ("awaiting_citizen", "questions")
    assert [(q["key"], q["options"]) for q in case["form"]] == [("feeling", ["Bra", "Dåligt"]), ("fever", [])]
    reply = f"{API}/citizen/cases/{case_id}/messages"
    # The form decides: a required answer, the options, the types.
    for answers, loc in (
        ({}, ["body", "answers", "feeling"]),
        ({"feeling": "Sådär"}, ["body", "answers", "feeling"]),
        ({"feeling": "Bra", "fever": "nej"}, ["body", "answers", "fever"]),
        ({"feeling": "Bra", "other": "x"}, ["body", "answers", "other"]),
    ):
        r = await client.post(reply, headers=me, json={"body": "", "answers": answers})
        assert r.status_code == 422, r.text
        assert loc in [e["loc"] for e in r.json()["errors"]], r.json()
    # Replies take files now, but not here: an outbound case has no case type allowing them
    # (domain.md). Bad answers are named first; a refused reply leaves the upload unused.
    upload_id = (await upload(client, "/citizen/attachments", me, PDF)).json()["id"]
    bad = {"body": "", "answers": {"feeling": "Sådär"}, "attachment_ids": [upload_id]}
    r = await client.post(reply, headers=me, json=bad)
    assert r.status_code == 422 and ["body", "answers", "feeling"] in [e["loc"] for e in r.json()["errors"]]
    with_file = {"body": "Se bilaga.", "answers": {"feeling": "Bra"}, "attachment_ids": [upload_id]}
    r = await client.post(reply, headers=me, json=with_file)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "attachment_ids"], r.text
    unused = await conn.execute(
        text("SELECT attached_at IS NULL FROM attachments WHERE id = :a"), {"a": upload_id}
    )
    assert unused.scalar_one() is True
    case = (await client.get(f"{API}/citizen/cases/{case_id}", headers=me)).json()
    assert case["status"] == "awaiting_citizen" and len(case["messages"]) == 1
    r = await client.post(
        reply, headers=me, json={"body": "Inga besvär.", "answers": {"feeling": "Bra", "fever": False}}
    )
    assert r.status_code == 201, r.text
    assert r.json()["answers"] == {"feeling": "Bra", "fever": False}
    staff_view = await client.get(
        f"{API}/units/{clinic.unit_id}/cases/{case_id}", headers=clinic["handler"].headers
    )
    assert staff_view.status_code == 200, staff_view.text
    case = staff_view.json()
    assert case["status"] == "assigned"
    assert case["assignee"]["type"] == "staff" and case["assignee"]["id"] == clinic["handler"].staff_id
    assert [e["action"] for e in case["events"]] == ["created", "citizen_replied"]
    # Only once: the case no longer awaits the citizen.
    r = await client.post(reply, headers=me, json={"body": "Igen", "answers": {"feeling": "Bra"}})
    assert r.status_code == 409


async def test_each_citizens_access_log_shows_the_send(client: httpx.AsyncClient, clinic: Clinic) -> None:
    recipients = numbers(2, 1980)
    await send(client, clinic, clinic["handler"], recipients)
    for number in recipients:
        log = (await client.get(f"{API}/citizen/access-log", headers=await _citizen(client, number))).json()
        assert [e["action"] for e in log["items"]] == ["outbound_sent"]
        assert log["items"][0]["description"] == "Skickade ett ärende till dig"


async def test_the_send_is_a_resource_with_its_cases_counted_by_status(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    recipients = numbers(3, 1975)
    first = (await send(client, clinic, clinic["handler"], recipients, **QUESTIONNAIRE)).json()
    me = await _citizen(client, recipients[0])
    r = await client.post(
        f"{API}/citizen/cases/{first['case_ids'][0]}/messages",
        headers=me,
        json={"body": "", "answers": {"feeling": "Bra"}},
    )
    assert r.status_code == 201, r.text
    second = (await send(client, clinic, clinic["handler"], recipients[:1])).json()
    for who in ("handler", "receiver"):
        view = await client.get(url(clinic, f"/{first['id']}"), headers=clinic[who].headers)
        assert view.status_code == 200, view.text
        body: dict[str, Any] = view.json()
        assert body["sender"] == {"id": clinic["handler"].staff_id, "name": "Anna Andersson"}
        assert (body["kind"], body["subject"], body["recipient_count"]) == (
            "questions",
            "Hälsodeklaration",
            3,
        )
        assert body["status_counts"] == {"new": 0, "assigned": 1, "awaiting_citizen": 2, "closed": 0}
        assert (
            body["template"] is None and body["attachments"] == [] and body["body"] == QUESTIONNAIRE["body"]
        )
        # Newest first; within one test both sends share the transaction's time, so by id.
        page = (await client.get(url(clinic), headers=clinic[who].headers, params={"limit": 1})).json()
        rest = await client.get(
            url(clinic), headers=clinic[who].headers, params={"cursor": page["next_cursor"]}
        )
        assert rest.json()["next_cursor"] is None
        listed = {s["id"]: s["status_counts"] for s in page["items"] + rest.json()["items"]}
        assert list(listed) == sorted(listed, reverse=True) and len(page["items"]) == 1
        assert listed == {
            first["id"]: {"new": 0, "assigned": 1, "awaiting_citizen": 2, "closed": 0},
            second["id"]: {"new": 0, "assigned": 0, "awaiting_citizen": 0, "closed": 1},
        }


async def test_sends_are_scoped_to_the_unit_and_its_case_roles(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    sent = (await send(client, clinic, clinic["handler"], numbers(1))).json()
    other = await make_clinic(client, {"handler": ["case_handler"], "receiver": ["case_receiver"]})
    assert (await client.get(url(clinic), headers=other["receiver"].headers)).status_code == 404
    # The id of another unit's send is not found at this unit.
    r = await client.get(
        f"{API}/units/{other.unit_id}/outbound/{sent['id']}", headers=other["receiver"].headers
    )
    assert r.status_code == 404
    for who in ("admin", "reviewer"):
        assert (await client.get(url(clinic), headers=clinic[who].headers)).status_code == 403
        assert (
            await client.get(url(clinic, f"/{sent['id']}"), headers=clinic[who].headers)
        ).status_code == 403


async def test_reading_a_send_writes_no_pdl_event(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    sent = (await send(client, clinic, clinic["handler"], numbers(2))).json()
    count = text("SELECT count(*) FROM audit_events")
    before = (await conn.execute(count)).scalar_one()
    assert (
        await client.get(url(clinic, f"/{sent['id']}"), headers=clinic["receiver"].headers)
    ).status_code == 200
    assert (await client.get(url(clinic), headers=clinic["receiver"].headers)).status_code == 200
    assert (await conn.execute(count)).scalar_one() == before
