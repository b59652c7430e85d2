"""A unit's outbound sends as staff follow them up: when, by whom, from which template, and how
their cases stand now. No personal data (no recipient is named), so reading writes no PDL event.

The counts by case status come from one GROUP BY over the page's cases (`ix_cases_outbound_status`,
an index-only scan), in the same statement as the page: two hundred sends of 250 cases are still
one round trip.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db.tables import attachments, cases, outbound_sends, staff

s = outbound_sends


def _sends(unit_id: UUID) -> Select[Any]:
    return select(
        s.c.id,
        s.c.created_at,
        s.c.sender_staff_id,
        s.c.template_id,
        s.c.template_name,
        s.c.kind,
        s.c.subject,
        s.c.body,
        s.c.questions,
        s.c.recipient_count,
    ).where(s.c.unit_id == unit_id)


def _with_counts(page: Any, *extra: Any) -> Select[Any]:
    counts = (
        select(cases.c.outbound_id, cases.c.status, func.count().label("n"))
        .where(cases.c.outbound_id.in_(select(page.c.id)))
        .group_by(cases.c.outbound_id, cases.c.status)
        .subquery("counts")
    )
    per_send = (
        select(counts.c.outbound_id, func.jsonb_object_agg(counts.c.status, counts.c.n).label("by_status"))
        .group_by(counts.c.outbound_id)
        .subquery("per_send")
    )
    return (
        select(
            page,
            func.concat_ws(" ", staff.c.given_name, staff.c.family_name).label("sender_name"),
            func.coalesce(per_send.c.by_status, literal({}, JSONB)).label("status_counts"),
            *extra,
        )
        .select_from(
            page.join(staff, staff.c.id == page.c.sender_staff_id).outerjoin(
                per_send, per_send.c.outbound_id == page.c.id
            )
        )
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


async def list_sends(
    conn: AsyncConnection, unit_id: UUID, limit: int, before: tuple[datetime, UUID] | None
) -> list[dict[str, Any]]:
    """Newest first, keyset on (created_at, id) (`ix_outbound_sends_unit_created`); limit + 1."""
    stmt = _sends(unit_id).order_by(s.c.created_at.desc(), s.c.id.desc()).limit(limit + 1)
    if before is not None:
        stmt = stmt.where(tuple_(s.c.created_at, s.c.id) < tuple_(*before))
    rows = await conn.execute(_with_counts(stmt.cte("page")))
    return [dict(r._mapping) for r in rows]


async def get_send(conn: AsyncConnection, unit_id: UUID, send_id: UUID) -> dict[str, Any] | None:
    """One of the unit's sends, with the files sent with it; None when not the unit's."""
    page = _sends(unit_id).where(s.c.id == send_id).cte("page")
    a = attachments.c
    files = (
        select(
            func.coalesce(
                func.jsonb_agg(
                    aggregate_order_by(
                        func.jsonb_build_object(
                            "id", a.id, "filename", a.filename, "content_type", a.content_type, "size", a.size
                        ),
                        a.created_at,
                        a.id,
                    )
                ),
                literal([], JSONB),
            )
        )
        .where(a.outbound_id == page.c.id)
        .scalar_subquery()
    )
    row = (await conn.execute(_with_counts(page, files.label("attachments")))).one_or_none()
    return dict(row._mapping) if row else None
