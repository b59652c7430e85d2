"""No patient data in any e-mail or SMS (domain.md "Notifications"): one case lives through the
API until every template has been written for it, the worker delivers them all to real local
servers, and everything that arrived is searched for the citizen's name, personal number and
every text of the case. Citizen notices are exactly the fixed text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.db.tables import cases, outbox, staff, units
from app.domain.notifications import CITIZEN_TEMPLATES, Template
from app.notify.texts import CITIZEN_NEW_MESSAGE_TEXT, CITIZEN_REMINDER_TEXT
from tests.fixtures.citizen import citizen, open_clinic, send_case
from tests.fixtures.clinic import API
from tests.fixtures.servers import SmsGateway, SmtpServer
from tests.notify.conftest import make_worker

GIVEN, FAMILY = "Tolvan", "Tolvansson"
SECRETS = (
    GIVEN,
    FAMILY,
    "Förnya recept",  # the case's subject (its case type): what the citizen asks for is theirs
    "Levaxin",
    "Hemlig text om min sköldkörtel",
    "Motfråga om din dos",
    "Mitt svar om dosen",
    "Delsvar om receptet",
)


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()).replace("\r\n", "\n"), str(html.get_content())


async def test_every_template_is_free_of_patient_data(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    settings: Settings,
    services: Services,
    smtp_server: SmtpServer,
    sms_gateway: SmsGateway,
) -> None:
    setup = await open_clinic(
        client,
        conn,
        {"rec": ["case_receiver"], "h": ["case_handler"]},
        emails=["mottagning@vc.example.se"],
    )
    clinic, unit_id = setup.clinic, setup.unit_id
    await conn.execute(
        update(units)
        .where(units.c.id == unit_id)
        .values(citizen_reminder_after_days=2, provider_reminder_enabled=True)
    )
    for name, wish in (("rec", "notify_on_new_case"), ("h", "notify_on_assigned")):
        r = await client.patch(f"{API}/me/settings", headers=clinic[name].headers, json={wish: True})
        assert r.status_code == 200, r.text
    who = await citizen(client, given_name=GIVEN, family_name=FAMILY)
    r = await client.patch(
        f"{API}/citizen/me",
        headers=who.headers,
        json={
            "email": "tolvan@example.se",
            "phone": "070-123 45 67",
            "notify_by_email": True,
            "notify_by_sms": True,
        },
    )
    assert r.status_code == 200, r.text

    case = await send_case(
        client, who, setup, message="Hemlig text om min sköldkörtel", answers={"medicine": "Levaxin"}
    )
    staff_url = f"{API}/units/{unit_id}/cases/{case['id']}"
    r = await client.post(
        f"{staff_url}/assignment",
        headers=clinic["rec"].headers,
        json={"assignee": {"type": "staff", "id": clinic["h"].staff_id}},
    )
    assert r.status_code == 200, r.text
    h = clinic["h"].headers
    r = await client.post(
        f"{staff_url}/messages", headers=h, json={"kind": "counter_question", "body": "Motfråga om din dos"}
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{API}/citizen/cases/{case['id']}/messages", headers=who.headers, json={"body": "Mitt svar om dosen"}
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{staff_url}/messages", headers=h, json={"kind": "partial_reply", "body": "Delsvar om receptet"}
    )
    assert r.status_code == 201, r.text
    # Three days on, the partial reply is unread and the case past its deadline.
    await conn.execute(
        update(cases).where(cases.c.id == case["id"]).values(due_at=func.now() - timedelta(hours=1))
    )
    worker = make_worker(
        settings, services.db, smtp_server, sms_gateway, clock=lambda: datetime.now(UTC) + timedelta(days=3)
    )
    assert await worker.schedule_reminders() > 0
    await worker.drain()

    templates = set((await conn.execute(select(outbox.c.template))).scalars())
    assert templates == set(Template), "the case should have produced every template"
    assert set((await conn.execute(select(outbox.c.status))).scalars()) == {"sent"}

    names = (await conn.execute(select(staff.c.given_name, staff.c.family_name))).all()
    staff_names = {n for row in names for n in row} - {""}
    pnr = who.personal_number
    for mail in smtp_server.received:
        raw = mail.as_string()
        text, html = _bodies(mail)
        seen = f"{mail['Subject']}\n{text}\n{html}"
        for secret in (*SECRETS, pnr, pnr[2:], f"{pnr[2:8]}-{pnr[8:]}"):
            assert secret not in seen and secret not in raw, (secret, mail["Subject"])
        if mail["To"] == "tolvan@example.se":  # a citizen notice: the fixed text, nothing else
            assert text.split("\n\n")[0] in (CITIZEN_NEW_MESSAGE_TEXT, CITIZEN_REMINDER_TEXT)
            assert clinic.unit_id not in raw and "Vårdcentralen" not in seen
            assert case["reference"] not in seen
            assert not any(n in seen for n in staff_names)
        else:  # a staff notice may name the unit and the case reference
            assert case["reference"] in mail["Subject"] and "Vårdcentralen" in text
    assert {r["json"]["text"] for r in sms_gateway.requests} == {
        CITIZEN_NEW_MESSAGE_TEXT,
        CITIZEN_REMINDER_TEXT,
    }
    assert {r["json"]["to"] for r in sms_gateway.requests} == {"+46701234567"}
    citizen_rows = (await conn.execute(select(outbox.c.template).where(outbox.c.channel == "sms"))).scalars()
    assert set(citizen_rows) == CITIZEN_TEMPLATES
