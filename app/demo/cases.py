"""Demo cases for `make run`: a realistic inbox at Vårdcentralen Norrmalm.

Cases in every status — new, assigned to a person and to a group, awaiting the citizen after a
counter-question, answered and closed without answer — some past their deadline. They are made
through the same services the API uses (so messages, signatures, case events, notifications and
the PDL log are what real use would leave), then moved back in time so the inbox has an age.
Idempotent: nothing is added when the unit already has cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.people import staff_id_by_hsa
from app.db.tables import cases, citizens
from app.demo.identities import STAFF
from app.domain.actors import CitizenActor, StaffActor
from app.domain.calendar import due_at
from app.domain.case import Assignee, MessageKind
from app.services import cases_citizen, cases_staff

KARIN, HANS, RITA, SARA = (f"SE2321000131-P00000000000{n}" for n in (1, 2, 3, 7))
TOLVAN, MAJA, OMAR, EVA = "191212121212", "199001012385", "198504123459", "197203034561"


@dataclass
class Step:
    """One staff or citizen action: who (HSA-id or personal number), what, and its text."""

    who: str
    action: str  # assign_staff | assign_group | partial | counter | answer | close | note | reply
    body: str = ""
    to: str | None = None  # an HSA-id for assign_staff


@dataclass
class Story:
    citizen: str
    case_type: str  # key in the ids from app.demo.catalog
    answers: dict[str, Any]
    message: str
    age: timedelta  # how long ago the case arrived
    steps: list[Step] = field(default_factory=list)


def _stories() -> list[Story]:
    d, h = timedelta(days=1), timedelta(hours=1)
    rx = "ct_prescription"
    return [
        Story(MAJA, rx, {"medicine": "Levaxin 50 mikrogram", "pharmacy": "Apotek"},
              "Hej! Mitt recept på Levaxin tar slut nästa vecka.", 2 * h),
        Story(OMAR, "ct_change_appointment",
              {"appointment_date": "2026-12-02", "action": "Boka om", "wishes": "Helst en förmiddag."},
              "Jag kan tyvärr inte komma på min tid.", 7 * d),  # new and overdue
        Story(TOLVAN, "ct_test_results", {"test": "Blodstatus", "question": "Vad betyder mitt Hb-värde?"},
              "", 26 * h, [Step(KARIN, "assign_staff", "Vi har tagit emot din fråga och återkommer.", HANS)]),
        Story(MAJA, "ct_test_results", {"test": "Sköldkörtelprov", "question": "Är värdena normala?"},
              "Provet togs förra veckan.", 5 * d, [Step(KARIN, "assign_group")]),  # overdue, group
        Story(OMAR, rx, {"medicine": "Omeprazol 20 mg"}, "Jag behöver förnya mitt recept.", 3 * d,
              [Step(KARIN, "assign_staff", to=HANS),
               Step(HANS, "counter", "Hej! Tar du Omeprazol varje dag eller vid behov?")]),
        Story(EVA, rx, {"medicine": "Sertralin 50 mg", "dosage": "En tablett på morgonen"}, "", 4 * d,
              [Step(KARIN, "assign_staff", to=SARA),
               Step(SARA, "counter", "Hej! Hur länge har du haft den här dosen?"),
               Step(EVA, "reply", "Sedan i våras, det fungerar bra.")]),  # back to assigned, overdue
        Story(TOLVAN, "ct_restricted", {"question": "Mitt blodsocker har varit högt på morgonen."},
              "", 8 * d, [Step(KARIN, "assign_staff", to=HANS),
                          Step(HANS, "note", "Stäm av med diabetesläkaren på torsdag.")]),  # overdue
        Story(MAJA, rx, {"medicine": "Alvedon 500 mg"}, "", 6 * d,
              [Step(RITA, "answer", "Hej!\nDitt recept är förnyat och kan hämtas ut på valfritt apotek.")]),
        Story(OMAR, "ct_test_results", {"test": "Urinprov", "question": "Har svaret kommit?"}, "", 10 * d,
              [Step(KARIN, "assign_staff", to=HANS),
               Step(HANS, "counter", "Hej! Vilket datum lämnade du provet?"),
               Step(OMAR, "reply", "Den 10 november."),
               Step(HANS, "answer", "Hej!\nDitt provsvar är normalt och föranleder ingen åtgärd.")]),
        Story(EVA, "ct_change_appointment", {"appointment_date": "2026-11-20", "action": "Avboka"}, "",
              12 * d, [Step(KARIN, "assign_staff", to=RITA),
                       Step(RITA, "close", "Tiden var redan avbokad per telefon.")]),
    ]  # fmt: skip


async def load(conn: AsyncConnection, ids: dict[str, Any]) -> dict[str, Any]:
    north: UUID = ids["north"]
    if (await conn.execute(select(exists().where(cases.c.unit_id == north)))).scalar():
        return {}
    staff = await _staff_actors(conn, north)
    people = await _citizen_actors(conn)
    made: list[UUID] = []
    for story in _stories():
        case_type_id = ids.get(story.case_type)
        if case_type_id is None:
            continue  # the catalog did not provide this case type
        created = await cases_citizen.create_case(
            conn,
            people[story.citizen],
            unit_id=north,
            case_type_id=case_type_id,
            answers=story.answers,
            message=story.message or None,
            attachment_ids=[],
        )
        case_id: UUID = created["id"]
        for step in story.steps:
            await _act(conn, step, north, case_id, staff, people, ids)
        await _age(conn, case_id, story.age)
        made.append(case_id)
    return {"demo_cases": made}


async def _act(
    conn: AsyncConnection,
    step: Step,
    north: UUID,
    case_id: UUID,
    staff: dict[str, StaffActor],
    people: dict[str, CitizenActor],
    ids: dict[str, Any],
) -> None:
    if step.action == "reply":
        await cases_citizen.reply(
            conn, people[step.who], case_id, body=step.body, answers=None, attachment_ids=[]
        )
        return
    actor = staff[step.who]
    if step.action in ("assign_staff", "assign_group"):
        target = (
            Assignee("staff", staff[step.to].staff_id) if step.to else Assignee("group", ids["group_nurses"])
        )
        await cases_staff.assign(conn, actor, north, case_id, target, step.body or None, None)
    elif step.action == "close":
        await cases_staff.close(conn, actor, north, case_id, step.body, None)
    elif step.action == "note":
        await cases_staff.add_note(conn, actor, north, case_id, step.body, None)
    else:
        kind = {"counter": MessageKind.COUNTER_QUESTION, "answer": MessageKind.ANSWER}[step.action]
        await cases_staff.send_message(
            conn, actor, north, case_id, kind=kind, body=step.body, attachment_ids=[],
            answer_template_id=None, if_match=None,
        )  # fmt: skip


async def _age(conn: AsyncConnection, case_id: UUID, age: timedelta) -> None:
    """Move a case and its thread back in time; the deadline follows the new arrival time."""
    arrived = (await conn.execute(select(cases.c.created_at).where(cases.c.id == case_id))).scalar_one()
    params = {"c": case_id, "age": age, "due": due_at(arrived - age)}
    await conn.execute(
        text(
            "UPDATE cases SET created_at = created_at - CAST(:age AS interval),"
            " updated_at = updated_at - CAST(:age AS interval),"
            " closed_at = closed_at - CAST(:age AS interval), due_at = :due WHERE id = :c"
        ),
        params,
    )
    for table in ("messages", "case_events", "case_notes"):
        await conn.execute(
            text(f"UPDATE {table} SET created_at = created_at - CAST(:age AS interval) WHERE case_id = :c"),  # noqa: S608
            {"c": case_id, "age": age},
        )
    await conn.execute(
        text(
            "UPDATE messages SET read_at = read_at - CAST(:age AS interval)"
            " WHERE case_id = :c AND read_at IS NOT NULL"
        ),
        {"c": case_id, "age": age},
    )


async def _staff_actors(conn: AsyncConnection, north: UUID) -> dict[str, StaffActor]:
    out = {}
    for s in STAFF:
        staff_id = await staff_id_by_hsa(conn, s.hsa_id)
        if staff_id is not None and "north" in s.roles:
            out[s.hsa_id] = StaffActor(staff_id, s.hsa_id, {north: frozenset(s.roles["north"])})
    return out


async def _citizen_actors(conn: AsyncConnection) -> dict[str, CitizenActor]:
    rows = await conn.execute(
        select(citizens.c.id, citizens.c.personal_number).where(
            citizens.c.personal_number.in_([TOLVAN, MAJA, OMAR, EVA])
        )
    )
    return {r.personal_number: CitizenActor(r.id, r.personal_number) for r in rows}
