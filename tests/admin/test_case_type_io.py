"""Export and import of case types between units, and the form model's handling of raw JSON."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.domain.errors import ValidationFailed
from app.domain.forms import parse_questions, validate_answers
from tests.fixtures.case_types import FULL, create, units_url
from tests.fixtures.clinic import make_clinic


async def test_round_trip_across_two_units(client: httpx.AsyncClient) -> None:
    a = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    b = await make_clinic(client, {"admin": ["local_admin"]})
    ct = await create(client, a, a["admin"], restricted=True, citizen_attachments_allowed=True)
    await client.post(f"{units_url(a.unit_id)}/{ct['id']}/activate", headers=a["admin"].headers)

    r = await client.get(f"{units_url(a.unit_id)}/{ct['id']}/export", headers=a["admin"].headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment;")
    doc = r.json()
    assert doc["format"] == "careinbox.case-type/1"
    assert not {"id", "unit_id", "status", "origin", "version"} & set(doc)
    assert doc["answer_templates"] == [
        {"title": t["title"], "body": t["body"]} for t in FULL["answer_templates"]
    ]

    r = await client.post(f"{units_url(b.unit_id)}/import", headers=b["admin"].headers, json=doc)
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["unit_id"] == b.unit_id and copy["status"] == "draft" and copy["origin"] == "local"
    assert copy["answer_templates"][0]["id"] != ct["answer_templates"][0]["id"]
    again = await client.get(f"{units_url(b.unit_id)}/{copy['id']}/export", headers=b["admin"].headers)
    assert again.json() == doc


async def test_export_and_import_roles_and_scope(client: httpx.AsyncClient) -> None:
    a = await make_clinic(
        client, {"admin": ["local_admin"], "handler": ["case_handler"], "rec": ["case_receiver"]}
    )
    b = await make_clinic(client, {"admin": ["local_admin"]})
    ct = await create(client, a, a["admin"])
    export = f"{units_url(a.unit_id)}/{ct['id']}/export"
    doc = (await client.get(export, headers=a["admin"].headers)).json()
    for who in ("handler", "rec"):
        assert (await client.get(export, headers=a[who].headers)).status_code == 403
        r = await client.post(f"{units_url(a.unit_id)}/import", headers=a[who].headers, json=doc)
        assert r.status_code == 403
    assert (await client.get(export, headers=b["admin"].headers)).status_code == 404
    assert (
        await client.get(f"{units_url(b.unit_id)}/{ct['id']}/export", headers=b["admin"].headers)
    ).status_code == 404
    r = await client.post(f"{units_url(a.unit_id)}/import", headers=b["admin"].headers, json=doc)
    assert r.status_code == 404


def _doc(**over: Any) -> dict[str, Any]:
    return {"format": "careinbox.case-type/1", **{k: v for k, v in FULL.items()}, **over}


async def test_bad_documents_create_nothing(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    url, h = f"{units_url(clinic.unit_id)}/import", clinic["admin"].headers
    without_terms = _doc()
    del without_terms["terms_text"]
    bad: list[Any] = [
        _doc(format="careinbox.case-type/2"),
        _doc(format="careinbox.message-template/1"),
        {k: v for k, v in _doc().items() if k != "format"},
        without_terms,
        _doc(id="00000000-0000-0000-0000-000000000001"),
        _doc(unit_id="00000000-0000-0000-0000-000000000001"),
        _doc(status="active"),
        _doc(answer_templates=[{"id": "00000000-0000-0000-0000-000000000001", "title": "t", "body": "b"}]),
        _doc(questions=[{"key": "a", "label": "A", "type": "text"}] * 2),
        _doc(questions=[{"key": "a", "label": "A", "type": "slider"}]),
        _doc(questions=[{"key": "a", "label": "A", "type": "multi_choice", "options": []}]),
        _doc(questions=["not an object"]),
        _doc(questions={"a": 1}),
        _doc(category="astrology"),
        _doc(name="x" * 500),
        [],
        "just a string",
    ]
    for body in bad:
        r = await client.post(url, headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
    r = await client.post(url, headers=h, content=b"{not json", params={})
    assert r.status_code == 422
    assert (await client.get(units_url(clinic.unit_id), headers=h)).json()["items"] == []
    # Text in an imported document is cleaned like typed text.
    r = await client.post(url, headers=h, json=_doc(name="Intyg\u200b\u202e", terms_text="\ufeffVillkor"))
    assert r.status_code == 201 and r.json()["name"] == "Intyg" and r.json()["terms_text"] == "Villkor"


def test_form_model_reports_raw_json_problems_instead_of_crashing() -> None:
    cases: list[Any] = [
        "not a list",
        ["not an object"],
        [{"key": "a", "label": "A", "type": "single_choice", "options": "ab"}],
        [{"key": "a", "label": "A", "type": "text", "required": "yes"}],
        [{"key": "a\n", "label": "A", "type": "text"}],
        [{"key": "a", "label": {"sv": "A"}, "type": "text"}],
    ]
    for raw in cases:
        with pytest.raises(ValidationFailed):
            parse_questions(raw)
    form = parse_questions(
        [
            {"key": "when", "label": "Datum", "type": "date"},
            {"key": "why", "label": "Varför", "type": "text", "required": True},
        ]
    )
    assert validate_answers(form, {"when": "2026-12-23", "why": "x"}) == {"when": "2026-12-23", "why": "x"}
    for answers in ({"when": "2026-W01-1", "why": "x"}, {"why": "\u200b"}, {"why": "x", "other": 1}):
        with pytest.raises(ValidationFailed):
            validate_answers(form, answers)
    with pytest.raises(ValidationFailed):
        validate_answers(form, ["not", "a", "dict"])  # type: ignore[arg-type]
