"""Demo outbound sends for `make run`: one information send and one questions send at
Vårdcentralen Norrmalm, made by Hans through the same service the API uses.

- "Dags för influensavaccination" (free text, information) to Tolvan, Maja, Omar and Ingrid
  Äldre (194403152343), who has never logged in: she is created from the population register
  and finds the case at her first login. Each case is closed at once (`information_sent`).
- "Uppföljning efter besök" (the demo questions template) to Maja and Eva: awaiting their
  answers, assigned to Hans. Maja has answered (her case is back with Hans, `assigned`); Eva's
  still awaits her.

Idempotent: nothing is added when the unit already has a send.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.people import staff_id_by_hsa
from app.db.tables import citizens, outbound_sends
from app.domain.actors import CitizenActor, StaffActor
from app.identity.ports import RegisterPerson
from app.identity.stub import StubPopulationRegister
from app.services import cases_citizen, outbound
from app.services.rate_limits import RateLimits

HANS = "SE2321000131-P000000000002"
TOLVAN, MAJA, OMAR, EVA = "191212121212", "199001012385", "198504123459", "197203034561"
INGRID = "194403152343"  # not a demo login yet: only in the (stub) population register
VACCINATION_SUBJECT = "Dags för influensavaccination"
VACCINATION_BODY = "Hej!\nNu kan du boka tid för influensavaccination. Ring oss eller boka via 1177."


async def load(conn: AsyncConnection, ids: dict[str, Any], limits: RateLimits) -> dict[str, Any]:
    north: UUID = ids["north"]
    if (await conn.execute(select(exists().where(outbound_sends.c.unit_id == north)))).scalar():
        return {}
    hans_id = await staff_id_by_hsa(conn, HANS)
    if hans_id is None:
        return {}
    hans = StaffActor(hans_id, HANS, {north: frozenset({"case_handler"})})
    await StubPopulationRegister().record(conn, RegisterPerson(INGRID, "Ingrid", "Äldre", "14", False))
    information = await outbound.send(
        conn, hans, north, recipients=[TOLVAN, MAJA, OMAR, INGRID], template_id=None,
        subject=VACCINATION_SUBJECT, body=VACCINATION_BODY, kind="information", questions=None,
        attachment_ids=[], limits=limits,
    )  # fmt: skip
    follow_up = ids["message_templates"][1]  # "Uppföljning efter besök" (app/demo/unit_admin.py)
    questions = await outbound.send(
        conn, hans, north, recipients=[MAJA, EVA], template_id=follow_up,
        subject=None, body=None, kind=None, questions=None, attachment_ids=[], limits=limits,
    )  # fmt: skip
    maja = (await conn.execute(select(citizens.c.id).where(citizens.c.personal_number == MAJA))).scalar()
    if maja is not None:
        await cases_citizen.reply(
            conn,
            CitizenActor(maja, MAJA),
            questions["case_ids"][0],
            body="Tack, det känns mycket bättre nu.",
            answers={"feeling": "Bättre"},
            attachment_ids=[],
        )
    return {"demo_outbound": [information["id"], questions["id"]]}
