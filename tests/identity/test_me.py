"""/me, personal settings, directory sync and /citizen/me (api.md "Identity")."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import (
    API,
    SYSTEM_ADMIN_HSA,
    add_staff,
    bearer,
    citizen_token,
    make_clinic,
    pnr,
    system_admin,
)


async def test_me_lists_profile_units_and_roles(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"rec": ["case_receiver", "case_handler"]})
    unit = (await client.get(f"{API}/units/{clinic.unit_id}", headers=clinic["rec"].headers)).json()
    r = await client.get(f"{API}/me", headers=clinic["rec"].headers)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["hsa_id"] == clinic["rec"].hsa_id
    assert (me["given_name"], me["family_name"], me["title"]) == ("Anna", "Andersson", "Sjuksköterska")
    assert me["email"] == f"{clinic['rec'].hsa_id.lower()}@example.se"
    assert me["protected_identity"] is False
    assert me["units"] == [
        {"unit_id": clinic.unit_id, "unit_name": unit["name"], "roles": ["case_handler", "case_receiver"]}
    ]
    assert me["system_roles"] == [] and me["regions"] == []
    assert me["settings"] == {
        "signature": "Med vänlig hälsning\nAnna Andersson\nSjuksköterska",
        "show_name_to_citizens": True,
        "notify_on_new_case": False,
        "notify_on_assigned": False,
        "notification_email": None,
        "notification_phone": None,
    }


async def test_system_admin_me(client: httpx.AsyncClient) -> None:
    admin = await system_admin(client)
    me = (await client.get(f"{API}/me", headers=admin.headers)).json()
    assert me["hsa_id"] == SYSTEM_ADMIN_HSA and me["system_roles"] == ["system_admin"] and me["units"] == []


async def test_protected_identity_hides_the_name_by_default(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    person = await add_staff(
        client, clinic, ["case_handler"], protected=True, given="Sara", family="Skyddad", title="Läkare"
    )
    unit = (await client.get(f"{API}/units/{clinic.unit_id}", headers=person.headers)).json()
    me = (await client.get(f"{API}/me", headers=person.headers)).json()
    assert me["protected_identity"] is True
    assert me["settings"]["show_name_to_citizens"] is False
    assert me["settings"]["signature"] == f"Med vänlig hälsning\nLäkare\n{unit['name']}"
    assert "Sara" not in me["settings"]["signature"] and "Skyddad" not in me["settings"]["signature"]
    # Anyone may change the setting, protected identity or not.
    r = await client.patch(f"{API}/me/settings", headers=person.headers, json={"show_name_to_citizens": True})
    assert r.status_code == 200 and r.json()["settings"]["show_name_to_citizens"] is True


async def test_patch_settings(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    headers = clinic["h"].headers
    r = await client.patch(
        f"{API}/me/settings",
        headers=headers,
        json={
            "signature": "Hälsningar\u200b\r\nAnna\u202e",
            "notify_on_new_case": True,
            "notify_on_assigned": True,
            "notification_email": " anna@example.se ",
            "notification_phone": "+46 70 123 45 67",
        },
    )
    assert r.status_code == 200, r.text
    settings = r.json()["settings"]
    assert settings["signature"] == "Hälsningar\nAnna"
    assert settings["notify_on_new_case"] is True and settings["notify_on_assigned"] is True
    assert settings["notification_email"] == "anna@example.se"
    assert settings["notification_phone"] == "+46701234567"  # stored in E.164, as the gateway takes it
    # It is stored, not only echoed.
    assert (await client.get(f"{API}/me", headers=headers)).json()["settings"] == settings
    # A partial patch leaves the rest alone; a null signature goes back to the default.
    r = await client.patch(f"{API}/me/settings", headers=headers, json={"signature": None})
    settings = r.json()["settings"]
    assert settings["signature"] == "Med vänlig hälsning\nAnna Andersson\nSjuksköterska"
    assert settings["notify_on_new_case"] is True
    r = await client.patch(f"{API}/me/settings", headers=headers, json={"notification_email": None})
    assert r.json()["settings"]["notification_email"] is None


async def test_patch_settings_refuses_bad_input(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    url, headers = f"{API}/me/settings", clinic["h"].headers
    for body in (
        {"notification_email": "not-an-address"},
        {"notification_phone": "call me"},
        {"show_name_to_citizens": "sometimes"},
        {"signature": "x" * 20001},
        {"given_name": "Eve"},
    ):
        r = await client.patch(url, headers=headers, json=body)
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    assert (await client.patch(url, json={"signature": "x"})).status_code == 401


async def test_directory_sync_picks_up_changed_catalog_data(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    person = clinic["h"]
    await client.patch(f"{API}/me/settings", headers=person.headers, json={"show_name_to_citizens": False})
    r = await client.post(
        f"{API}/admin/directory/staff",
        headers=clinic.admin.headers,
        json={
            "hsa_id": person.hsa_id,
            "given_name": "Anna",
            "family_name": "Berg",
            "title": "Barnmorska",
            "email": "anna.berg@example.se",
            "phone": "031-123 45 67",
            "protected_identity": False,
        },
    )
    assert r.status_code == 204, r.text
    before = (await client.get(f"{API}/me", headers=person.headers)).json()
    assert before["family_name"] == "Andersson"  # nothing changes until the person syncs
    r = await client.post(f"{API}/me/directory-sync", headers=person.headers)
    assert r.status_code == 200, r.text
    me = r.json()
    assert (me["family_name"], me["title"], me["email"], me["phone"]) == (
        "Berg",
        "Barnmorska",
        "anna.berg@example.se",
        "+46311234567",
    )
    # Name hidden by the person's own choice: the signature shown is the name-free one messages carry.
    assert me["settings"]["signature"].startswith("Med vänlig hälsning\nBarnmorska")
    assert "Berg" not in me["settings"]["signature"]
    # The person's own choice survives a sync.
    assert me["settings"]["show_name_to_citizens"] is False


async def test_directory_sync_for_someone_not_in_the_catalog_is_404(client: httpx.AsyncClient) -> None:
    admin = await system_admin(client)  # a bootstrap admin, not in the stub catalog
    r = await client.post(f"{API}/me/directory-sync", headers=admin.headers)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


async def test_citizen_me(client: httpx.AsyncClient) -> None:
    number = pnr(1990, 1, 1)
    ten_digit = f"{number[2:8]}-{number[8:]}"
    token = await citizen_token(
        client, ten_digit, given_name="Maja", family_name="Svensson", county_code="14"
    )
    r = await client.get(f"{API}/citizen/me", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "personal_number": number,
        "given_name": "Maja",
        "family_name": "Svensson",
        "county_code": "14",
        "email": None,
        "phone": None,
        "notify_by_email": r.json()["notify_by_email"],
        "notify_by_sms": r.json()["notify_by_sms"],
    }
    r = await client.patch(
        f"{API}/citizen/me",
        headers=bearer(token),
        json={
            "email": "maja@example.se",
            "phone": "+46701234567",
            "notify_by_email": True,
            "notify_by_sms": False,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["email"], body["phone"], body["notify_by_email"], body["notify_by_sms"]) == (
        "maja@example.se",
        "+46701234567",
        True,
        False,
    )
    assert (await client.get(f"{API}/citizen/me", headers=bearer(token))).json() == body


async def test_citizen_me_refuses_bad_input_and_staff(client: httpx.AsyncClient) -> None:
    token = await citizen_token(client, pnr())
    for body in (
        {"email": "nope"},
        {"personal_number": pnr()},
        {"given_name": "X"},
        {"notify_by_sms": "sometimes"},
    ):
        assert (await client.patch(f"{API}/citizen/me", headers=bearer(token), json=body)).status_code == 422
    admin = await system_admin(client)
    assert (await client.get(f"{API}/citizen/me", headers=admin.headers)).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401


async def test_me_shows_the_signature_messages_carry(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    h = clinic["h"]
    r = await client.patch(f"{API}/me/settings", headers=h.headers, json={"show_name_to_citizens": False})
    assert r.status_code == 200, r.text
    shown = r.json()["settings"]["signature"]
    citizen_id, _ = await add_citizen(conn)
    case = await add_case(conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=h.staff_id)
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/cases/{case}/messages",
        headers=h.headers,
        json={"kind": "partial_reply", "body": "Vi återkommer."},
    )
    assert r.status_code == 201, r.text
    assert "Andersson" not in r.json()["body"]
    assert r.json()["body"] == f"Vi återkommer.\n\n{shown}"
