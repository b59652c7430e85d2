"""Cases, messages, notes and case events: the writes both sides share.

Which cases a staff member reaches is case_reach.py's. A transition is persisted under the row
lock taken by `lock_for_staff` (SELECT ... FOR UPDATE), so concurrent transitions on one case
run one after another and none is lost; the UPDATE also checks the version it read, as a second
line of defence.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import String, and_, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import case_reach
from app.db.repos.events import emit_ctes, rows_for
from app.db.repos.names import full_name
from app.db.tables import (
    case_events,
    case_notes,
    case_participants,
    case_types,
    cases,
    citizens,
    groups,
    messages,
    staff,
    unit_role_assignments,
    units,
)
from app.domain.events import Event


async def lock_for_staff(
    conn: AsyncConnection, unit_id: UUID, case_id: UUID, staff_id: UUID
) -> dict[str, Any] | None:
    """The case's state, the citizen's contact facts and the actor's groups at the unit, with the
    case row locked until the transaction ends (callers check reach first: case_reach.reaches;
    the lock itself does not, so a claim that waited on a colleague's still finds the case)."""
    stmt = (
        select(
            cases.c.id,
            cases.c.reference,
            cases.c.status,
            cases.c.assignee_staff_id,
            cases.c.assignee_group_id,
            cases.c.version,
            cases.c.closure,
            cases.c.case_type_id,
            cases.c.citizen_id,
            citizens.c.personal_number,
            citizens.c.email,
            citizens.c.phone,
            citizens.c.notify_by_email,
            citizens.c.notify_by_sms,
            units.c.hsa_id.label("unit_hsa_id"),
            units.c.name.label("unit_name"),
            case_reach.their_groups_at(unit_id, staff_id).label("my_group_ids"),
        )
        .join(citizens, citizens.c.id == cases.c.citizen_id)
        .join(units, units.c.id == cases.c.unit_id)
        .where(cases.c.id == case_id, cases.c.unit_id == unit_id)
        .with_for_update(of=cases)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def save_transition(
    conn: AsyncConnection,
    case_id: UUID,
    *,
    read_version: int,
    status: str,
    assignee_staff_id: UUID | None,
    assignee_group_id: UUID | None,
    closure: str | None,
    unread_increment: int,
    action: str,
    from_status: str,
    actor_staff_id: UUID,
    detail: dict[str, Any],
    events: list[Event],
) -> int | None:
    """Write the aggregate's state (version + 1), its case event (who, when, from, to), the
    actor's participation, which keeps a handler's access after the case moves on, and the
    domain events of the change (with their webhook deliveries).

    One statement, so the case row lock is held for one round trip less per write. None (and
    nothing written) if the version moved meanwhile."""
    upd = (
        update(cases)
        .where(cases.c.id == case_id, cases.c.version == read_version)
        .values(
            status=status,
            assignee_staff_id=assignee_staff_id,
            assignee_group_id=assignee_group_id,
            closure=closure,
            closed_at=func.now() if status == "closed" else None,
            version=cases.c.version + 1,
            updated_at=func.now(),
            unread_by_citizen=cases.c.unread_by_citizen + unread_increment,
        )
        .returning(cases.c.id, cases.c.unit_id, cases.c.created_at, cases.c.version)
        .cte("upd")
    )
    event = insert(case_events).from_select(
        ["case_id", "action", "actor_type", "actor_staff_id", "from_status", "to_status", "detail"],
        select(
            upd.c.id,
            literal(action, String),
            literal("staff", String),
            literal(actor_staff_id, PgUUID(as_uuid=True)),
            literal(from_status, String),
            literal(status, String),
            literal(detail, JSONB),
        ),
    )
    took_part = (
        insert(case_participants)
        .from_select(
            # The case's copies for the handler's inbox branch (migration b8d2e6f1a4c9).
            ["case_id", "staff_id", "unit_id", "case_created_at"],
            select(upd.c.id, literal(actor_staff_id, PgUUID(as_uuid=True)), upd.c.unit_id, upd.c.created_at),
        )
        .on_conflict_do_nothing()
    )
    ctes = [event.cte("ev"), took_part.cte("part")]
    if events:
        ctes += emit_ctes(rows_for(events, upd.c.unit_id, upd.c.id, source=upd))
    stmt = select(upd.c.version).add_cte(*ctes)
    version: int | None = (await conn.execute(stmt)).scalar()
    return version


MESSAGE_COLS = (
    messages.c.id,
    messages.c.kind,
    messages.c.body,
    messages.c.author_type,
    messages.c.author_staff_id,
    messages.c.author_display_name,
    messages.c.author_staff_name,
    messages.c.created_at,
    messages.c.read_at,
)


async def insert_message(
    conn: AsyncConnection,
    case_id: UUID,
    *,
    kind: str,
    body: str,
    author_type: str,
    author_display_name: str,
    author_staff_id: UUID | None = None,
    author_staff_name: str | None = None,
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    stmt = (
        insert(messages)
        .values(
            case_id=case_id,
            kind=kind,
            body=body,
            answers=answers,
            author_type=author_type,
            author_staff_id=author_staff_id,
            author_display_name=author_display_name,
            author_staff_name=author_staff_name,
            # Not now(): several messages written in one transaction must keep their order.
            created_at=func.clock_timestamp(),
        )
        .returning(*MESSAGE_COLS)
    )
    return dict((await conn.execute(stmt)).one()._mapping)


async def insert_note(conn: AsyncConnection, case_id: UUID, staff_id: UUID, body: str) -> dict[str, Any]:
    stmt = (
        insert(case_notes)
        .values(case_id=case_id, author_staff_id=staff_id, body=body, created_at=func.clock_timestamp())
        .returning(
            case_notes.c.id,
            case_notes.c.body,
            case_notes.c.created_at,
            select(full_name(staff.c.given_name, staff.c.family_name))
            .where(staff.c.id == staff_id)
            .scalar_subquery()
            .label("author_name"),
        )
    )
    return dict((await conn.execute(stmt)).one()._mapping)


async def staff_author(conn: AsyncConnection, staff_id: UUID) -> dict[str, Any] | None:
    """What a staff message needs about its author: name, title and the citizen-facing settings."""
    row = (
        await conn.execute(
            select(
                staff.c.given_name,
                staff.c.family_name,
                staff.c.title,
                staff.c.protected_identity,
                staff.c.signature,
                staff.c.show_name_to_citizens,
            ).where(staff.c.id == staff_id)
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def answer_templates(conn: AsyncConnection, case_type_id: UUID) -> list[dict[str, Any]]:
    value = (
        await conn.execute(select(case_types.c.answer_templates).where(case_types.c.id == case_type_id))
    ).scalar()
    return list(value or [])


async def valid_assignee(conn: AsyncConnection, unit_id: UUID, kind: str, assignee_id: UUID) -> bool:
    """A staff assignee holds case_handler at the unit; a group assignee is one of the unit's."""
    if kind == "group":
        stmt = select(groups.c.id).where(groups.c.id == assignee_id, groups.c.unit_id == unit_id)
    else:
        u = unit_role_assignments
        stmt = select(u.c.id).where(
            and_(u.c.unit_id == unit_id, u.c.staff_id == assignee_id, u.c.role == "case_handler")
        )
    return (await conn.execute(stmt)).first() is not None
