"""Case types at a unit: categories, CRUD, life cycle, text cleaning, delete rules, searchable."""

from __future__ import annotations

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.unit_settings import has_active_case_type
from app.db.tables import cases, citizens
from tests.fixtures.case_types import FULL, create, units_url
from tests.fixtures.clinic import API, citizen_token, make_clinic, pnr

ROLES = {
    "admin": ["local_admin"],
    "handler": ["case_handler"],
    "receiver": ["case_receiver"],
    "reviewer": ["reviewer"],
}


async def test_categories_are_public_with_stable_codes_and_swedish_labels(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{API}/case-type-categories")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    labels = {c["code"]: c["label"] for c in body["items"]}
    assert labels["prescription_renewal"] == "Förnya recept"
    assert labels["change_appointment"] == "Av- eller omboka tid"
    assert {"book_appointment", "test_results", "certificate", "medical_advice", "referral"} <= set(labels)
    assert labels["administrative"] == "Administrativt" and labels["other"] == "Övrigt"


async def test_create_read_list_and_roles(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, ROLES)
    other = await make_clinic(client, {"admin": ["local_admin"]})
    url = units_url(clinic.unit_id)
    ct = await create(client, clinic, clinic["admin"])
    assert ct["status"] == "draft" and ct["origin"] == "local" and ct["version"] == 1
    assert ct["template_id"] is None and ct["central"] is None
    assert ct["questions"][0] == {**FULL["questions"][0], "options": []}
    assert len(ct["answer_templates"]) == 1 and ct["answer_templates"][0]["id"]

    for who in ("handler", "receiver", "reviewer", "admin"):
        r = await client.get(url, headers=clinic[who].headers)
        assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [ct["id"]]
        r = await client.get(f"{url}/{ct['id']}", headers=clinic[who].headers)
        assert r.status_code == 200 and r.headers["ETag"] == '"1"'
    for who in ("handler", "receiver", "reviewer"):
        r = await client.post(url, headers=clinic[who].headers, json=FULL)
        assert r.status_code == 403, r.text
        r = await client.patch(f"{url}/{ct['id']}", headers=clinic[who].headers, json={"name": "x"})
        assert r.status_code == 403
    # Another unit's admin: the unit and its case types do not exist for them.
    for method, path in [
        ("GET", url),
        ("POST", url),
        ("GET", f"{url}/{ct['id']}"),
        ("PATCH", f"{url}/{ct['id']}"),
        ("DELETE", f"{url}/{ct['id']}"),
        ("POST", f"{url}/{ct['id']}/activate"),
        ("POST", f"{url}/{ct['id']}/deactivate"),
    ]:
        r = await client.request(method, path, headers=other["admin"].headers, json={"name": "x"})
        assert r.status_code == 404, (method, path, r.text)
    # ... nor via their own unit's path.
    r = await client.get(f"{units_url(other.unit_id)}/{ct['id']}", headers=other["admin"].headers)
    assert r.status_code == 404
    assert (await client.get(url)).status_code == 401


async def test_list_is_keyset_paged_and_filters_status(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    for name in ("C", "A", "B"):
        await create(client, clinic, clinic["admin"], name=name)
    url, h = units_url(clinic.unit_id), clinic["admin"].headers
    r = await client.get(url, headers=h, params={"limit": 2})
    first = r.json()
    assert [i["name"] for i in first["items"]] == ["A", "B"] and first["next_cursor"]
    r = await client.get(url, headers=h, params={"limit": 2, "cursor": first["next_cursor"]})
    assert [i["name"] for i in r.json()["items"]] == ["C"] and r.json()["next_cursor"] is None
    assert (await client.get(url, headers=h, params={"cursor": "garbage!"})).status_code == 422
    r = await client.get(url, headers=h, params={"status": "active"})
    assert r.json()["items"] == []
    assert (await client.get(url, headers=h, params={"status": "nonsense"})).status_code == 422


async def test_pasted_text_is_cleaned_not_rejected(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    zw, rlo, bom = "\u200b", "\u202e", "\ufeff"
    ct = await create(
        client,
        clinic,
        clinic["admin"],
        name=f"{bom}Förnya{zw} recept{rlo}  ",
        description=f"Beskrivning{zw}\r\nrad två\u2066",
        terms_text=f"{bom}Vi svarar inom två arbetsdagar.{zw}",
        questions=[
            {"key": "q", "label": f"Fråga{zw}", "type": "single_choice", "options": [f"Ja{rlo}", "Nej"]}
        ],
        answer_templates=[{"title": f"Svar{zw}", "body": f"Hej{bom}!\nMvh"}],
    )
    assert ct["name"] == "Förnya recept"
    assert ct["description"] == "Beskrivning\nrad två"
    assert ct["terms_text"] == "Vi svarar inom två arbetsdagar."
    assert ct["questions"][0]["label"] == "Fråga" and ct["questions"][0]["options"] == ["Ja", "Nej"]
    assert ct["answer_templates"][0]["title"] == "Svar" and ct["answer_templates"][0]["body"] == "Hej!\nMvh"
    # Decomposed å (a + ring) is stored composed (NFC).
    r = await client.patch(
        f"{units_url(clinic.unit_id)}/{ct['id']}",
        headers=clinic["admin"].headers,
        json={"name": "Tid pa\u030a"},
    )
    assert r.json()["name"] == "Tid på"


async def test_bad_bodies_are_422_never_500(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    url, h = units_url(clinic.unit_id), clinic["admin"].headers
    q = {"key": "a", "label": "A", "type": "text"}
    bad = [
        {**FULL, "colour": "red"},
        {**FULL, "name": "x" * 201},
        {**FULL, "terms_text": "x" * 10_001},
        {**FULL, "category": "unknown"},
        {**FULL, "questions": [q, q]},
        {**FULL, "questions": [{**q, "type": "single_choice", "options": ["Ja"]}]},
        {**FULL, "questions": [{**q, "type": "single_choice", "options": ["Ja", "Ja"]}]},
        {**FULL, "questions": [{**q, "options": ["Ja", "Nej"]}]},
        {**FULL, "questions": [{**q, "key": "Bad Key"}]},
        {**FULL, "questions": [{**q, "label": "\u200b"}]},
        {**FULL, "questions": [{**q, "extra": 1}]},
        {**FULL, "questions": [{**q, "key": f"k{i}"} for i in range(51)]},
        {**FULL, "answer_templates": [{"title": "", "body": "x"}]},
        {
            **FULL,
            "answer_templates": [{"title": "t", "body": "x", "id": "00000000-0000-0000-0000-000000000001"}],
        },
        {**FULL, "restricted": "maybe"},
        {**FULL, "questions": "not a list"},
    ]
    for body in bad:
        r = await client.post(url, headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(url, headers=h, json={**FULL, "questions": [q, q]})
    assert r.json()["errors"][0]["loc"] == ["body", "questions", 1, "key"]
    assert (await client.get(url, headers=h)).json()["items"] == []


async def test_activation_needs_name_category_and_terms(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    url, h = units_url(clinic.unit_id), clinic["admin"].headers
    r = await client.post(url, headers=h, json={"description": "Utkast"})
    assert r.status_code == 201
    ct = r.json()
    assert ct["name"] == "" and ct["category"] is None
    r = await client.post(f"{url}/{ct['id']}/activate", headers=h)
    assert r.status_code == 422
    assert r.json()["missing_fields"] == ["name", "category", "terms_text"]
    assert "terms_text" in r.json()["detail"]
    r = await client.patch(
        f"{url}/{ct['id']}", headers=h, json={"name": "Intyg", "category": "certificate", "terms_text": " "}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.post(f"{url}/{ct['id']}/activate", headers=h)
    assert r.status_code == 422 and r.json()["missing_fields"] == ["terms_text"]
    await client.patch(f"{url}/{ct['id']}", headers=h, json={"terms_text": "Svar inom två arbetsdagar."})
    assert (
        await client.post(f"{url}/{ct['id']}/activate", headers=clinic["handler"].headers)
    ).status_code == 403
    r = await client.post(f"{url}/{ct['id']}/activate", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["version"] == 4
    # A repeat changes nothing.
    r = await client.post(f"{url}/{ct['id']}/activate", headers=h)
    assert r.json()["status"] == "active" and r.json()["version"] == 4
    # An active case type cannot lose what activation needs.
    r = await client.patch(f"{url}/{ct['id']}", headers=h, json={"category": None})
    assert r.status_code == 422 and r.json()["missing_fields"] == ["category"]
    assert (
        await client.post(f"{url}/{ct['id']}/deactivate", headers=clinic["handler"].headers)
    ).status_code == 403
    r = await client.post(f"{url}/{ct['id']}/deactivate", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    r = await client.post(f"{url}/{ct['id']}/activate", headers=h)
    assert r.json()["status"] == "active"
    draft = await create(client, clinic, clinic["admin"])
    assert (await client.post(f"{url}/{draft['id']}/deactivate", headers=h)).status_code == 409


async def test_patch_keeps_answer_template_ids_and_checks_if_match(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    url, h = units_url(clinic.unit_id), clinic["admin"].headers
    ct = await create(client, clinic, clinic["admin"])
    kept = ct["answer_templates"][0]
    r = await client.patch(
        f"{url}/{ct['id']}",
        headers=h,
        json={"answer_templates": [{**kept, "title": "Förnyat"}, {"title": "Ny", "body": "Ny text"}]},
    )
    assert r.status_code == 200, r.text
    templates = r.json()["answer_templates"]
    assert templates[0] == {**kept, "title": "Förnyat"} and templates[1]["id"] != kept["id"]
    assert r.headers["ETag"] == '"2"'
    r = await client.patch(
        f"{url}/{ct['id']}",
        headers=h,
        json={
            "answer_templates": [{"id": "00000000-0000-0000-0000-000000000001", "title": "t", "body": "b"}]
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "answer_templates", 0, "id"]
    r = await client.patch(f"{url}/{ct['id']}", headers={**h, "If-Match": '"1"'}, json={"name": "Gammal"})
    assert r.status_code == 412
    r = await client.patch(f"{url}/{ct['id']}", headers={**h, "If-Match": "bogus"}, json={"name": "Gammal"})
    assert r.status_code == 412
    r = await client.patch(f"{url}/{ct['id']}", headers={**h, "If-Match": '"1", W/"2"'}, json={"name": "Ny"})
    assert r.status_code == 200 and r.json()["name"] == "Ny" and r.json()["version"] == 3
    for body in ({"name": None}, {"questions": None}, {"unknown": 1}):
        assert (await client.patch(f"{url}/{ct['id']}", headers=h, json=body)).status_code == 422
    # An empty PATCH changes nothing, not even the version.
    r = await client.patch(f"{url}/{ct['id']}", headers=h, json={})
    assert r.status_code == 200 and r.json()["version"] == 3


async def _citizen_id(client: httpx.AsyncClient, conn: AsyncConnection) -> object:
    number = pnr()
    await citizen_token(client, number)
    return (
        await conn.execute(select(citizens.c.id).where(citizens.c.personal_number == number))
    ).scalar_one()


async def test_delete_only_while_unused_and_sent_cases_keep_their_form(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    url, h = units_url(clinic.unit_id), clinic["admin"].headers
    unused = await create(client, clinic, clinic["admin"])
    assert (
        await client.delete(f"{url}/{unused['id']}", headers=clinic["handler"].headers)
    ).status_code == 403
    assert (await client.delete(f"{url}/{unused['id']}", headers=h)).status_code == 204
    assert (await client.get(f"{url}/{unused['id']}", headers=h)).status_code == 404
    assert (await client.delete(f"{url}/{unused['id']}", headers=h)).status_code == 404

    used = await create(client, clinic, clinic["admin"])
    case_id = (
        await conn.execute(
            insert(cases)
            .values(
                unit_id=clinic.unit_id,
                citizen_id=await _citizen_id(client, conn),
                case_type_id=used["id"],
                reference="T-0001",
                status="new",
                origin="citizen",
                subject=used["name"],
                form=used["questions"],
            )
            .returning(cases.c.id)
        )
    ).scalar_one()
    r = await client.delete(f"{url}/{used['id']}", headers=h)
    assert r.status_code == 409, r.text
    r = await client.patch(f"{url}/{used['id']}", headers=h, json={"questions": []})
    assert r.status_code == 200 and r.json()["questions"] == []
    form = (await conn.execute(select(cases.c.form).where(cases.c.id == case_id))).scalar_one()
    assert [q["key"] for q in form] == ["medicine", "pharmacy"]


async def test_has_active_case_type(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    ct = await create(client, clinic, clinic["admin"])
    assert await has_active_case_type(conn, ct["unit_id"]) is False
    await client.post(f"{units_url(clinic.unit_id)}/{ct['id']}/activate", headers=clinic["admin"].headers)
    assert await has_active_case_type(conn, ct["unit_id"]) is True
    await client.post(f"{units_url(clinic.unit_id)}/{ct['id']}/deactivate", headers=clinic["admin"].headers)
    assert await has_active_case_type(conn, ct["unit_id"]) is False
