"""Which cases a staff member reaches (domain.md "Roles"; app/domain/reach.py): the inbox, the
case view, an attachment's download and the write path agree, case by case, for a receiver,
handlers, a group member and a former participant, under every inbox filter and on every page.

A receiver sees every case of the unit; anyone else reaches a case assigned to them, to one of
their groups, or that they took part in. A personal-number search (api.md, the inbox) shows
all that citizen's cases at the unit, whoever searches; the case itself stays out of reach.
The expected reach below is written out by hand, and the expected list of each filter follows
from the seeded facts, so no code under test is its own oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import message_attachments, messages
from tests.fixtures.attachments import PDF, upload
from tests.fixtures.cases import add_case, add_case_type, add_citizen, add_group
from tests.fixtures.clinic import API, Clinic, make_clinic

ACTORS = ("rec", "h", "member", "former", "colleague")
HANDLERS = ("h", "member", "former", "colleague")
NOW = datetime.now(UTC)
T0 = NOW - timedelta(days=30)
CUT = T0 + timedelta(hours=6, minutes=30)  # the updated_before / updated_after bound


@dataclass
class Seeded:
    id: UUID
    citizen: str  # personal number
    status: str
    assignee_staff: str | None
    assignee_group: UUID | None
    case_type: UUID
    category: str
    overdue: bool
    updated_at: datetime


@dataclass
class World:
    clinic: Clinic
    cases: dict[str, Seeded]  # the unit's cases by name
    elsewhere: UUID  # another unit's case, assigned to "h"
    reach: dict[str, set[str]]  # actor → names of the cases they reach
    g1: UUID
    g2: UUID
    pnr_a: str
    pnr_b: str
    file: UUID  # one attachment, shown on a message of every case (elsewhere's too)


async def _show_file(conn: AsyncConnection, case_id: UUID, file: UUID) -> None:
    """A citizen's message on the case carrying `file` (as an outbound send's file is shown on
    many cases' messages), written directly: the case's own facts stay as seeded."""
    message_id = (
        await conn.execute(
            insert(messages)
            .values(
                case_id=case_id,
                kind="citizen",
                body="Bilaga.",
                author_type="citizen",
                author_display_name="Sven Svensson",
            )
            .returning(messages.c.id)
        )
    ).scalar_one()
    await conn.execute(insert(message_attachments).values(message_id=message_id, attachment_id=file))


async def _seed(client: httpx.AsyncClient, conn: AsyncConnection) -> World:
    clinic = await make_clinic(
        client,
        {
            "rec": ["case_receiver"],
            "h": ["case_handler"],
            "member": ["case_handler"],
            "former": ["case_handler"],
            "colleague": ["case_handler"],
        },
    )
    u = clinic.unit_id
    sid = {who: clinic[who].staff_id for who in ACTORS}
    g1 = await add_group(conn, u, [sid["h"], sid["member"]])
    g2 = await add_group(conn, u, [sid["colleague"]])
    recipe = await add_case_type(conn, u, name="Förnya recept", category="prescription_renewal")
    booking = await add_case_type(conn, u, name="Boka tid", category="book_appointment")
    category = {recipe: "prescription_renewal", booking: "book_appointment"}
    a, pnr_a = await add_citizen(conn)
    b, pnr_b = await add_citizen(conn)
    citizens = {a: pnr_a, b: pnr_b}

    cases: dict[str, Seeded] = {}

    async def case(
        name: str,
        *,
        citizen: UUID = a,
        status: str = "assigned",
        staff: str | None = None,
        group: UUID | None = None,
        case_type: UUID = recipe,
        overdue: bool = False,
        took_part: tuple[str, ...] = (),
    ) -> None:
        created = T0 + timedelta(hours=len(cases))
        case_id = await add_case(
            conn,
            u,
            citizen,
            case_type_id=case_type,
            status=status,
            assignee_staff_id=sid[staff] if staff else None,
            assignee_group_id=group,
            created_at=created,
            due_at=NOW - timedelta(days=1) if overdue else NOW + timedelta(days=3),
            closure="answered" if status == "closed" else None,
        )
        for who in took_part:
            await conn.execute(
                text("INSERT INTO case_participants (case_id, staff_id) VALUES (:c, :s)"),
                {"c": case_id, "s": UUID(sid[who])},
            )
        cases[name] = Seeded(
            case_id,
            citizens[citizen],
            status,
            sid[staff] if staff else None,
            group,
            case_type,
            category[case_type],
            overdue and status != "closed",
            created,
        )

    await case("new", status="new", overdue=True)
    await case("to_h", staff="h", case_type=booking)
    await case("to_g1", group=g1)
    await case("to_g2", group=g2, case_type=booking, overdue=True)
    await case("to_colleague", staff="colleague", overdue=True)
    await case("awaiting_g1", status="awaiting_citizen", group=g1, case_type=booking, overdue=True)
    await case("closed_h", status="closed", staff="h", took_part=("h",), overdue=True)
    await case("closed_colleague", status="closed", staff="colleague", case_type=booking)
    await case("b_to_colleague", citizen=b, staff="colleague")
    await case("b_new", citizen=b, status="new", case_type=booking)
    await case("b_to_g1", citizen=b, status="awaiting_citizen", group=g1)
    # Taken part in, then reassigned away: distributed to "former", who writes a note (taking
    # part) and hands the case on to a colleague, through the API as it happens in use.
    await case("handed_on", status="new", case_type=booking)
    handed_on = cases["handed_on"]
    path = f"{API}/units/{u}/cases/{handed_on.id}"
    steps = [
        ("rec", "assignment", {"assignee": {"type": "staff", "id": sid["former"]}}),
        ("former", "notes", {"body": "Jag har ringt apoteket."}),
        ("former", "assignment", {"assignee": {"type": "staff", "id": sid["colleague"]}}),
    ]
    for who, action, body in steps:
        r = await client.post(f"{path}/{action}", headers=clinic[who].headers, json=body)
        assert r.status_code in (200, 201), r.text
    handed_on.status, handed_on.assignee_staff = "assigned", sid["colleague"]
    handed_on.updated_at = (
        await conn.execute(text("SELECT updated_at FROM cases WHERE id = :c"), {"c": handed_on.id})
    ).scalar_one()

    other = await make_clinic(client, {"rec": ["case_receiver"]})
    elsewhere = await add_case(conn, other.unit_id, a, status="assigned", assignee_staff_id=sid["h"])
    uploaded = await upload(client, f"/units/{u}/attachments", clinic["rec"].headers, PDF)
    assert uploaded.status_code == 201, uploaded.text
    file = UUID(uploaded.json()["id"])
    for case_id in [*(c.id for c in cases.values()), elsewhere]:
        await _show_file(conn, case_id, file)

    reach = {
        "rec": set(cases),
        "h": {"to_h", "to_g1", "awaiting_g1", "closed_h", "b_to_g1"},
        "member": {"to_g1", "awaiting_g1", "b_to_g1"},
        "former": {"handed_on"},
        "colleague": {"to_g2", "to_colleague", "closed_colleague", "b_to_colleague", "handed_on"},
    }
    return World(clinic, cases, elsewhere, reach, g1, g2, pnr_a, pnr_b, file)


def _filters(w: World) -> list[dict[str, str]]:
    sid = {who: w.clinic[who].staff_id or "" for who in ACTORS}
    types = sorted({str(c.case_type) for c in w.cases.values()})
    return [
        {},
        *({"status": s} for s in ("new", "assigned", "awaiting_citizen", "closed")),
        {"assignee": "me"},
        {"assignee": sid["h"]},
        {"assignee": sid["colleague"]},
        {"assignee": f"group:{w.g1}"},
        {"assignee": f"group:{w.g2}"},
        *({"case_type_id": t} for t in types),
        {"category": "prescription_renewal"},
        {"category": "book_appointment"},
        {"overdue": "true"},
        {"updated_before": CUT.isoformat()},
        {"updated_after": CUT.isoformat()},
        {"status": "assigned", "overdue": "true"},
        {"personal_number": w.pnr_a},
        {"personal_number": w.pnr_b},
    ]


def _matches(c: Seeded, f: dict[str, str], me: str) -> bool:
    """What each filter means (api.md, the inbox), on the seeded facts."""
    checks = {
        "status": lambda v: c.status == v,
        "assignee": lambda v: (
            c.assignee_staff == me
            if v == "me"
            else str(c.assignee_group) == v.removeprefix("group:")
            if v.startswith("group:")
            else c.assignee_staff == v
        ),
        "case_type_id": lambda v: str(c.case_type) == v,
        "category": lambda v: c.category == v,
        "overdue": lambda v: c.overdue,
        "updated_before": lambda v: c.updated_at < datetime.fromisoformat(v),
        "updated_after": lambda v: c.updated_at > datetime.fromisoformat(v),
        "personal_number": lambda v: c.citizen == v,
    }
    return all(checks[k](v) for k, v in f.items())


async def _inbox(client: httpx.AsyncClient, w: World, who: str, f: dict[str, str]) -> list[str]:
    """Every page of the actor's inbox under the filter (small pages, so the keyset shapes of
    the statement are exercised too)."""
    seen: list[str] = []
    params: dict[str, Any] = {**f, "limit": 3}
    while True:
        r = await client.get(
            f"{API}/units/{w.clinic.unit_id}/cases", headers=w.clinic[who].headers, params=params
        )
        assert r.status_code == 200, (who, f, r.text)
        seen += [item["id"] for item in r.json()["items"]]
        if not r.json()["next_cursor"]:
            return seen
        params["cursor"] = r.json()["next_cursor"]


async def _attempt(
    client: httpx.AsyncClient, conn: AsyncConnection, path: str, headers: dict[str, str], body: Any
) -> int:
    """A write's status, undone afterwards: a note would make the writer a participant."""
    savepoint = await conn.begin_nested()
    try:
        return (await client.post(path, headers=headers, json=body)).status_code
    finally:
        await savepoint.rollback()


