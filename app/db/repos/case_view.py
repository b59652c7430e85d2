"""The full case for staff, in one statement, and the PDL event its view writes.

Both are compiled once (app/db/prepared.py): the case view is a hot path.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, case, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from app.db.prepared import NamedRow, Prepared
from app.db.repos import case_reach
from app.db.repos.case_reads import SUMMARY_COLS, summary_from
from app.db.repos.names import full_name
from app.db.tables import (
    attachments,
    audit_events,
    case_events,
    case_notes,
    cases,
    message_attachments,
    messages,
    staff,
    units,
)
from app.domain.audit import AuditAction
from app.domain.reach import CaseReach

# Messages, notes and events come as JSON arrays built by PostgreSQL, so the full case is one
# round trip. Keys and constants are written into the SQL (not sent as parameters).


def _object(**fields: Any) -> ColumnElement[Any]:
    pairs: list[Any] = []
    for key, value in fields.items():
        pairs += (literal_column(f"'{key}'"), value)
    return func.json_build_object(*pairs)


def _array(element: ColumnElement[Any], *order_by: Any) -> ColumnElement[Any]:
    """The elements as a JSON array in `order_by` order; [] (not NULL) when there are none."""
    return func.coalesce(func.json_agg(aggregate_order_by(element, *order_by)), literal_column("'[]'::json"))


def _utc(moment: Any) -> ColumnElement[Any]:
    """RFC 3339 in UTC: json_build_object would render a timestamp in the session's zone."""
    at_utc = moment.op("AT TIME ZONE")(literal_column("'UTC'"))
    return func.to_char(at_utc, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""))


m, a, n, e = messages.alias("m"), attachments.alias("a"), case_notes.alias("n"), case_events.alias("e")
ma = message_attachments.alias("ma")
note_author, event_actor = staff.alias("ns"), staff.alias("es")

_ATTACHMENTS = (
    select(
        _array(
            _object(id=a.c.id, filename=a.c.filename, content_type=a.c.content_type, size=a.c.size),
            a.c.created_at,
            a.c.id,
        )
    )
    # A file is shown on a message through message_attachments: an outbound send's files are
    # stored once and shown on every recipient's first message.
    .select_from(ma.join(a, a.c.id == ma.c.attachment_id))
    .where(ma.c.message_id == m.c.id)
    .scalar_subquery()
)
_MESSAGES = (
    select(
        _array(
            _object(
                id=m.c.id,
                kind=m.c.kind,
                body=m.c.body,
                answers=m.c.answers,
                author=_object(
                    type=m.c.author_type,
                    staff_id=m.c.author_staff_id,
                    display_name=func.coalesce(m.c.author_staff_name, m.c.author_display_name),
                    citizen_facing_name=m.c.author_display_name,
                ),
                created_at=_utc(m.c.created_at),
                read_at=_utc(m.c.read_at),
                attachments=_ATTACHMENTS,
            ),
            m.c.created_at,
            m.c.id,
        )
    )
    .where(m.c.case_id == cases.c.id)
    .scalar_subquery()
)
_NOTES = (
    select(
        _array(
            _object(
                id=n.c.id,
                body=n.c.body,
                author=_object(
                    staff_id=n.c.author_staff_id,
                    name=full_name(note_author.c.given_name, note_author.c.family_name),
                ),
                created_at=_utc(n.c.created_at),
            ),
            n.c.created_at,
            n.c.id,
        )
    )
    .select_from(n.join(note_author, note_author.c.id == n.c.author_staff_id))
    .where(n.c.case_id == cases.c.id)
    .scalar_subquery()
)
_EVENTS = (
    select(
        _array(
            _object(
                id=e.c.id,
                action=e.c.action,
                actor=_object(
                    type=e.c.actor_type,
                    staff_id=e.c.actor_staff_id,
                    name=case(
                        (event_actor.c.id.is_(None), None),
                        else_=full_name(event_actor.c.given_name, event_actor.c.family_name),
                    ),
                ),
                from_status=e.c.from_status,
                to_status=e.c.to_status,
                detail=e.c.detail,
                created_at=_utc(e.c.created_at),
            ),
            e.c.id,
        )
    )
    .select_from(e.outerjoin(event_actor, event_actor.c.id == e.c.actor_staff_id))
    .where(e.c.case_id == cases.c.id)
    .scalar_subquery()
)


def _detail(*reach: ColumnElement[bool]) -> Prepared:
    return Prepared(
        select(
            *SUMMARY_COLS,
            cases.c.form,
            cases.c.answers,
            units.c.hsa_id.label("unit_hsa_id"),
            _MESSAGES.label("messages"),
            _NOTES.label("notes"),
            _EVENTS.label("events"),
        )
        .select_from(summary_from().join(units, units.c.id == cases.c.unit_id))
        .where(cases.c.id == bindparam("case_id"), cases.c.unit_id == bindparam("unit_id"), *reach)
    )


# Two statements, not one with the reach as a parameter (`$sees_all OR reached(...)`): a
# prepared statement's generic plan cannot drop the reach's sub-plans for a receiver, so
# PostgreSQL would keep planning it afresh per execution; each of these has one plan for all
# values, kept on the connection.
_DETAIL_ALL = _detail()
_DETAIL_REACHED = _detail(case_reach.reached(bindparam("staff_id", type_=staff.c.id.type)))


async def detail(conn: AsyncConnection, unit_id: UUID, case_id: UUID, reach: CaseReach) -> NamedRow | None:
    """None when the case is not at the unit or out of reach (→ 404)."""
    if reach.sees_all:
        return await _DETAIL_ALL.named_row(conn, case_id=case_id, unit_id=unit_id)
    return await _DETAIL_REACHED.named_row(conn, case_id=case_id, unit_id=unit_id, staff_id=reach.staff_id)


# The PDL event of a case view, as audit.record writes it, compiled once (the case view is a
# hot path; audit.record builds its INSERT per call).
_CASE_READ_AUDIT = Prepared(
    insert(audit_events).values(
        staff_id=bindparam("staff_id"),
        staff_hsa_id=bindparam("staff_hsa_id"),
        unit_id=bindparam("unit_id"),
        unit_hsa_id=bindparam("unit_hsa_id"),
        action=AuditAction.CASE_READ.value,
        personal_number=bindparam("personal_number"),
        case_id=bindparam("case_id"),
        outcome="success",
        detail={},
    )
)


async def record_case_read(
    conn: AsyncConnection,
    *,
    staff_id: UUID,
    staff_hsa_id: str,
    unit_id: UUID,
    unit_hsa_id: str,
    personal_number: str | None,
    case_id: UUID,
) -> None:
    await _CASE_READ_AUDIT.rows(
        conn,
        staff_id=staff_id,
        staff_hsa_id=staff_hsa_id,
        unit_id=unit_id,
        unit_hsa_id=unit_hsa_id,
        personal_number=personal_number,
        case_id=case_id,
    )
