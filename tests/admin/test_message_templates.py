"""Message templates for outbound cases: CRUD, export and import."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from tests.fixtures.clinic import API, Clinic, make_clinic

QUESTIONS = [
    {"key": "symptoms", "label": "Hur mår du?", "type": "textarea", "required": True, "options": []},
    {
        "key": "when",
        "label": "Vilken tid  passar\u200b?",
        "type": "single_choice",
        "required": False,
        "options": ["Förmiddag", "Eftermiddag"],
    },
]
INFO = {
    "name": "Provsvar klara",
    "kind": "information",
    "subject": "Dina provsvar",
    "body": "Hej!\nSvaren finns.",
}
FORM = {
    "name": "Uppföljning",
    "kind": "questions",
    "subject": "Hur går det?",
    "body": "Svara gärna.",
    "questions": QUESTIONS,
}
ROLES = {
    "admin": ["local_admin"],
    "handler": ["case_handler"],
    "rec": ["case_receiver"],
    "perm": ["permission_admin"],
}


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


def url(c: Clinic, tail: str = "") -> str:
    return f"{API}/units/{c.unit_id}/message-templates{tail}"


async def create(client: httpx.AsyncClient, c: Clinic, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(url(c), headers=c["admin"].headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_create_both_kinds_and_handlers_read_them(client: httpx.AsyncClient, clinic: Clinic) -> None:
    info = await create(client, clinic, INFO)
    assert info["questions"] == [] and info["version"] == 1 and info["body"] == "Hej!\nSvaren finns."
    form = await create(client, clinic, FORM)
    assert form["questions"][1]["label"] == "Vilken tid passar?"  # normalised like case-type forms
    assert form["questions"][1]["options"] == ["Förmiddag", "Eftermiddag"]
    for who in ("handler", "admin"):
        r = await client.get(url(clinic), headers=clinic[who].headers)
        assert r.status_code == 200
        assert r.json() == {"items": [info, form], "next_cursor": None}  # by name
        r = await client.get(url(clinic, f"/{form['id']}"), headers=clinic[who].headers)
        assert r.status_code == 200 and r.json() == form


async def test_text_is_normalised(client: httpx.AsyncClient, clinic: Clinic) -> None:
    body = {
        **INFO,
        "name": " Prov\u200bsvar  ",
        "subject": "Cafe\u0301\u202e",
        "body": "Rad 1\r\nRad\ufeff 2\x07",
    }
    t = await create(client, clinic, body)
    assert (t["name"], t["subject"], t["body"]) == ("Provsvar", "Café", "Rad 1\nRad 2")


@pytest.mark.parametrize(
    "body",
    [
        {**FORM, "questions": []},
        {**INFO, "kind": "questions"},  # a questions template without questions
        {**INFO, "questions": QUESTIONS},
        {**INFO, "kind": "survey"},
        {**INFO, "name": " \u200b"},
        {**INFO, "subject": ""},
        {**INFO, "body": ""},
        {**INFO, "name": "x" * 201},
        {**INFO, "id": str(uuid.uuid4())},
        {k: v for k, v in INFO.items() if k != "subject"},
        {**FORM, "questions": [{**QUESTIONS[1], "options": ["Bara en"]}]},
        {**FORM, "questions": [QUESTIONS[0], QUESTIONS[0]]},
        {**FORM, "questions": [{**QUESTIONS[0], "type": "essay"}]},
        {**FORM, "questions": [{**QUESTIONS[0], "colour": "red"}]},
        {**FORM, "questions": [{**QUESTIONS[0], "key": "Bad Key"}]},
        {**FORM, "questions": [{**QUESTIONS[0], "options": ["a", "b"]}]},
    ],
)
async def test_bad_templates_are_422(client: httpx.AsyncClient, clinic: Clinic, body: dict[str, Any]) -> None:
    r = await client.post(url(clinic), headers=clinic["admin"].headers, json=body)
    assert r.status_code == 422, r.text
    assert (await client.get(url(clinic), headers=clinic["admin"].headers)).json()["items"] == []


async def test_partial_update_is_checked_as_a_whole(client: httpx.AsyncClient, clinic: Clinic) -> None:
    t = await create(client, clinic, INFO)
    u, h = url(clinic, f"/{t['id']}"), clinic["admin"].headers
    r = await client.patch(u, headers=h, json={"subject": "Nytt ämne"})
    assert r.status_code == 200
    assert (
        r.json()["subject"] == "Nytt ämne" and r.json()["body"] == INFO["body"] and r.json()["version"] == 2
    )
    assert (await client.patch(u, headers=h, json={"kind": "questions"})).status_code == 422
    r = await client.patch(u, headers=h, json={"kind": "questions", "questions": QUESTIONS})
    assert r.status_code == 200 and len(r.json()["questions"]) == 2 and r.json()["version"] == 3
    assert (await client.patch(u, headers=h, json={"kind": "information"})).status_code == 422
    r = await client.patch(u, headers=h, json={"kind": "information", "questions": []})
    assert r.status_code == 200 and r.json()["questions"] == []
    for bad in ({"name": None}, {"body": None}, {"version": 9}):
        assert (await client.patch(u, headers=h, json=bad)).status_code == 422


async def test_delete(client: httpx.AsyncClient, clinic: Clinic) -> None:
    t = await create(client, clinic, INFO)
    u, h = url(clinic, f"/{t['id']}"), clinic["admin"].headers
    assert (await client.delete(u, headers=h)).status_code == 204
    assert (await client.get(u, headers=h)).status_code == 404
    assert (await client.delete(u, headers=h)).status_code == 404
    assert (await client.get(url(clinic, f"/{t['id']}/export"), headers=h)).status_code == 404


async def test_export_import_round_trip_across_units(client: httpx.AsyncClient, clinic: Clinic) -> None:
    t = await create(client, clinic, FORM)
    r = await client.get(url(clinic, f"/{t['id']}/export"), headers=clinic["admin"].headers)
    assert r.status_code == 200
    doc = r.json()
    assert doc["format"] == "careinbox.message-template/1"
    assert "id" not in doc and doc["questions"] == t["questions"]
    other = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(url(other, "/import"), headers=other["admin"].headers, json=doc)
    assert r.status_code == 201, r.text
    imported = r.json()
    assert imported["id"] != t["id"] and imported["version"] == 1
    r = await client.get(url(other, f"/{imported['id']}/export"), headers=other["admin"].headers)
    assert r.json() == doc


def _broken(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for change in (
        {"format": "careinbox.message-template/2"},
        {"format": "careinbox.case-type/1"},
        {"kind": "information"},  # with questions
        {"questions": []},  # kind questions without any
        {"id": str(uuid.uuid4())},
        {"name": ""},
    ):
        out.append({**doc, **change})
    missing = dict(doc)
    del missing["format"]
    out.append(missing)
    bad_question = copy.deepcopy(doc)
    bad_question["questions"][0]["type"] = "essay"
    out.append(bad_question)
    return out


async def test_import_refuses_any_bad_document_and_creates_nothing(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    t = await create(client, clinic, FORM)
    h = clinic["admin"].headers
    doc = (await client.get(url(clinic, f"/{t['id']}/export"), headers=h)).json()
    for bad in _broken(doc):
        r = await client.post(url(clinic, "/import"), headers=h, json=bad)
        assert r.status_code == 422, bad
    for bad in ([], "text", None):
        r = await client.post(url(clinic, "/import"), headers=h, json=bad)
        assert r.status_code == 422
    assert len((await client.get(url(clinic), headers=h)).json()["items"]) == 1


@pytest.mark.parametrize("who", ["handler", "rec", "perm"])
async def test_only_local_admins_write(client: httpx.AsyncClient, clinic: Clinic, who: str) -> None:
    t = await create(client, clinic, FORM)
    h = clinic[who].headers
    doc = (await client.get(url(clinic, f"/{t['id']}/export"), headers=clinic["admin"].headers)).json()
    assert (await client.post(url(clinic), headers=h, json=INFO)).status_code == 403
    assert (await client.patch(url(clinic, f"/{t['id']}"), headers=h, json={"name": "X"})).status_code == 403
    assert (await client.delete(url(clinic, f"/{t['id']}"), headers=h)).status_code == 403
    assert (await client.get(url(clinic, f"/{t['id']}/export"), headers=h)).status_code == 403
    assert (await client.post(url(clinic, "/import"), headers=h, json=doc)).status_code == 403


@pytest.mark.parametrize("who", ["rec", "perm"])
async def test_reading_needs_handler_or_local_admin(
    client: httpx.AsyncClient, clinic: Clinic, who: str
) -> None:
    t = await create(client, clinic, INFO)
    assert (await client.get(url(clinic), headers=clinic[who].headers)).status_code == 403
    assert (await client.get(url(clinic, f"/{t['id']}"), headers=clinic[who].headers)).status_code == 403


async def test_other_units_templates_are_404(client: httpx.AsyncClient, clinic: Clinic) -> None:
    t = await create(client, clinic, FORM)
    doc = (await client.get(url(clinic, f"/{t['id']}/export"), headers=clinic["admin"].headers)).json()
    other = await make_clinic(client, ROLES)
    oh = other["admin"].headers
    one = f"/{t['id']}"
    # No role at the unit at all.
    assert (await client.get(url(clinic), headers=oh)).status_code == 404
    assert (await client.post(url(clinic), headers=oh, json=INFO)).status_code == 404
    assert (await client.post(url(clinic, "/import"), headers=oh, json=doc)).status_code == 404
    for method in ("GET", "DELETE"):
        assert (await client.request(method, url(clinic, one), headers=oh)).status_code == 404
    assert (await client.patch(url(clinic, one), headers=oh, json={"name": "X"})).status_code == 404
    assert (await client.get(url(clinic, f"{one}/export"), headers=oh)).status_code == 404
    # This unit's template named under the other unit's path.
    assert (await client.get(url(other, one), headers=oh)).status_code == 404
    assert (await client.get(url(other, one), headers=other["handler"].headers)).status_code == 404
    assert (await client.patch(url(other, one), headers=oh, json={"name": "X"})).status_code == 404
    assert (await client.delete(url(other, one), headers=oh)).status_code == 404
    assert (await client.get(url(other, f"{one}/export"), headers=oh)).status_code == 404
    assert (await client.get(url(clinic, one), headers=clinic["admin"].headers)).json()["name"] == FORM[
        "name"
    ]