async def test_inbox_view_and_writes_agree_on_every_case_for_every_actor(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    w = await _seed(client, conn)
    name_of = {str(c.id): name for name, c in w.cases.items()}
    assert set(w.reach["rec"]) == set(w.cases)  # a receiver reaches all of the unit's cases

    for who in ACTORS:
        me = w.clinic[who].staff_id or ""
        for f in _filters(w):
            searching = "personal_number" in f
            expected = sorted(
                name
                for name, c in w.cases.items()
                if _matches(c, f, me) and (searching or name in w.reach[who])
            )
            listed = await _inbox(client, w, who, f)
            assert sorted(name_of.get(i, f"elsewhere:{i}") for i in listed) == expected, (who, f)

        unit = f"{API}/units/{w.clinic.unit_id}/cases"
        headers = w.clinic[who].headers
        for name, c in [*w.cases.items(), ("elsewhere", None)]:
            case_id = c.id if c else w.elsewhere
            reached = name in w.reach[who]
            view = (await client.get(f"{unit}/{case_id}", headers=headers)).status_code
            assert (view == 200) == reached and view in (200, 404), (who, name, view)
            file = await client.get(f"{unit}/{case_id}/attachments/{w.file}", headers=headers)
            assert (file.status_code == 200) == reached and file.status_code in (200, 404), (who, name)
            assert not reached or file.content == PDF, (who, name)
            note = await _attempt(client, conn, f"{unit}/{case_id}/notes", headers, {"body": "Notering."})
            assert (note != 404) == reached, (who, name, note)
            if who in HANDLERS:
                claim = await _attempt(client, conn, f"{unit}/{case_id}/claim", headers, None)
                assert (claim != 404) == reached, (who, name, claim)
