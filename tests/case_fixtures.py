"""Direct SQL builders for case tests: citizens, case types, groups and cases.

Tests of the staff side should not wait on (or depend on) the admin and citizen APIs, so these
insert rows straight into the tables. Each takes an AsyncConnection: in rolled-back tests pass
the `conn` fixture (the app's savepoints run inside it and see the rows); with real commits use
`async with committed_services.db.engine.begin() as c`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types, cases, citizens, group_members, groups
from tests.helpers import pnr

_seq = itertools.count(1)

FORM = [
    {"key": "medicine", "label": "Vilket läkemedel?", "type": "text", "required": True, "options": []},
    {"key": "pharmacy", "label": "Apotek", "type": "single_choice", "required": False, "options": ["A", "B"]},
]
ANSWER_TEMPLATES = [
    {"id": "5f0c7a52-1d1e-4c57-9d38-0c6a1d2b7e01", "title": "Förnyat", "body": "Ditt recept är förnyat."},
    {
        "id": "5f0c7a52-1d1e-4c57-9d38-0c6a1d2b7e02",
        "title": "Besök",
        "body": "Vi behöver träffa dig, boka en tid.",
    },
]


async def add_citizen(
    conn: AsyncConnection,
    personal_number: str | None = None,
    *,
    given_name: str = "Sven",
    family_name: str = "Svensson",
    email: str | None = None,
    notify_by_email: bool = False,
    protected_identity: bool = False,
) -> tuple[UUID, str]:
    number = personal_number or pnr()
    existing = (
        await conn.execute(select(citizens.c.id).where(citizens.c.personal_number == number))
    ).scalar()
    if existing is not None:
        return existing, number
    citizen_id = (
        await conn.execute(
            insert(citizens)
            .values(
                personal_number=number,
                given_name=given_name,
                family_name=family_name,
                email=email,
                notify_by_email=notify_by_email,
                protected_identity=protected_identity,
            )
            .returning(citizens.c.id)
        )
    ).scalar_one()
    return citizen_id, number


async def add_case_type(
    conn: AsyncConnection,
    unit_id: str | UUID,
    *,
    name: str = "Förnya recept",
    category: str | None = "prescription_renewal",
    answer_templates: list[dict[str, Any]] | None = None,
) -> UUID:
    value: UUID = (
        await conn.execute(
            insert(case_types)
            .values(
                unit_id=unit_id,
                name=name,
                category=category,
                terms_text="Vi svarar inom två arbetsdagar.",
                questions=FORM,
                answer_templates=ANSWER_TEMPLATES if answer_templates is None else answer_templates,
                status="active",
            )
            .returning(case_types.c.id)
        )
    ).scalar_one()
    return value


async def add_group(
    conn: AsyncConnection, unit_id: str | UUID, member_ids: list[str | UUID], name: str | None = None
) -> UUID:
    group_id: UUID = (
        await conn.execute(
            insert(groups).values(unit_id=unit_id, name=name or f"Grupp {next(_seq)}").returning(groups.c.id)
        )
    ).scalar_one()
    if member_ids:
        await conn.execute(insert(group_members), [{"group_id": group_id, "staff_id": m} for m in member_ids])
    return group_id


async def add_case(
    conn: AsyncConnection,
    unit_id: str | UUID,
    citizen_id: UUID,
    *,
    case_type_id: UUID | None = None,
    status: str = "new",
    assignee_staff_id: str | UUID | None = None,
    assignee_group_id: UUID | None = None,
    created_at: datetime | None = None,
    due_at: datetime | None = None,
    subject: str = "Förnya recept",
    answers: dict[str, Any] | None = None,
    closure: str | None = None,
) -> UUID:
    """A citizen case as if it had arrived at `created_at` (default: now), due two days later
    unless `due_at` says otherwise."""
    created = created_at or datetime.now(UTC)
    n = (await conn.execute(select(func.nextval("case_reference_seq")))).scalar_one()
    case_id: UUID = (
        await conn.execute(
            insert(cases)
            .values(
                unit_id=unit_id,
                citizen_id=citizen_id,
                case_type_id=case_type_id,
                reference=f"{created.year}-{n:07d}",
                status=status,
                origin="citizen",
                subject=subject,
                form=FORM,
                answers=answers if answers is not None else {"medicine": "Alvedon"},
                assignee_staff_id=assignee_staff_id,
                assignee_group_id=assignee_group_id,
                # Not the calendar's deadline: set-up data stays independent of the code under test.
                due_at=due_at or created + timedelta(days=2),
                closure=closure,
                closed_at=created + timedelta(hours=1) if status == "closed" else None,
                created_at=created,
                updated_at=created,
            )
            .returning(cases.c.id)
        )
    ).scalar_one()
    return case_id
