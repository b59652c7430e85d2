"""Input rules: booleans are JSON booleans (terms must be exactly `true`), pasted invisible
characters are cleaned from addresses and choice answers, a blank signature is the default
signature, and malformed stub-register data at citizen log-in is a 422 (bad input), not a 401."""

from __future__ import annotations

import unicodedata
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import add_case_type, citizen, new_case_body, open_clinic
from tests.fixtures.clinic import API, Clinic, make_clinic, pnr

ROLES = {"admin": ["local_admin"], "h": ["case_handler"]}
# What lax mode would have turned into a boolean.
NOT_BOOLEANS = ["yes", "true", "on", 1, 0, 1.0, "0"]


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


def _bad_fields(r: httpx.Response) -> set[str]:
    assert r.status_code == 422, r.text
    return {str(e["loc"][-1]) for e in r.json()["errors"]}


@pytest.mark.parametrize("value", NOT_BOOLEANS)
async def test_case_type_flags_take_only_json_booleans(
    client: httpx.AsyncClient, clinic: Clinic, value: Any
) -> None:
    url = f"{API}/units/{clinic.unit_id}/case-types"
    h = clinic["admin"].headers
    assert "restricted" in _bad_fields(
        await client.post(url, headers=h, json={"name": "X", "restricted": value})
    )
    body = {"name": "X", "citizen_attachments_allowed": value}
    assert "citizen_attachments_allowed" in _bad_fields(await client.post(url, headers=h, json=body))
    question = {"key": "k", "label": "Fråga", "type": "text", "required": value}
    assert "required" in _bad_fields(await client.post(url, headers=h, json={"questions": [question]}))
    r = await client.post(url, headers=h, json={"name": "X", "restricted": True})
    assert r.status_code == 201 and r.json()["restricted"] is True
    patch = await client.patch(f"{url}/{r.json()['id']}", headers=h, json={"restricted": value})
    assert "restricted" in _bad_fields(patch)


@pytest.mark.parametrize("value", ["yes", 1])
async def test_settings_flags_take_only_json_booleans(
    client: httpx.AsyncClient, clinic: Clinic, value: Any
) -> None:
    r = await client.patch(
        f"{API}/units/{clinic.unit_id}/settings",
        headers=clinic["admin"].headers,
        json={"provider_reminder_enabled": value},
    )
    assert "provider_reminder_enabled" in _bad_fields(r)
    for days in (True, "5", 5.0):
        r = await client.patch(
            f"{API}/units/{clinic.unit_id}/settings",
            headers=clinic["admin"].headers,
            json={"citizen_reminder_after_days": days},
        )
        assert r.status_code == 422, (days, r.text)
    for flag in ("show_name_to_citizens", "notify_on_new_case", "notify_on_assigned"):
        r = await client.patch(f"{API}/me/settings", headers=clinic["h"].headers, json={flag: value})
        assert flag in _bad_fields(r)
    who = await citizen(client)
    r = await client.patch(f"{API}/citizen/me", headers=who.headers, json={"notify_by_sms": value})
    assert "notify_by_sms" in _bad_fields(r)
    body = {"hsa_id": "SE2321000131-E900000000001", "given_name": "A", "family_name": "B", "title": "T"}
    r = await client.post(
        f"{API}/admin/directory/staff",
        headers=clinic.admin.headers,
        json={**body, "protected_identity": value},
    )
    assert "protected_identity" in _bad_fields(r)
    r = await client.post(
        f"{API}/auth/citizen/token", json={"personal_number": pnr(), "protected_identity": value}
    )
    assert "protected_identity" in _bad_fields(r)


