"""Regional case-type templates: regional admins write, the region's local admins read and copy."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.case_types import FULL, add_unit, grant, regional_admin, units_url
from tests.fixtures.clinic import API, add_staff, make_clinic


def region_url(region_id: str) -> str:
    return f"{API}/regions/{region_id}/case-type-templates"


async def test_regional_admin_manages_templates(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    boss = await regional_admin(client, clinic)
    url = region_url(clinic.region_id)
    r = await client.post(url, headers=boss.headers, json={**FULL, "name": "Förnya\u200b recept"})
    assert r.status_code == 201, r.text
    tpl = r.json()
    assert tpl["region_id"] == clinic.region_id and tpl["version"] == 1 and tpl["name"] == "Förnya recept"
    assert tpl["answer_templates"][0]["id"]
    r = await client.patch(f"{url}/{tpl['id']}", headers=boss.headers, json={"terms_text": "Nya villkor"})
    assert r.status_code == 200 and r.json()["terms_text"] == "Nya villkor" and r.json()["version"] == 2
    r = await client.patch(
        f"{url}/{tpl['id']}", headers={**boss.headers, "If-Match": '"1"'}, json={"name": "Gammal"}
    )
    assert r.status_code == 412
    for body in ({"questions": [{"key": "a", "label": "A", "type": "yes_no", "options": ["x"]}]}, {"x": 1}):
        assert (await client.patch(f"{url}/{tpl['id']}", headers=boss.headers, json=body)).status_code == 422
    kept = {**tpl["answer_templates"][0], "body": "Ny text"}
    r = await client.patch(f"{url}/{tpl['id']}", headers=boss.headers, json={"answer_templates": [kept]})
    assert r.status_code == 200 and r.json()["answer_templates"] == [kept]
    r = await client.get(url, headers=boss.headers)
    assert [t["id"] for t in r.json()["items"]] == [tpl["id"]] and r.json()["next_cursor"] is None
    assert (await client.get(f"{url}/{tpl['id']}", headers=boss.headers)).status_code == 200
    assert (await client.delete(f"{url}/{tpl['id']}", headers=boss.headers)).status_code == 204
    assert (await client.get(f"{url}/{tpl['id']}", headers=boss.headers)).status_code == 404
    assert (await client.delete(f"{url}/{tpl['id']}", headers=boss.headers)).status_code == 404


async def test_who_reads_and_who_writes(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    elsewhere = await make_clinic(client, {"admin": ["local_admin"]})
    boss = await regional_admin(client, clinic)
    other_boss = await regional_admin(client, elsewhere)
    url = region_url(clinic.region_id)
    tpl = (await client.post(url, headers=boss.headers, json=FULL)).json()
    one = f"{url}/{tpl['id']}"

    # The region's local admin reads, but may not write (in scope → 403).
    admin = clinic["admin"].headers
    assert (await client.get(url, headers=admin)).status_code == 200
    assert (await client.get(one, headers=admin)).json()["name"] == FULL["name"]
    assert (await client.post(url, headers=admin, json=FULL)).status_code == 403
    assert (await client.patch(one, headers=admin, json={"name": "x"})).status_code == 403
    assert (await client.delete(one, headers=admin)).status_code == 403
    # A handler at a unit of the region sees that the region exists but not its templates.
    assert (await client.get(url, headers=clinic["handler"].headers)).status_code == 403
    assert (await client.get(one, headers=clinic["handler"].headers)).status_code == 403
    # People of another region: 404 for everything, admins of either kind.
    for who in (elsewhere["admin"], other_boss):
        assert (await client.get(url, headers=who.headers)).status_code == 404
        assert (await client.get(one, headers=who.headers)).status_code == 404
        assert (await client.post(url, headers=who.headers, json=FULL)).status_code == 404
        assert (await client.patch(one, headers=who.headers, json={"name": "x"})).status_code == 404
        assert (await client.delete(one, headers=who.headers)).status_code == 404
    # The template is not reachable through another region's path.
    r = await client.get(f"{region_url(elsewhere.region_id)}/{tpl['id']}", headers=other_boss.headers)
    assert r.status_code == 404
    # A local admin of a second unit in the region reads too.
    second = await add_unit(client, clinic, 9001)
    person = await add_staff(client, clinic, [])
    await grant(client, clinic, second, person.hsa_id, "local_admin")
    assert (await client.get(url, headers=person.headers)).status_code == 200
    assert (await client.get(url)).status_code == 401


async def test_local_admin_copies_a_template_into_a_draft(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "handler": ["case_handler"]})
    elsewhere = await make_clinic(client, {"admin": ["local_admin"]})
    boss = await regional_admin(client, clinic)
    foreign_boss = await regional_admin(client, elsewhere)
    tpl = (await client.post(region_url(clinic.region_id), headers=boss.headers, json=FULL)).json()
    foreign = (
        await client.post(region_url(elsewhere.region_id), headers=foreign_boss.headers, json=FULL)
    ).json()
    url = f"{units_url(clinic.unit_id)}/from-template"

    r = await client.post(url, headers=clinic["admin"].headers, json={"template_id": tpl["id"]})
    assert r.status_code == 201, r.text
    copy = r.json()
    assert copy["status"] == "draft" and copy["origin"] == "regional_template"
    assert copy["template_id"] == tpl["id"] and copy["unit_id"] == clinic.unit_id
    assert copy["questions"] == tpl["questions"] and copy["terms_text"] == tpl["terms_text"]
    assert copy["answer_templates"][0]["title"] == tpl["answer_templates"][0]["title"]
    assert copy["answer_templates"][0]["id"] != tpl["answer_templates"][0]["id"]
    # The copy is the unit's own: saved, activated, and independent of later template edits.
    ct_url = f"{units_url(clinic.unit_id)}/{copy['id']}"
    r = await client.post(f"{ct_url}/activate", headers=clinic["admin"].headers)
    assert r.status_code == 200 and r.json()["status"] == "active"
    await client.patch(
        f"{region_url(clinic.region_id)}/{tpl['id']}", headers=boss.headers, json={"name": "Ändrad"}
    )
    assert (await client.get(ct_url, headers=clinic["admin"].headers)).json()["name"] == FULL["name"]
    # Deleting the template leaves the copy, without its link.
    await client.delete(f"{region_url(clinic.region_id)}/{tpl['id']}", headers=boss.headers)
    assert (await client.get(ct_url, headers=clinic["admin"].headers)).json()["template_id"] is None

    h = clinic["admin"].headers
    assert (await client.post(url, headers=h, json={"template_id": foreign["id"]})).status_code == 404
    assert (await client.post(url, headers=h, json={"template_id": "nope"})).status_code == 422
    assert (await client.post(url, headers=h, json={"template_id": foreign["id"], "x": 1})).status_code == 422
    r = await client.post(url, headers=clinic["handler"].headers, json={"template_id": foreign["id"]})
    assert r.status_code == 403
    r = await client.post(url, headers=elsewhere["admin"].headers, json={"template_id": foreign["id"]})
    assert r.status_code == 404


async def test_demo_catalog_is_idempotent(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    from app.demo import catalog as demo_catalog

    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    south = await add_unit(client, clinic, 9100)
    await grant(client, clinic, south, clinic["admin"].hsa_id, "local_admin")
    ids = {"region": clinic.region_id, "north": clinic.unit_id, "south": south}
    first = await demo_catalog.load(conn, ids)
    assert await demo_catalog.load(conn, ids) == first
    h = clinic["admin"].headers
    north_types = {
        i["id"]: i for i in (await client.get(units_url(clinic.unit_id), headers=h)).json()["items"]
    }
    assert len(north_types) == 6
    assert north_types[str(first["ct_prescription"])]["origin"] == "regional_template"
    assert north_types[str(first["ct_prescription"])]["status"] == "active"
    assert north_types[str(first["ct_restricted"])]["restricted"] is True
    assert north_types[str(first["ct_draft"])]["status"] == "draft"
    central = north_types[str(first["ct_central_booking"])]
    assert central["origin"] == "central" and central["status"] == "active" and central["terms_text"]
    south_types = (await client.get(units_url(south), headers=h)).json()["items"]
    assert {t["status"] for t in south_types} == {"active"} and len(south_types) == 2
