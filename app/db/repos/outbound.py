"""An outbound send in a handful of set-based statements, all prebuilt (app/db/prepared.py):

1. `load_for_send`: the unit, the sender's citizen-facing settings, the template (when one is
   named, scoped to the unit), the transaction's time and one case reference number per
   recipient — one round trip;
2. `ensure_citizens`: recipients who never logged in become citizens from the population
   register, in one INSERT ... SELECT over the array of personal numbers;
3. `insert_send`: the send, every case, first message, case event, participation, PDL audit
   event and citizen notice (notifications.py's rule, set-based), as one statement of
   data-modifying CTEs over the recipient arrays;
4. (only with attachment ids) `app.services.attachments.attach_to_outbound`: the files, stored
   once, marked used by the send and shown on every case's first message.

Whatever the number of recipients, the statements and their SQL are the same: the recipients
travel as arrays (`unnest`), never as one statement or one VALUES row per recipient.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.repos import events
from app.db.repos.notifications import citizen_message_notices
from app.db.tables import (
    audit_events,
    case_events,
    case_participants,
    cases,
    citizens,
    messages,
    outbound_sends,
    outbox,
    register_entries,
    staff,
    units,
)
from app.db.tables import message_templates as mt
from app.domain.audit import AuditAction

_UUID = PgUUID(as_uuid=True)


def _array(name: str, item: Any) -> Any:
    # An explicit cast: unnest() is polymorphic, so PostgreSQL cannot infer a bare $n's type.
    return cast(bindparam(name, type_=ARRAY(item)), ARRAY(item))


def _load_for_send() -> Prepared:
    numbers = (
        select(func.array_agg(func.nextval("case_reference_seq")))
        .select_from(func.generate_series(1, bindparam("count", type_=Integer)))
        .scalar_subquery()
    )
    template = and_(mt.c.id == bindparam("template_id", type_=_UUID), mt.c.unit_id == units.c.id)
    return Prepared(
        select(
            units.c.name.label("unit_name"),
            units.c.hsa_id.label("unit_hsa_id"),
            staff.c.given_name,
            staff.c.family_name,
            staff.c.title,
            staff.c.protected_identity,
            staff.c.signature,
            staff.c.show_name_to_citizens,
            mt.c.id.label("template_id"),
            mt.c.name.label("template_name"),
            mt.c.kind.label("template_kind"),
            mt.c.subject.label("template_subject"),
            mt.c.body.label("template_body"),
            mt.c.questions.label("template_questions"),
            func.now().label("now"),
            numbers.label("reference_numbers"),
        )
        .select_from(
            units.join(staff, staff.c.id == bindparam("sender_id", type_=_UUID)).outerjoin(mt, template)
        )
        .where(units.c.id == bindparam("unit_id", type_=_UUID))
    )


_LOAD_FOR_SEND = _load_for_send()


async def load_for_send(
    conn: AsyncConnection, unit_id: UUID, sender_id: UUID, template_id: UUID | None, count: int
) -> dict[str, Any] | None:
    """The unit, sender and template (template columns null when there is none, or when the id
    is not one of this unit's templates), `now` and `count` fresh reference numbers."""
    return await _LOAD_FOR_SEND.mapping(
        conn, unit_id=unit_id, sender_id=sender_id, template_id=template_id, count=count
    )


def _ensure_citizens() -> Prepared:
    p = (
        func.unnest(_array("personal_numbers", String(12)))
        .table_valued(column("personal_number", String))
        .render_derived(name="p")
    )
    pnr, reg = p.c.personal_number, register_entries.c
    rows = (
        select(
            pnr,
            func.coalesce(reg.given_name, ""),
            func.coalesce(reg.family_name, ""),
            reg.county_code,
            func.coalesce(reg.protected_identity, False),
        )
        .select_from(p)
        # register_entries is the stub population register, the only adapter there is (config
        # allows only "stub"): a real register would feed the same arrays from its look-up.
        .outerjoin(register_entries, reg.personal_number == pnr)
        # In one order, so two sends creating the same new citizens cannot deadlock.
        .order_by(pnr)
    )
    cols = ["personal_number", "given_name", "family_name", "county_code", "protected_identity"]
    return Prepared(
        insert(citizens).from_select(cols, rows).on_conflict_do_nothing().returning(citizens.c.id)
    )


_ENSURE_CITIZENS = _ensure_citizens()


async def ensure_citizens(conn: AsyncConnection, personal_numbers: list[str]) -> int:
    """Recipients who never logged in become citizens now (name, county and protected identity
    where the register knows them); they find their cases at first login, which keeps the id.
    Returns how many were new."""
    return len(await _ENSURE_CITIZENS.rows(conn, personal_numbers=personal_numbers))


SEND_COLUMNS = (
    "id",
    "unit_id",
    "sender_staff_id",
    "template_id",
    "template_name",
    "kind",
    "subject",
    "body",
    "questions",
    "recipient_count",
    "created_at",
)
# Shared by every case of the send; the per-recipient values travel as arrays.
CASE_PARAMS: dict[str, Any] = {
    "status": cases.c.status.type,
    "closure": cases.c.closure.type,
    "form": cases.c.form.type,
    "assignee_staff_id": _UUID,
    "closed_at": cases.c.closed_at.type,
    "message_kind": messages.c.kind.type,
    "message_body": messages.c.body.type,
    "author_display_name": messages.c.author_display_name.type,
    "author_staff_name": messages.c.author_staff_name.type,
    "event_detail": JSONB,
    "sender_hsa_id": audit_events.c.staff_hsa_id.type,
    "unit_hsa_id": audit_events.c.unit_hsa_id.type,
}


def _insert_send() -> Prepared:
    p = {k: bindparam(k, type_=t) for k, t in CASE_PARAMS.items()}
    send = {k: bindparam(f"send_{k}", type_=outbound_sends.c[k].type) for k in SEND_COLUMNS}
    send_id, unit_id, sender_id, now = (
        send["id"],
        send["unit_id"],
        send["sender_staff_id"],
        send["created_at"],
    )
    personal_numbers = _array("personal_numbers", String(12))
    r = (
        func.unnest(
            _array("case_ids", _UUID),
            _array("message_ids", _UUID),
            _array("references", String(20)),
            personal_numbers,
        )
        .table_valued(
            column("case_id", _UUID),
            column("message_id", _UUID),
            column("reference", String),
            column("personal_number", String),
        )
        .render_derived(name="r")
    )
    # The recipients' citizens by their unique index (`= ANY`), not by joining the whole table
    # to the unnest()ed array: the planner cannot tell how long a parameter array is.
    c = citizens.c
    z = select(c.id, c.personal_number).where(c.personal_number == any_(personal_numbers)).subquery("z")
    recipients = (
        select(r, z.c.id.label("citizen_id"))
        .select_from(r.join(z, z.c.personal_number == r.c.personal_number))
        .cte("recipients")
    )
    rc = recipients.c
    # Who is told, and how, is notifications.py's rule for every staff message to a citizen.
    notices = citizen_message_notices(
        select().select_from(recipients.join(citizens, c.id == rc.citizen_id)), rc.case_id, rc.message_id
    )
    new_send = insert(outbound_sends).values(send).returning(outbound_sends.c.id).cte("new_send")
    case_rows = select(
        rc.case_id, unit_id, rc.citizen_id, rc.reference, p["status"], literal("outbound"), send["subject"],
        p["form"], p["assignee_staff_id"], p["closed_at"], p["closure"], literal(1), send_id, now, now,
    )  # fmt: skip
    case_cols = [
        "id", "unit_id", "citizen_id", "reference", "status", "origin", "subject", "form",
        "assignee_staff_id", "closed_at", "closure", "unread_by_citizen", "outbound_id", "created_at",
        "updated_at",
    ]  # fmt: skip
    new_cases = (
        insert(cases)
        .from_select(case_cols, case_rows)
        # What `outbound.sent` tells partners and the live inbox (events.outbound_sent_rows).
        .returning(cases.c.id, cases.c.unit_id, cases.c.reference, cases.c.status, cases.c.outbound_id)
        .cte("new_cases")
    )
    message_rows = select(
        rc.message_id, rc.case_id, p["message_kind"], p["message_body"], literal("staff"), sender_id,
        p["author_display_name"], p["author_staff_name"], now,
    )  # fmt: skip
    message_cols = [
        "id", "case_id", "kind", "body", "author_type", "author_staff_id", "author_display_name",
        "author_staff_name", "created_at",
    ]  # fmt: skip
    event_rows = select(
        rc.case_id, literal("created"), literal("staff"), sender_id, p["status"], p["event_detail"], now
    )
    event_cols = ["case_id", "action", "actor_type", "actor_staff_id", "to_status", "detail", "created_at"]
    audit_rows = select(
        p["sender_hsa_id"], sender_id, p["unit_hsa_id"], unit_id, rc.personal_number,
        literal(AuditAction.OUTBOUND_SENT.value), rc.case_id, p["event_detail"],
    )  # fmt: skip
    audit_cols = [
        "staff_hsa_id", "staff_id", "unit_hsa_id", "unit_id", "personal_number", "action", "case_id", "detail"
    ]  # fmt: skip
    ctes = [
        new_send,
        new_cases,
        insert(messages).from_select(message_cols, message_rows).returning(messages.c.id).cte("new_messages"),
        insert(case_events).from_select(event_cols, event_rows).returning(case_events.c.id).cte("events"),
        # The sender took part: a handler keeps reaching an information case closed at once.
        # The case's unit and creation time are passed: the participants' trigger cannot read
        # them from a case inserted by a sibling CTE (migration b8d2e6f1a4c9).
        insert(case_participants)
        .from_select(
            ["case_id", "staff_id", "unit_id", "case_created_at"], select(rc.case_id, sender_id, unit_id, now)
        )
        .returning(case_participants.c.case_id)
        .cte("took_part"),
        insert(audit_events).from_select(audit_cols, audit_rows).returning(audit_events.c.id).cte("audited"),
        notices.returning(outbox.c.id).cte("notified"),
        *events.emit_ctes(events.outbound_sent_rows(new_cases), name="sent_events"),
    ]
    return Prepared(select(func.count().label("created")).select_from(new_cases).add_cte(recipients, *ctes))


_INSERT_SEND = _insert_send()


async def insert_send(
    conn: AsyncConnection,
    send_row: dict[str, Any],
    shared: dict[str, Any],
    recipients: dict[str, list[Any]],
) -> int:
    """Everything a send creates, in one statement. `recipients` holds equally long arrays
    `case_ids`, `message_ids`, `references`, `personal_numbers`. Returns the number of cases
    created (the caller checks it is one per recipient)."""
    if send_row.keys() != set(SEND_COLUMNS) or shared.keys() != set(CASE_PARAMS):
        raise ValueError("a send with other columns than the prebuilt statement's")
    params = {f"send_{k}": v for k, v in send_row.items()} | shared | recipients
    (row,) = await _INSERT_SEND.rows(conn, **params)
    return int(row[0])