async def test_pasted_invisible_characters_are_cleaned_from_addresses(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    r = await client.patch(
        f"{API}/units/{clinic.unit_id}/settings",
        headers=clinic["admin"].headers,
        json={"notification_emails": ["\ufeffmottagning@example.se\u200b", "Mottagning@example.se"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["notification_emails"] == ["mottagning@example.se"]
    r = await client.patch(
        f"{API}/me/settings",
        headers=clinic["h"].headers,
        json={"notification_email": "anna\u200d@example.se", "notification_phone": "070\u200b-123 45 67"},
    )
    assert r.status_code == 200, r.text
    settings = r.json()["settings"]
    assert settings["notification_email"] == "anna@example.se"
    assert settings["notification_phone"] == "+46701234567"
    # What is not an address stays refused.
    r = await client.patch(
        f"{API}/me/settings", headers=clinic["h"].headers, json={"notification_email": "a\x00@b.se"}
    )
    assert r.status_code == 422


async def test_blank_signature_is_the_default_signature(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    h = clinic["h"]
    default = "Med vänlig hälsning\nAnna Andersson\nSjuksköterska"
    for blank in ("", "   ", "\u200b\n\t"):
        r = await client.patch(f"{API}/me/settings", headers=h.headers, json={"signature": blank})
        assert r.status_code == 200, r.text
        assert r.json()["settings"]["signature"] == default
    r = await client.patch(
        f"{API}/me/settings", headers=h.headers, json={"signature": "  Hälsningar\nAnna  \n"}
    )
    assert r.json()["settings"]["signature"] == "Hälsningar\nAnna"
    await client.patch(f"{API}/me/settings", headers=h.headers, json={"signature": " "})
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=h.staff_id)
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages",
        headers=h.headers,
        json={"kind": "partial_reply", "body": "Vi återkommer."},
    )
    assert r.status_code == 201, r.text
    assert r.json()["body"] == f"Vi återkommer.\n\n{default}"


async def test_malformed_register_data_at_citizen_login_is_422(client: httpx.AsyncClient) -> None:
    for county in ("99", "1", "x4", "00"):
        r = await client.post(
            f"{API}/auth/citizen/token", json={"personal_number": pnr(), "county_code": county}
        )
        assert _bad_fields(r) == {"county_code"}
    r = await client.post(f"{API}/auth/citizen/token", json={"personal_number": pnr(), "county_code": " 14 "})
    assert r.status_code == 200, r.text


async def test_a_decomposed_choice_answer_picks_the_option(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    setup = await open_clinic(client, conn)
    question = {"key": "mood", "label": "Hur mår du?", "type": "single_choice", "required": True}
    many = {"key": "where", "label": "Var?", "type": "multi_choice", "required": False}
    form = [
        {**question, "options": ["Må bra", "Dåligt"]},
        {**many, "options": ["Hälsa", "Öga"]},
    ]
    case_type = await add_case_type(conn, setup.unit_id, name="Val", questions=form)
    answers = {
        "mood": unicodedata.normalize("NFD", "Må bra"),
        "where": [unicodedata.normalize("NFD", "Öga"), "Häl\u200bsa"],
    }
    who = await citizen(client)
    body = new_case_body(setup, case_type_id=case_type, answers=answers)
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
    assert r.status_code == 201, r.text
    values = {a["key"]: a["value"] for a in r.json()["answers"]}
    assert values == {"mood": "Må bra", "where": ["Hälsa", "Öga"]}
    body["answers"] = {"mood": "Mår bra"}
    r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
    assert r.status_code == 422


async def test_message_template_question_keys_are_cleaned_like_case_types(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    body = {
        "name": "Frågor",
        "kind": "questions",
        "subject": "Uppföljning",
        "body": "Svara gärna.",
        "questions": [{"key": "\u200bmood\u200b", "label": "Hur mår du?", "type": "yes_no"}],
    }
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/message-templates", headers=clinic["admin"].headers, json=body
    )
    assert r.status_code == 201, r.text
    assert r.json()["questions"][0]["key"] == "mood"
    body["questions"][0]["required"] = "yes"
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/message-templates", headers=clinic["admin"].headers, json=body
    )
    assert "required" in _bad_fields(r)


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
