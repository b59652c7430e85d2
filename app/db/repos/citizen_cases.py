"""A citizen's own cases: create, list, read (marking staff messages read) and reply.

Every statement is scoped to the citizen (`cases.citizen_id`), so another citizen's case is
simply not found. Writes are single statements with data-modifying CTEs: creating a case is one
round trip for the case, its first message, its "created" event, the notifications and the
attachment links; a reply likewise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Date,
    Text,
    any_,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db.prepared import Prepared
from app.db.repos.citizen_units import Who
from app.db.tables import (
    attachments,
    case_events,
    case_types,
    cases,
    citizens,
    messages,
    outbox,
    staff,
    unit_role_assignments,
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
    """Those of `ids` this citizen uploaded that no message carries yet, as a JSON array."""
    return (
        select(func.coalesce(func.jsonb_agg(attachment_json(), type_=JSONB), literal([], JSONB), type_=JSONB))
        .where(
            _among(ids),
            attachments.c.uploaded_by_citizen_id == citizen_id,
            attachments.c.message_id.is_(None),
        )
        .scalar_subquery()
    )


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


def _notify(template: str, recipients: Any, payload: Any, dedup_prefix: Any) -> Any:
    addr = recipients.subquery("recipients")
    rows = select(
        literal("email"),
        addr.c.addr,
        literal(template),
        payload,
        dedup_prefix + addr.c.addr,
    ).where(addr.c.addr.isnot(None), addr.c.addr != "")
    cols = ["channel", "recipient", "template", "payload", "dedup_key"]
    return insert(outbox).from_select(cols, rows).on_conflict_do_nothing()


def notify(template: str, recipients: Any, case_id: UUID, unit_id: UUID, dedup: str) -> Any:
    """Outbox rows, one per distinct address; ids only, never case content."""
    payload = literal(_payload(case_id, unit_id), JSONB)
    return _notify(template, recipients, payload, literal(_dedup_prefix(template, dedup)))


def _payload(case_id: UUID, unit_id: UUID) -> dict[str, str]:
    return {"case_id": str(case_id), "unit_id": str(unit_id)}


def _dedup_prefix(template: str, dedup: str) -> str:
    return f"{template}:{dedup}:"


def staff_address() -> Any:
    return func.lower(func.coalesce(staff.c.notification_email, staff.c.email)).label("addr")


def new_case_recipients(unit_id: Any) -> Any:
    """The unit's notification addresses and receivers who asked for new-case e-mail."""
    ura = unit_role_assignments
    return union(
        select(func.lower(func.unnest(units.c.notification_emails)).label("addr")).where(
            units.c.id == unit_id
        ),
        select(staff_address())
        .join(ura, ura.c.staff_id == staff.c.id)
        .where(ura.c.unit_id == unit_id, ura.c.role == "case_receiver", staff.c.notify_on_new_case),
    )


def _link_attachments(citizen_id: Any, ids: list[UUID] | BindParameter[Any], message_id: Any) -> Any:
    return (
        update(attachments)
        .where(
            _among(ids),
            attachments.c.uploaded_by_citizen_id == citizen_id,
            attachments.c.message_id.is_(None),
        )
        .values(message_id=message_id)
        .returning(attachments.c.id)
        .cte("linked")
    )


def _with_message(
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
            linked = _link_attachments(citizen_id, attachment_ids, message_values["id"])
            ctes.append(linked)
            linked_count = select(func.count()).select_from(linked).scalar_subquery()
    stmt = (head if head is not None else select()).add_columns(linked_count.label("linked"))
    return stmt.add_cte(*ctes)


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


def _insert_case(with_message: bool, with_attachments: bool) -> Prepared:
    """The case, its first message, the "created" event and the unit's notifications as one
    statement, with `case_*` / `message_*` parameters; one compiled statement per shape."""
    case = {k: bindparam(f"case_{k}", type_=cases.c[k].type) for k in NEW_CASE_COLUMNS}
    case_id, unit_id = case["id"], case["unit_id"]
    ctes = [insert(cases).values(case).returning(cases.c.id).cte("new_case")]
    event = {"case_id": case_id, "action": "created", "actor_type": "citizen", "to_status": "new"}
    ctes.append(insert(case_events).values(event).returning(case_events.c.id).cte("created"))
    payload, prefix = bindparam("notify_payload", type_=JSONB), bindparam("notify_prefix", type_=Text)
    notifying = _notify("unit_new_case", new_case_recipients(unit_id), payload, prefix)
    ctes.append(notifying.returning(outbox.c.id).cte("notified"))
    message = None
    if with_message:
        message = {k: bindparam(f"message_{k}", type_=messages.c[k].type) for k in NEW_MESSAGE_COLUMNS}
    ids: list[UUID] | BindParameter[Any] = _ATTACHMENT_IDS if with_attachments else []
    return Prepared(_with_message(ctes, message, case["citizen_id"], ids))


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
    params["notify_payload"] = _payload(case_id, unit_id)
    params["notify_prefix"] = _dedup_prefix("unit_new_case", str(case_id))
    if message_row is not None:
        params.update({f"message_{k}": v for k, v in message_row.items()})
        params["attachment_ids"] = attachment_ids
    stmt = _INSERT_CASE[(message_row is not None, bool(message_row is not None and attachment_ids))]
    (linked,) = await stmt.rows(conn, **params)
    return int(linked[0])


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
    stmt = _with_message(ctes, message_row, citizen_id, attachment_ids, head)
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
