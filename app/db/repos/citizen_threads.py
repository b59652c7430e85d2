"""A citizen's thread in their own case: reading it (marking clinic messages read), the status
history they see, and replying while the clinic awaits them (under the case's row lock)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.citizen_cases import attachment_json, run_with_message, usable_attachments
from app.db.repos.notifications import citizen_replied
from app.db.tables import (
    attachments,
    case_events,
    case_types,
    cases,
    citizens,
    message_attachments,
    messages,
    outbox,
)

ct = case_types


async def thread_marking_read(conn: AsyncConnection, citizen_id: UUID, case_id: UUID) -> list[dict[str, Any]]:
    """The citizen's own case's messages, oldest first; staff (and system) messages not yet read
    become read now, and the case's unread counter drops by as many, in the same statement. The
    case `version` is not bumped: reading changes nothing the staff act on."""
    own = select(cases.c.id).where(cases.c.id == case_id, cases.c.citizen_id == citizen_id)
    marked = (
        update(messages)
        .where(
            messages.c.case_id.in_(own),
            messages.c.author_type != "citizen",
            messages.c.read_at.is_(None),
        )
        .values(read_at=func.now())
        .returning(messages.c.id, messages.c.read_at)
        .cte("marked")
    )
    # Subtract what this statement marked rather than writing 0: a staff message committed while
    # this update waited for the row lock is not in `marked` and must stay counted.
    marked_count = select(func.count()).select_from(marked).scalar_subquery()
    reset = (
        update(cases)
        .where(cases.c.id == case_id, cases.c.citizen_id == citizen_id, cases.c.unread_by_citizen != 0)
        .values(unread_by_citizen=func.greatest(cases.c.unread_by_citizen - marked_count, 0))
        .returning(cases.c.id)
        .cte("reset")
    )
    files = (
        select(
            func.coalesce(
                # In upload order, as the staff side shows them.
                func.jsonb_agg(
                    aggregate_order_by(attachment_json(), attachments.c.created_at, attachments.c.id),
                    type_=JSONB,
                ),
                literal([], JSONB),
                type_=JSONB,
            )
        )
        .select_from(
            message_attachments.join(attachments, attachments.c.id == message_attachments.c.attachment_id)
        )
        .where(message_attachments.c.message_id == messages.c.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            messages.c.id,
            messages.c.kind,
            messages.c.body,
            messages.c.answers,
            messages.c.author_type,
            messages.c.author_display_name,
            messages.c.created_at,
            func.coalesce(marked.c.read_at, messages.c.read_at).label("read_at"),
            files.label("attachments"),
        )
        .select_from(messages.outerjoin(marked, marked.c.id == messages.c.id))
        .where(messages.c.case_id.in_(own))
        .order_by(messages.c.created_at, messages.c.id)
        .add_cte(reset)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def status_history(conn: AsyncConnection, citizen_id: UUID, case_id: UUID) -> list[dict[str, Any]]:
    """Events a citizen sees: creation and status changes; never who (staff) or internal detail."""
    e = case_events
    own = select(cases.c.id).where(cases.c.id == case_id, cases.c.citizen_id == citizen_id)
    stmt = (
        select(e.c.action, e.c.from_status, e.c.to_status, e.c.created_at)
        .where(
            e.c.case_id.in_(own),
            or_(e.c.action == "created", e.c.from_status.is_distinct_from(e.c.to_status)),
        )
        .order_by(e.c.id)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def lock_for_reply(
    conn: AsyncConnection, citizen_id: UUID, case_id: UUID, attachment_ids: list[UUID]
) -> dict[str, Any] | None:
    """The case's state under a row lock (concurrent replies queue here), with what validating a
    reply needs: the kind of the last clinic message, the form, the attachment rule.

    The lock is taken by a statement of its own: under READ COMMITTED a statement that waited
    for the lock re-reads only the locked row, so a clinic message committed meanwhile would be
    missing from a combined read. The read after it sees everything committed before the lock.
    """
    own = (cases.c.id == case_id) & (cases.c.citizen_id == citizen_id)
    if (await conn.execute(select(cases.c.id).where(own).with_for_update())).first() is None:
        return None
    last_clinic_kind = (
        select(messages.c.kind)
        .where(messages.c.case_id == cases.c.id, messages.c.author_type != "citizen")
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(
            cases.c.id,
            cases.c.unit_id,
            cases.c.citizen_id,
            cases.c.status,
            cases.c.origin,
            cases.c.form,
            cases.c.assignee_staff_id,
            cases.c.assignee_group_id,
            cases.c.version,
            func.coalesce(ct.c.citizen_attachments_allowed, False).label("citizen_attachments_allowed"),
            citizens.c.given_name,
            citizens.c.family_name,
            last_clinic_kind.label("last_clinic_kind"),
            # Wall-clock time after the lock, so the reply sorts after what it answers.
            func.clock_timestamp().label("now"),
            usable_attachments(citizen_id, attachment_ids).label("usable_attachments"),
        )
        .join(citizens, citizens.c.id == cases.c.citizen_id)
        .outerjoin(ct, ct.c.id == cases.c.case_type_id)
        .where(own)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def save_reply(
    conn: AsyncConnection,
    state: dict[str, Any],
    to_status: str,
    event: dict[str, Any],
    message_row: dict[str, Any],
    attachment_ids: list[UUID],
) -> tuple[int, int]:
    """New status + version, the message, the event and the assignee's notification in one
    statement. Returns (new version, attachments linked)."""
    case_id, unit_id = state["id"], state["unit_id"]
    bumped = (
        update(cases)
        .where(cases.c.id == case_id)
        .values(status=to_status, version=cases.c.version + 1, updated_at=func.now())
        .returning(cases.c.version)
        .cte("bumped")
    )
    ctes: list[Any] = [
        bumped,
        insert(case_events)
        .values(case_id=case_id, actor_type="citizen", **event)
        .returning(case_events.c.id)
        .cte("event"),
    ]
    if state["assignee_staff_id"] or state["assignee_group_id"]:
        notifying = citizen_replied(
            case_id, unit_id, state["assignee_staff_id"], state["assignee_group_id"], message_row["id"]
        )
        ctes.append(notifying.returning(outbox.c.id).cte("notified"))
    row = await run_with_message(
        conn, ctes, message_row, state["citizen_id"], attachment_ids, select(bumped.c.version)
    )
    return int(row.version), int(row.linked)
