"""Attachments: uploads, their use by one message or one outbound send, downloads, the purge.

An upload is usable by the person who uploaded it (staff: at the unit they uploaded it to)
while it is unused (`attached_at IS NULL`) and younger than UNATTACHED_TTL. Using it is a
conditional UPDATE on exactly that condition, so of two requests naming the same id the one
that comes second waits for the first's row lock, re-reads the row, and finds it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Interval,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import case_reach
from app.db.tables import (
    attachments,
    cases,
    citizens,
    message_attachments,
    messages,
    units,
)
from app.domain.attachments import UNATTACHED_TTL
from app.domain.reach import CaseReach
from app.storage.ports import StoredBlob

a = attachments.c
# What a message shows of a file (both sides): never who uploaded it or where it is stored.
REF_COLS = (a.id, a.filename, a.content_type, a.size)
_LOCK_CLASS = 7411  # the first key of the per-uploader advisory lock: attachments' own space


def fresh() -> ColumnElement[bool]:
    """Unused and not expired."""
    return and_(a.attached_at.is_(None), a.created_at > func.now() - literal(UNATTACHED_TTL, Interval))


@dataclass(frozen=True, slots=True)
class Owner:
    """Who uploads: a citizen, or a staff member at a unit."""

    citizen_id: UUID | None = None
    staff_id: UUID | None = None
    unit_id: UUID | None = None

    @property
    def lock_key(self) -> str:
        return f"citizen:{self.citizen_id}" if self.citizen_id else f"staff:{self.staff_id}"

    def owns(self) -> ColumnElement[bool]:
        if self.citizen_id is not None:
            return a.uploaded_by_citizen_id == self.citizen_id
        return and_(a.uploaded_by_staff_id == self.staff_id, a.unit_id == self.unit_id)

    def holds(self) -> ColumnElement[bool]:
        """Every upload this person holds unused (at any unit: the quota is per person)."""
        if self.citizen_id is not None:
            return a.uploaded_by_citizen_id == self.citizen_id
        return a.uploaded_by_staff_id == self.staff_id


async def lock_uploader(conn: AsyncConnection, owner: Owner) -> None:
    """Serialise one person's uploads until the transaction ends, so two concurrent uploads at
    the quota's edge cannot both count 19."""
    await conn.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, func.hashtext(owner.lock_key))))


async def unused(conn: AsyncConnection, owner: Owner) -> tuple[int, datetime | None, datetime]:
    """(how many fresh unused uploads the person holds, the oldest one's time, now)."""
    # The clock, not now(): uploads are stamped with clock_timestamp() (upload order).
    stmt = select(func.count(), func.min(a.created_at), func.clock_timestamp()).where(owner.holds(), fresh())
    count, oldest, now = (await conn.execute(stmt)).one()
    return int(count), oldest, now


async def insert_upload(
    conn: AsyncConnection, owner: Owner, filename: str, content_type: str, blob: StoredBlob
) -> dict[str, Any]:
    stmt = (
        insert(attachments)
        .values(
            unit_id=owner.unit_id,
            uploaded_by_staff_id=owner.staff_id,
            uploaded_by_citizen_id=owner.citizen_id,
            filename=filename,
            content_type=content_type,
            size=blob.size,
            sha256=blob.sha256,
            storage_key=blob.key,
            # Not now(): messages list their files in upload order, also for uploads made in
            # one transaction.
            created_at=func.clock_timestamp(),
        )
        .returning(*REF_COLS, a.sha256)
    )
    return dict((await conn.execute(stmt)).one()._mapping)


def _claim(owner: Owner, ids: list[UUID], outbound_id: UUID | None = None) -> Any:
    return (
        update(attachments)
        .where(a.id.in_(ids), owner.owns(), fresh())
        .values(attached_at=func.now(), outbound_id=outbound_id)
        .returning(*REF_COLS, a.created_at)
        .cte("claimed")
    )


