"""A citizen's own cases: create, list, read (marking staff messages read) and reply.

Every statement is scoped to the citizen (`cases.citizen_id`), so another citizen's case is
simply not found. Writes are single statements with data-modifying CTEs: creating a case is one
round trip for the case, its first message, its "created" event, the notifications and the
attachment links (citizen_new_case.py, prebuilt from the helpers here); a reply likewise. Who
is notified is decided in notifications.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    any_,
    func,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db.repos.attachments import fresh
from app.db.tables import (
    attachments,
    case_types,
    cases,
    message_attachments,
    messages,
    units,
)

ct = case_types


def attachment_json() -> Any:
    """What a citizen sees of a file: never who uploaded it or its content."""
    a = attachments.c
    return func.jsonb_build_object(
        "id", a.id, "filename", a.filename, "content_type", a.content_type, "size", a.size
    )


def _among(ids: list[UUID] | BindParameter[Any]) -> ColumnElement[bool]:
    """`attachments.id` among `ids`: a list of values, or an array parameter of a prebuilt
    statement (`= ANY(...)`, so the SQL does not depend on how many there are)."""
    if isinstance(ids, BindParameter):
        return attachments.c.id == any_(ids)
    return attachments.c.id.in_(ids)


def usable_attachments(citizen_id: Any, ids: list[UUID] | BindParameter[Any]) -> Any:
    """Those of `ids` this citizen uploaded that are unused and unexpired, as a JSON array."""
    return (
        select(func.coalesce(func.jsonb_agg(attachment_json(), type_=JSONB), literal([], JSONB), type_=JSONB))
        .where(_among(ids), attachments.c.uploaded_by_citizen_id == citizen_id, fresh())
        .scalar_subquery()
    )


def _link_attachments(
    citizen_id: Any, ids: list[UUID] | BindParameter[Any], message_id: Any
) -> tuple[Any, Any]:
    """The usable ones of `ids` marked used (the `linked` CTE, one row each) and shown on the
    message (message_attachments)."""
    linked = (
        update(attachments)
        .where(_among(ids), attachments.c.uploaded_by_citizen_id == citizen_id, fresh())
        .values(attached_at=func.now())
        .returning(attachments.c.id)
        .cte("linked")
    )
    if not isinstance(message_id, BindParameter):
        message_id = literal(message_id, messages.c.id.type)
    shown = insert(message_attachments).from_select(
        ["message_id", "attachment_id"], select(message_id, linked.c.id)
    )
    return linked, shown.cte("shown")


def with_message(
    ctes: list[Any],
    message_values: dict[str, Any] | None,
    citizen_id: Any,
    attachment_ids: list[UUID] | BindParameter[Any],
    head: Select[Any] | None = None,
) -> Select[Any]:
    """One statement: the CTEs, the message and its attachment links; the columns of `head`
    plus `linked`, the number of attachments linked."""
    linked_count: Any = literal(0)
    if message_values is not None:
        new_message = insert(messages).values(message_values).returning(messages.c.id).cte("new_message")
        ctes.append(new_message)
        if isinstance(attachment_ids, BindParameter) or attachment_ids:
            linked, shown = _link_attachments(citizen_id, attachment_ids, message_values["id"])
            ctes += [linked, shown]
            linked_count = select(func.count()).select_from(linked).scalar_subquery()
    stmt = (head if head is not None else select()).add_columns(linked_count.label("linked"))
    return stmt.add_cte(*ctes)


async def run_with_message(
    conn: AsyncConnection,
    ctes: list[Any],
    message_row: dict[str, Any] | None,
    citizen_id: UUID,
    attachment_ids: list[UUID],
    head: Select[Any] | None = None,
) -> Any:
    """One statement: the CTEs, the message and its attachment links; the row of `head` plus
    `linked`, the number of attachments linked."""
    stmt = with_message(ctes, message_row, citizen_id, attachment_ids, head)
    return (await conn.execute(stmt)).one()


CASE_SUMMARY_COLS = (
    cases.c.id,
    cases.c.reference,
    cases.c.unit_id,
    units.c.name.label("unit_name"),
    cases.c.case_type_id,
    ct.c.name.label("case_type_name"),
    cases.c.subject,
    cases.c.status,
    cases.c.created_at,
    cases.c.updated_at,
    cases.c.unread_by_citizen.label("unread_count"),
)


def _own(citizen_id: UUID) -> Select[Any]:
    return (
        select(*CASE_SUMMARY_COLS)
        .join(units, units.c.id == cases.c.unit_id)
        .outerjoin(ct, ct.c.id == cases.c.case_type_id)
        .where(cases.c.citizen_id == citizen_id)
    )


async def list_cases(
    conn: AsyncConnection, citizen_id: UUID, limit: int, before: tuple[datetime, UUID] | None
) -> list[dict[str, Any]]:
    """Newest first, keyset on (created_at, id): one statement whatever the page size."""
    stmt = _own(citizen_id).order_by(cases.c.created_at.desc(), cases.c.id.desc()).limit(limit + 1)
    if before:
        stmt = stmt.where(tuple_(cases.c.created_at, cases.c.id) < tuple_(*before))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def get_case(conn: AsyncConnection, citizen_id: UUID, case_id: UUID) -> dict[str, Any] | None:
    stmt = (
        _own(citizen_id)
        .add_columns(
            cases.c.origin,
            cases.c.form,
            cases.c.answers,
            cases.c.due_at,
            cases.c.closed_at,
            cases.c.closure,
            cases.c.version,
        )
        .where(cases.c.id == case_id)
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None
