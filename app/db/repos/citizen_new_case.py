"""Creating a citizen's case: the look-up and the single-statement insert, both prebuilt.

Case creation is a hot path: building these statements (the visibility expression, the insert
with its CTEs) per request was half of its CPU (bench/analysis.md), so they are compiled once
(app/db/prepared.py), one per shape, from the same helpers as the reply in citizen_cases.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ARRAY, BindParameter, Date, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.repos.citizen_cases import ct, usable_attachments, with_message
from app.db.repos.citizen_units import Who
from app.db.repos.notifications import dedup_prefix, new_case_recipients, notify_payload, notify_rows
from app.db.tables import attachments, case_events, cases, citizens, messages, outbox, units
from app.domain.notifications import Template

_ATTACHMENT_IDS = bindparam("attachment_ids", type_=ARRAY(attachments.c.id.type))


def _load_for_new_case() -> Prepared:
    # Who's facts as parameters: the visibility expression is built and compiled once.
    who = Who(
        cast(UUID, bindparam("citizen_id", type_=citizens.c.id.type)),
        cast(str, bindparam("personal_number", type_=citizens.c.personal_number.type)),
        cast(date, bindparam("today", type_=Date)),
    )
    return Prepared(
        select(
            units.c.name.label("unit_name"),
            ct.c.name.label("case_type_name"),
            ct.c.questions,
            ct.c.citizen_attachments_allowed,
            citizens.c.given_name,
            citizens.c.family_name,
            func.now().label("now"),
            func.nextval("case_reference_seq").label("reference_number"),
            usable_attachments(who.citizen_id, _ATTACHMENT_IDS).label("usable_attachments"),
        )
        .select_from(
            ct.join(units, units.c.id == ct.c.unit_id).join(citizens, citizens.c.id == who.citizen_id)
        )
        .where(
            ct.c.id == bindparam("case_type_id"), ct.c.unit_id == bindparam("unit_id"), who.open_case_type()
        )
    )


_LOAD_FOR_NEW_CASE = _load_for_new_case()


async def load_for_new_case(
    conn: AsyncConnection, who: Who, unit_id: UUID, case_type_id: UUID, attachment_ids: list[UUID]
) -> dict[str, Any] | None:
    """Everything creating a case needs, in one round trip; None when the case type is not open
    to the citizen at that unit. A reference number is drawn only when a row is returned."""
    return await _LOAD_FOR_NEW_CASE.mapping(
        conn,
        citizen_id=who.citizen_id,
        personal_number=who.personal_number,
        today=who.today,
        case_type_id=case_type_id,
        unit_id=unit_id,
        attachment_ids=attachment_ids,
    )


# The columns of a new case and of its first message, as the service fills them.
NEW_CASE_COLUMNS = (
    "id",
    "unit_id",
    "citizen_id",
    "case_type_id",
    "reference",
    "status",
    "origin",
    "subject",
    "form",
    "answers",
    "due_at",
    "created_at",
    "updated_at",
)
NEW_MESSAGE_COLUMNS = ("id", "case_id", "kind", "body", "author_type", "author_display_name", "created_at")


def _insert_case(has_message: bool, has_attachments: bool) -> Prepared:
    """The case, its first message, the "created" event and the unit's notifications as one
    statement, with `case_*` / `message_*` parameters; one compiled statement per shape."""
    case = {k: bindparam(f"case_{k}", type_=cases.c[k].type) for k in NEW_CASE_COLUMNS}
    case_id, unit_id = case["id"], case["unit_id"]
    ctes = [insert(cases).values(case).returning(cases.c.id).cte("new_case")]
    event = {"case_id": case_id, "action": "created", "actor_type": "citizen", "to_status": "new"}
    ctes.append(insert(case_events).values(event).returning(case_events.c.id).cte("created"))
    payload, prefix = bindparam("notify_payload", type_=JSONB), bindparam("notify_prefix", type_=Text)
    notifying = notify_rows(Template.UNIT_NEW_CASE, new_case_recipients(unit_id), payload, prefix)
    ctes.append(notifying.returning(outbox.c.id).cte("notified"))
    message = None
    if has_message:
        message = {k: bindparam(f"message_{k}", type_=messages.c[k].type) for k in NEW_MESSAGE_COLUMNS}
    ids: list[UUID] | BindParameter[Any] = _ATTACHMENT_IDS if has_attachments else []
    return Prepared(with_message(ctes, message, case["citizen_id"], ids))


_INSERT_CASE = {shape: _insert_case(*shape) for shape in ((False, False), (True, False), (True, True))}


async def insert_case(
    conn: AsyncConnection,
    case_row: dict[str, Any],
    message_row: dict[str, Any] | None,
    attachment_ids: list[UUID],
) -> int:
    """The case, its first message, the "created" event and the unit's notifications, in one
    statement. Returns how many attachments were linked (the caller checks all were)."""
    if case_row.keys() != set(NEW_CASE_COLUMNS) or (
        message_row is not None and message_row.keys() != set(NEW_MESSAGE_COLUMNS)
    ):
        raise ValueError("a new case or message with other columns than the prebuilt statement's")
    case_id, unit_id = case_row["id"], case_row["unit_id"]
    params = {f"case_{k}": v for k, v in case_row.items()}
    params["notify_payload"] = notify_payload(case_id, unit_id)
    params["notify_prefix"] = dedup_prefix(Template.UNIT_NEW_CASE, str(case_id))
    if message_row is not None:
        params.update({f"message_{k}": v for k, v in message_row.items()})
        params["attachment_ids"] = attachment_ids
    stmt = _INSERT_CASE[(message_row is not None, bool(message_row is not None and attachment_ids))]
    (linked,) = await stmt.rows(conn, **params)
    return int(linked[0])