def _refs(claimed: Any) -> Any:
    return select(claimed.c.id, claimed.c.filename, claimed.c.content_type, claimed.c.size).order_by(
        claimed.c.created_at, claimed.c.id
    )


async def claim_for_message(
    conn: AsyncConnection, owner: Owner, ids: list[UUID], message_id: UUID
) -> list[dict[str, Any]]:
    """Mark the usable ones of `ids` used and show them on the message, in one statement.
    Returns those claimed (the caller refuses the request unless that is all of them)."""
    claimed = _claim(owner, ids)
    link = insert(message_attachments).from_select(
        ["message_id", "attachment_id"], select(literal(message_id, messages.c.id.type), claimed.c.id)
    )
    stmt = _refs(claimed).add_cte(link.cte("linked"))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def claim_for_outbound(
    conn: AsyncConnection, owner: Owner, ids: list[UUID], outbound_id: UUID
) -> list[dict[str, Any]]:
    """Mark the usable ones of `ids` used by the outbound send and show them on the first
    message of each of its cases (`cases.outbound_id`), in one statement: stored once, shown
    to every recipient. Call it after the send's cases and first messages are written."""
    claimed = _claim(owner, ids, outbound_id)
    first_messages = (
        select(messages.c.id)
        .distinct(messages.c.case_id)
        .join(cases, cases.c.id == messages.c.case_id)
        .where(cases.c.outbound_id == outbound_id)
        .order_by(messages.c.case_id, messages.c.created_at, messages.c.id)
        .subquery("first_messages")
    )
    every_pair = select(first_messages.c.id, claimed.c.id).select_from(
        first_messages.join(claimed, true())  # each file on each first message
    )
    link = insert(message_attachments).from_select(["message_id", "attachment_id"], every_pair)
    stmt = _refs(claimed).add_cte(link.cte("linked"))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


_DOWNLOAD_COLS = (*REF_COLS, a.sha256, a.storage_key)


def _on_case(case_id: UUID, attachment_id: UUID) -> Any:
    """The attachment, if a message of the case shows it."""
    return (
        select(*_DOWNLOAD_COLS)
        .select_from(
            attachments.join(message_attachments, message_attachments.c.attachment_id == a.id)
            .join(messages, messages.c.id == message_attachments.c.message_id)
            .join(cases, cases.c.id == messages.c.case_id)
        )
        .where(a.id == attachment_id, cases.c.id == case_id)
        .limit(1)
    )


async def for_staff(
    conn: AsyncConnection, unit_id: UUID, case_id: UUID, attachment_id: UUID, reach: CaseReach
) -> dict[str, Any] | None:
    """The attachment on a case of the unit within the staff member's reach (the case view's
    condition, so download and view cannot disagree), with what its PDL event names."""
    stmt = (
        _on_case(case_id, attachment_id)
        .add_columns(citizens.c.personal_number, units.c.hsa_id.label("unit_hsa_id"))
        .join(citizens, citizens.c.id == cases.c.citizen_id)
        .join(units, units.c.id == cases.c.unit_id)
        .where(cases.c.unit_id == unit_id, case_reach.visible(reach.sees_all, reach.staff_id))
    )
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def for_citizen(
    conn: AsyncConnection, citizen_id: UUID, case_id: UUID, attachment_id: UUID
) -> dict[str, Any] | None:
    stmt = _on_case(case_id, attachment_id).where(cases.c.citizen_id == citizen_id)
    row = (await conn.execute(stmt)).one_or_none()
    return dict(row._mapping) if row else None


async def purge_batch(conn: AsyncConnection, limit: int) -> list[str]:
    """Delete up to `limit` uploads never used within UNATTACHED_TTL; their storage keys.
    SKIP LOCKED: a row a request is using right now is left for the next run."""
    stale = (
        select(a.id)
        .where(a.attached_at.is_(None), a.created_at <= func.now() - literal(UNATTACHED_TTL, Interval))
        .order_by(a.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = delete(attachments).where(a.id.in_(stale)).returning(a.storage_key)
    return [str(k) for k in (await conn.execute(stmt)).scalars().all()]
